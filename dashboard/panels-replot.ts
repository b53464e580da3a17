import { query, row, stat, timeseries, type PanelSpec } from './panels-kit.js';

const P = 'instance=~"$plotter"';

/** The farm's plots by header, and how far replotting has come (replot_match decides what is old). */
export function replotPanels(): PanelSpec[] {
  return [
    row('Plots and replot'),
    timeseries(
      'Share of the farm replotted',
      [
        query(
          `1 - sum by (instance) (goplot_plots_replot_remaining{${P}}) / clamp_min(sum by (instance) (goplot_plots{${P}}), 1)`,
          { legend: '{{instance}}' },
        ),
      ],
      {
        unit: 'percentunit',
        min: 0,
        max: 1,
        description:
          'Valid plots that replot_match no longer matches, over all valid plots: 100 % when nothing is left to replot',
      },
    ),
    timeseries(
      'Plots by kind and compression',
      [
        query(`sum by (instance, kind, compression) (goplot_plots{${P}})`, {
          legend: '{{kind}} C{{compression}} {{instance}}',
        }),
      ],
      {
        min: 0,
        description: "From each plot's header (solo: pool public key; pool: pool contract), not its file name",
      },
    ),
    stat(
      'Left to replot',
      [query(`sum by (instance) (goplot_plots_replot_remaining{${P}})`, { legend: '{{instance}}', instant: true })],
      {
        description: 'Valid plots that replot_match still matches',
        w: 6,
        h: 4,
      },
    ),
    stat(
      'Invalid plot files',
      [query(`sum by (instance) (goplot_plots_invalid{${P}})`, { legend: '{{instance}}', instant: true })],
      {
        description: '.plot files that are not valid plots (bad magic, truncated, unreadable): see goplot plots',
        steps: [
          [null, 'green'],
          [1, 'red'],
        ],
        w: 6,
        h: 4,
      },
    ),
  ];
}
