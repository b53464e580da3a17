import { query, row, table, timeseries, type PanelSpec } from './panels-kit.js';

const P = 'instance=~"$plotter"';

/** Destination disks as diskhand sees them: free space, space promised to running plots, state. */
export function diskPanels(): PanelSpec[] {
  return [
    row('Disks'),
    timeseries(
      'Free space per disk',
      [query(`goplot_disk_free_bytes{${P}}`, { legend: '{{farm}}/{{disk}} {{instance}}' })],
      {
        unit: 'bytes',
        min: 0,
        steps: [
          [null, 'red'],
          [120e9, 'green'],
        ],
        description: 'Below one k32 plot (about 109 GB) a disk is full for diskhand',
      },
    ),
    timeseries(
      'Space committed to running plots',
      [query(`goplot_disk_committed_bytes{${P}}`, { legend: '{{farm}}/{{disk}} {{instance}}' })],
      {
        unit: 'bytes',
        min: 0,
      },
    ),
    table('Disk state', [query(`goplot_disk_state{${P}} == 1`, { instant: true })], {
      description:
        'One row per disk: number (has room), full, off (taken out by hand), unmounted, missing (no state file yet) or invalid',
      hide: ['Value'],
      w: 24,
      h: 8,
      overrides: [
        {
          matcher: { id: 'byName', options: 'state' },
          properties: [
            { id: 'custom.cellOptions', value: { type: 'color-background' } },
            {
              id: 'mappings',
              value: [
                {
                  type: 'value',
                  options: {
                    number: { text: 'room', color: 'green', index: 0 },
                    full: { text: 'full', color: 'orange', index: 1 },
                    off: { text: 'off', color: 'blue', index: 2 },
                    unmounted: { text: 'unmounted', color: 'red', index: 3 },
                    missing: { text: 'no state yet', color: 'yellow', index: 4 },
                    invalid: { text: 'invalid state file', color: 'red', index: 5 },
                  },
                },
              ],
            },
          ],
        },
      ],
    }),
  ];
}
