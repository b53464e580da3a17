import { query, row, stat, table, timeseries, type PanelSpec } from './panels-kit.js';

const F = 'instance=~"$farmer"';
const ALL = 'instance=~"$plotter|$harvester|$farmer"';

/** The farmer and full node: sync, farming, netspace, plots, XCH. */
export function farmPanels(): PanelSpec[] {
  return [
    row('Farm'),
    stat('Full node', [query(`farm_fullnode_syncstatus{${F}}`, { legend: '{{instance}}' })], {
      map: { 1: { text: 'synced', color: 'green' }, 0: { text: 'not synced', color: 'red' } },
    }),
    stat('Farmer', [query(`farm_farmer_farmstatus{${F}}`, { legend: '{{instance}}' })], {
      map: { 1: { text: 'farming', color: 'green' }, 0: { text: 'not farming', color: 'red' } },
    }),
    stat('Plots', [query(`farm_plot_count{${F}}`, { legend: '{{instance}}' })], { decimals: 0 }),
    stat('Plots size', [query(`farm_plots_size_bytes{${F}}`, { legend: '{{instance}}' })], { unit: 'bytes' }),
    stat('XCH farmed', [query(`farm_xch_farmed{${F}}`, { legend: '{{instance}}' })], { decimals: 2 }),
    stat('Expected time to win', [query(`farm_expected_time_to_win_seconds{${F}}`, { legend: '{{instance}}' })], {
      unit: 's',
    }),
    timeseries('Netspace', [query(`farm_fullnode_netspace_bytes{${F}}`, { legend: '{{instance}}' })], {
      unit: 'bytes',
    }),
    timeseries(
      'Plots and effective size',
      [
        query(`farm_plots_size_bytes{${F}}`, { legend: 'on disk {{instance}}' }),
        query(`farm_plots_effective_size_bytes{${F}}`, { legend: 'effective {{instance}}' }),
      ],
      { unit: 'bytes', min: 0 },
    ),
    timeseries('Difficulty', [query(`farm_fullnode_difficulty{${F}}`, { legend: '{{instance}}' })], { w: 24, h: 6 }),
  ];
}

/** As the alerts GoplotHarvesterlogStale and GoplotMetricsStale: harvesterlog rewrites its file every 10 s at least, cron every run. */
const STALE_SECONDS = { harvesterlog: 120, cron: 600 };

/**
 * Each collector's success (1 or 0) while its file <collector>.prom is fresh, else -1 (stale): a
 * collector that stopped running leaves its last success 1 behind.
 */
function collectorHealth(): string {
  // node_exporter's own node_scrape_collector_success{collector=…} would collide after the relabel
  const success = `label_replace({__name__=~".+_collector_success", __name__!="node_scrape_collector_success", ${ALL}}, "collector", "$1", "__name__", "(.+)_collector_success")`;
  // time since each file changed, labelled with its collector (node_exporter 1.5+ gives the file's path, older ones its name)
  const age = (match: '=~' | '!~') =>
    `label_replace(time() - node_textfile_mtime_seconds{${ALL}, file${match}"(.*/)?harvesterlog\\\\.prom"}, "collector", "$2", "file", "(.*/)?(.+)\\\\.prom")`;
  const fresh = `(${age('=~')} < ${STALE_SECONDS.harvesterlog} or ${age('!~')} < ${STALE_SECONDS.cron})`;
  return `(${success} and on(instance, collector) ${fresh}) or on(instance, collector) (0 * ${success} - 1)`;
}

/** Is every collector running and its file fresh? A stale .prom file shows old values as if current. */
export function healthPanels(): PanelSpec[] {
  return [
    row('Collectors'),
    table('Collector health', [query(collectorHealth(), { instant: true })], {
      description:
        'ok: the last run wrote its file; failing: it failed and kept the last good values (see the log); ' +
        `stale: its file is older than ${STALE_SECONDS.harvesterlog} s (harvesterlog) or ${STALE_SECONDS.cron} s (the cron collectors), so the collector no longer runs and its last word proves nothing`,
      map: {
        1: { text: 'ok', color: 'green' },
        0: { text: 'failing', color: 'red' },
        '-1': { text: 'stale', color: 'red' },
      },
      rename: { Value: 'health' },
      w: 12,
    }),
    timeseries(
      'Since each collector last succeeded',
      [
        query(
          `time() - label_replace({__name__=~".+_collector_last_success_timestamp_seconds", ${ALL}}, "collector", "$1", "__name__", "(.+)_collector_last_success_timestamp_seconds")`,
          { legend: '{{collector}} {{instance}}' },
        ),
      ],
      {
        unit: 's',
        min: 0,
        steps: [
          [null, 'green'],
          [300, 'red'],
        ],
      },
    ),
    timeseries(
      'Age of each .prom file',
      [query(`time() - node_textfile_mtime_seconds{${ALL}}`, { legend: '{{file}} {{instance}}' })],
      {
        unit: 's',
        min: 0,
        steps: [
          [null, 'green'],
          [120, 'orange'],
          [600, 'red'],
        ],
        w: 24,
        description:
          'Since node_exporter last saw each file change: harvesterlog rewrites its file at least every 10 s, the cron collectors every run; an old file is a dead writer (see the alerts GoplotHarvesterlogStale and GoplotMetricsStale)',
      },
    ),
    stat('Unreadable .prom files', [query(`node_textfile_scrape_error{${ALL}}`, { legend: '{{instance}}' })], {
      description: "node_exporter's textfile collector: 1 when a file in prom_dir could not be parsed",
      map: { 0: { text: 'none', color: 'green' }, 1: { text: 'error', color: 'red' } },
      w: 24,
    }),
  ];
}
