import { limitLine, query, row, stat, timeseries, type PanelSpec } from './panels-kit.js';

const P = 'instance=~"$plotter"';

/** The race from pos1 to pos2 (goplot migrate): effective space against the phase-out, and the replot rate against the one needed. */
export function migrationPanels(): PanelSpec[] {
  return [
    row('Migration'),
    timeseries(
      'Effective space by pos against the phase-out line',
      [
        query(`sum by (instance, pos) (goplot_farm_effective_bytes{${P}})`, { legend: 'pos{{pos}} {{instance}}' }),
        query(`sum by (instance) (goplot_farm_effective_bytes{${P}})`, { legend: 'total {{instance}}' }),
        query(`sum by (instance) (goplot_farm_effective_no_replot_bytes{${P}})`, {
          legend: 'no replot {{instance}}',
        }),
      ],
      {
        unit: 'bytes',
        min: 0,
        overrides: [limitLine('C')],
        description:
          'Effective space as chia counts it: plots x their k size x their weight at the chain height (pos1 fades by 1/256 an epoch from the fork; pos2 counts from it). The dashed line is what the farm would count for had its room stayed pos1',
      },
    ),
    timeseries(
      'Replot rate: made against needed (pos2 plots a day)',
      [
        query(`goplot_migrate_measured_plots_per_day{${P}}`, { legend: 'made, last {{window}} {{instance}}' }),
        query(`goplot_migrate_needed_plots_per_day{${P},deadline="target"}`, {
          legend: 'needed before migrate_target_weight {{instance}}',
        }),
        query(`goplot_migrate_needed_plots_per_day{${P},deadline="zero"}`, {
          legend: 'needed before weight 0 {{instance}}',
        }),
      ],
      {
        min: 0,
        overrides: [limitLine('B')],
        description:
          'pos2 plots landed a day (last whole UTC day, and the mean of the last 7) against the rate that replaces every pos1 plot before the deadline; one pos2 plot a day replaces its own file size of pos1 plots a day',
      },
    ),
    stat('pos1 weight', [query(`goplot_pos1_weight{${P}}`, { legend: '{{instance}}', instant: true })], {
      unit: 'percentunit',
      decimals: 1,
      description:
        'The chance a pos1 plot keeps at the chain height: 100 % before the fork, 0 from the end of the phase-out',
      steps: [
        [null, 'red'],
        [0.5, 'orange'],
        [0.9, 'green'],
      ],
      w: 6,
    }),
    stat(
      'All pos2 at last week’s rate',
      [query(`goplot_migrate_finish_timestamp_seconds{${P}} * 1000`, { legend: '{{instance}}', instant: true })],
      { unit: 'dateTimeAsIso', description: 'goplot migrate gives the heights and the checkpoints', w: 6 },
    ),
  ];
}
