import { gauge, limitLine, query, row, stat, table, timeseries, type PanelSpec } from './panels-kit.js';

const P = 'instance=~"$plotter"';

/** Plotting: running plots against max_plots, load against load_max, plots per day, progress. */
export function plottingPanels(): PanelSpec[] {
  return [
    row('Plotting'),
    stat('Plotting', [query(`goplot_config_ontoggle{${P}}`, { legend: '{{instance}}' })], {
      description: 'on_toggle.goplot: run starts new plots; off lets running plots finish',
      map: { 1: { text: 'run', color: 'green' }, 0: { text: 'off', color: 'orange' } },
    }),
    stat('Running plots', [query(`goplot_running_plots{${P}}`, { legend: '{{instance}}' })], { decimals: 0 }),
    gauge(
      'Plots running of max_plots',
      [query(`goplot_running_plots{${P}} / on(instance) goplot_config_maxplots{${P}}`, { legend: '{{instance}}' })],
      {
        unit: 'percentunit',
        min: 0,
        max: 1,
        steps: [
          [null, 'blue'],
          [0.5, 'green'],
          [1.01, 'orange'],
        ],
      },
    ),
    gauge(
      'Load of load_max',
      [
        query(`((node_load5{${P}} + node_load15{${P}}) / 2) / on(instance) goplot_config_loadmax{${P}}`, {
          legend: '{{instance}}',
        }),
      ],
      {
        description: 'No new plot starts while (load5 + load15) / 2 is above load_max',
        unit: 'percentunit',
        min: 0,
        max: 1.5,
        steps: [
          [null, 'green'],
          [0.8, 'orange'],
          [1, 'red'],
        ],
      },
    ),
    stat('Failed plots in a row', [query(`goplot_failures{${P}}`, { legend: '{{instance}}' })], {
      steps: [
        [null, 'green'],
        [1, 'orange'],
        [3, 'red'],
      ],
      decimals: 0,
    }),
    stat(
      'Since the last plot start',
      [query(`time() - goplot_last_start_timestamp_seconds{${P}}`, { legend: '{{instance}}' })],
      {
        unit: 's',
        description: 'Compare with plot_gap',
        w: 4,
      },
    ),
    timeseries(
      'Running plots and max_plots',
      [
        query(`goplot_running_plots{${P}}`, { legend: 'running {{instance}}' }),
        query(`goplot_config_maxplots{${P}}`, { legend: 'max_plots {{instance}}' }),
      ],
      { min: 0, decimals: 0, overrides: [limitLine('B')] },
    ),
    timeseries(
      'Load and load_max',
      [
        query(`(node_load5{${P}} + node_load15{${P}}) / 2`, { legend: '(load5 + load15) / 2 {{instance}}' }),
        query(`goplot_config_loadmax{${P}}`, { legend: 'load_max {{instance}}' }),
        query(`node_load5{${P}}`, { legend: 'load5 {{instance}}' }),
        query(`node_load15{${P}}`, { legend: 'load15 {{instance}}' }),
      ],
      { min: 0, overrides: [limitLine('B')] },
    ),
    ...outcomePanels(),
    timeseries(
      'Plot progress',
      [query(`goplot_plot_progress_ratio{${P}}`, { legend: 'plot {{index}} {{farm}}/{{disk}}' })],
      {
        unit: 'percentunit',
        min: 0,
        max: 1,
      },
    ),
    timeseries('Plot phase', [query(`goplot_plot_phase{${P}}`, { legend: 'plot {{index}} {{farm}}/{{disk}}' })], {
      min: 0,
      max: 5,
      decimals: 0,
      stepped: true,
      w: 12,
    }),
    table(
      'Running plots now',
      [
        query(`goplot_plot_progress_ratio{${P}}`, { instant: true }),
        query(`goplot_plot_phase{${P}}`, { instant: true }),
      ],
      {
        unit: 'percentunit',
        rename: { 'Value #A': 'progress', 'Value #B': 'phase' },
        w: 12,
        overrides: [{ matcher: { id: 'byName', options: 'phase' }, properties: [{ id: 'unit', value: 'none' }] }],
      },
    ),
    stat('plot_gap', [query(`goplot_config_plot_gap_seconds{${P}}`, { legend: '{{instance}}' })], { unit: 's', w: 6 }),
    stat('plot_poll', [query(`goplot_config_plotpoll_seconds{${P}}`, { legend: '{{instance}}' })], { unit: 's', w: 6 }),
  ];
}

/** What the tractors counted: plots per day, failures, plot and phase times (counters that survive cron runs and reboots). */
function outcomePanels(): PanelSpec[] {
  const byPlotter = 'instance, plotter, plot_job';
  /** The mean over the last day of a histogram's or summary's samples; no series while none finished. */
  const meanOverDay = (metric: string, by: string) =>
    `sum by (${by}) (increase(${metric}_sum{${P}}[1d])) / (sum by (${by}) (increase(${metric}_count{${P}}[1d])) > 0)`;
  return [
    stat(
      'Plots finished in 24 h',
      [query(`sum by (instance) (increase(goplot_plots_finished_total{${P}}[24h]))`, { legend: '{{instance}}' })],
      {
        decimals: 0,
        w: 6,
      },
    ),
    stat(
      'Plots failed in 24 h',
      [query(`sum by (instance) (increase(goplot_plots_failed_total{${P}}[24h]))`, { legend: '{{instance}}' })],
      {
        decimals: 0,
        steps: [
          [null, 'green'],
          [1, 'orange'],
          [3, 'red'],
        ],
        w: 6,
        description: 'Plots whose plotter failed, was killed, or left no finished plot in its log',
      },
    ),
    stat(
      'Mean plot time (24 h)',
      [query(meanOverDay('goplot_plot_duration_seconds', byPlotter), { legend: '{{plotter}} {{instance}}' })],
      {
        unit: 's',
        w: 6,
        description: 'Start to end of the plots that finished in the last 24 hours, by plotter',
      },
    ),
    stat(
      'Failed share (24 h)',
      [
        query(
          `sum by (instance) (increase(goplot_plots_failed_total{${P}}[24h])) / (sum by (instance) (increase(goplot_plots_failed_total{${P}}[24h]) + increase(goplot_plots_finished_total{${P}}[24h])) > 0)`,
          { legend: '{{instance}}' },
        ),
      ],
      {
        unit: 'percentunit',
        min: 0,
        max: 1,
        steps: [
          [null, 'green'],
          [0.05, 'orange'],
          [0.2, 'red'],
        ],
        w: 6,
      },
    ),
    timeseries(
      'Plots per day',
      [
        query(`sum by (instance) (increase(goplot_plots_finished_total{${P}}[1d]))`, {
          legend: 'finished {{instance}}',
        }),
        query(`sum by (instance) (increase(goplot_plots_failed_total{${P}}[1d]))`, { legend: 'failed {{instance}}' }),
        query(`sum by (instance) (increase(goplot_plots_started_total{${P}}[1d]))`, { legend: 'started {{instance}}' }),
        query('sum by (instance) (delta(farm_plot_count{instance=~"$farmer"}[1d]))', {
          legend: 'added to the farm {{instance}}',
        }),
      ],
      {
        min: 0,
        decimals: 0,
        description:
          'Plots finished, failed and started in the 24 hours before each point, and plots the farmer gained',
      },
    ),
    timeseries(
      'Plot time',
      [
        query(meanOverDay('goplot_plot_duration_seconds', byPlotter), { legend: 'mean {{plotter}} {{instance}}' }),
        query(
          `histogram_quantile(0.5, sum by (le, ${byPlotter}) (increase(goplot_plot_duration_seconds_bucket{${P}}[1d])))`,
          { legend: 'median {{plotter}} {{instance}}' },
        ),
      ],
      {
        unit: 's',
        min: 0,
        description:
          'Of the plots that finished in the 24 hours before each point; the median is bounded by the histogram buckets',
      },
    ),
    timeseries(
      'Mean time per phase',
      [
        query(meanOverDay('goplot_plot_phase_duration_seconds', `${byPlotter}, phase`), {
          legend: 'phase {{phase}} {{plotter}} {{instance}}',
        }),
      ],
      {
        unit: 's',
        min: 0,
        w: 24,
        description: 'Of the plots that finished in the 24 hours before each point, from their logs',
      },
    ),
  ];
}
