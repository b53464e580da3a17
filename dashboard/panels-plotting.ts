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
    gauge('Plots running of max_plots', [query(`goplot_running_plots{${P}} / on(instance) goplot_config_maxplots{${P}}`, { legend: '{{instance}}' })], {
      unit: 'percentunit', min: 0, max: 1, steps: [[null, 'blue'], [0.5, 'green'], [1.01, 'orange']],
    }),
    gauge('Load of load_max', [query(`((node_load5{${P}} + node_load15{${P}}) / 2) / on(instance) goplot_config_loadmax{${P}}`, { legend: '{{instance}}' })], {
      description: 'No new plot starts while (load5 + load15) / 2 is above load_max',
      unit: 'percentunit', min: 0, max: 1.5, steps: [[null, 'green'], [0.8, 'orange'], [1, 'red']],
    }),
    stat('Failed plots in a row', [query(`goplot_failures{${P}}`, { legend: '{{instance}}' })], {
      steps: [[null, 'green'], [1, 'orange'], [3, 'red']], decimals: 0,
    }),
    stat('Since the last plot start', [query(`time() - goplot_last_start_timestamp_seconds{${P}}`, { legend: '{{instance}}' })], {
      unit: 's', description: 'Compare with plot_gap', w: 4,
    }),
    timeseries('Running plots and max_plots', [
      query(`goplot_running_plots{${P}}`, { legend: 'running {{instance}}' }),
      query(`goplot_config_maxplots{${P}}`, { legend: 'max_plots {{instance}}' }),
    ], { min: 0, decimals: 0, overrides: [limitLine('B')] }),
    timeseries('Load and load_max', [
      query(`(node_load5{${P}} + node_load15{${P}}) / 2`, { legend: '(load5 + load15) / 2 {{instance}}' }),
      query(`goplot_config_loadmax{${P}}`, { legend: 'load_max {{instance}}' }),
      query(`node_load5{${P}}`, { legend: 'load5 {{instance}}' }),
      query(`node_load15{${P}}`, { legend: 'load15 {{instance}}' }),
    ], { min: 0, overrides: [limitLine('B')] }),
    timeseries('Plots per day', [
      query(`sum by (instance) (changes(goplot_last_start_timestamp_seconds{${P}}[1d]))`, { legend: 'started {{instance}}' }),
      query('sum by (instance) (delta(farm_plot_count{instance=~"$farmer"}[1d]))', { legend: 'added to the farm {{instance}}' }),
    ], { min: 0, decimals: 0, description: 'Plots started in the 24 hours before each point, and plots the farmer gained' }),
    timeseries('Plot progress', [query(`goplot_plot_progress_ratio{${P}}`, { legend: 'plot {{index}} {{farm}}/{{disk}} phase {{phase}}' })], {
      unit: 'percentunit', min: 0, max: 1,
    }),
    timeseries('Plot phase', [query(`goplot_plot_phase{${P}}`, { legend: 'plot {{index}} {{farm}}/{{disk}}' })], {
      min: 0, max: 5, decimals: 0, stepped: true, w: 12,
    }),
    table('Running plots now', [query(`goplot_plot_progress_ratio{${P}}`, { instant: true })], {
      unit: 'percentunit', rename: { Value: 'progress' }, w: 12,
    }),
    stat('plot_gap', [query(`goplot_config_plot_gap{${P}}`, { legend: '{{instance}}' })], { unit: 's', w: 6 }),
    stat('plot_poll', [query(`goplot_config_plotpoll{${P}}`, { legend: '{{instance}}' })], { unit: 's', w: 6 }),
  ];
}
