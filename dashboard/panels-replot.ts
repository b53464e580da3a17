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
      'Plots by proof of space',
      [
        query(`sum by (instance, pos) (goplot_plots{${P}})`, { legend: 'pos{{pos}} {{instance}}' }),
        query(`sum by (instance) (goplot_plot_group_files{${P}})`, { legend: 'pos2 group files {{instance}}' }),
        query(`sum by (instance, pos) (goplot_plots_not_read{${P}})`, { legend: 'pos{{pos}} not read {{instance}}' }),
      ],
      {
        min: 0,
        description:
          'pos1: every plot made before chia 3 (its weight falls to 0 after the fork); pos2: the new plots; group files (.gplot) count as files; not read: a format this goplot does not know (a newer pos2 version)',
      },
    ),
    timeseries(
      'Plot bytes by proof of space',
      [query(`sum by (instance, pos) (goplot_plots_bytes{${P}})`, { legend: 'pos{{pos}} {{instance}}' })],
      { unit: 'bytes', min: 0, description: 'Size of the valid plots, from their headers' },
    ),
    timeseries(
      'pos1 plots by kind and compression',
      [
        query(`sum by (instance, kind, compression) (goplot_plots{${P},pos="1"})`, {
          legend: '{{kind}} C{{compression}} {{instance}}',
        }),
      ],
      {
        min: 0,
        description: "From each plot's header (solo: pool public key; pool: pool contract), not its file name",
      },
    ),
    timeseries(
      'pos2 plots by k, strength and kind',
      [
        query(`sum by (instance, k, strength, kind) (goplot_plots{${P},pos="2"})`, {
          legend: 'k{{k}} strength {{strength}} {{kind}} {{instance}}',
        }),
      ],
      { min: 0, description: 'Each step of strength doubles the plotting work' },
    ),
    stat(
      'pos2 meta groups in use',
      [query(`sum by (instance) (goplot_plot_meta_groups{${P}})`, { legend: '{{instance}}', instant: true })],
      {
        description: 'Meta groups of the pos2 plots, counted per disk and summed (each group on a disk has its own)',
        w: 6,
        h: 4,
      },
    ),
    stat(
      'plots/ not readable',
      [
        // 0, not "no data", on a host whose plots/ folders all read: a stat that shows nothing looks broken
        query(`sum by (instance) (1 - goplot_plots_dir_readable{${P}})`, {
          legend: '{{instance}}',
          instant: true,
        }),
      ],
      {
        description: 'Disks whose plots/ could not be read: their plots are unknown, not 0 (see goplot plots)',
        steps: [
          [null, 'green'],
          [1, 'red'],
        ],
        w: 6,
        h: 4,
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
