import { query, row, stat, timeseries, type PanelSpec } from './panels-kit.js';

const H = 'instance=~"$harvester"';

/** node_exporter 1.5+ labels the file with its path, older ones with its name. */
const HARVESTERLOG_FILE = '(.*/)?harvesterlog\\\\.prom';
/** As the alert GoplotHarvesterlogStale: twelve missed rewrites. */
const HARVESTERLOG_STALE_SECONDS = 120;

/** The harvester as its debug.log tells it: alive, eligible plots, proofs, lookup times. */
export function harvesterPanels(): PanelSpec[] {
  return [
    row('Harvester'),
    stat(
      'Harvester',
      [
        query(
          // harvesterlog rewrites its file at least every 10 s: an older file means it is dead (killed with -9)
          // and its last status proves nothing
          `(farm_harvester_status{${H}} and on(instance) (time() - node_textfile_mtime_seconds{${H}, file=~"${HARVESTERLOG_FILE}"}) < ${HARVESTERLOG_STALE_SECONDS})` +
            ` or on(instance) (0 * farm_harvester_status{${H}} - 1)`,
          { legend: '{{instance}}' },
        ),
      ],
      {
        description: `down: no eligible line within harvester_threshold seconds; stale: harvesterlog.prom is over ${HARVESTERLOG_STALE_SECONDS} s old (harvesterlog is not running)`,
        map: {
          1: { text: 'up', color: 'green' },
          0: { text: 'down', color: 'red' },
          '-1': { text: 'stale', color: 'red' },
        },
      },
    ),
    stat(
      'Since the last challenge',
      [query(`time() - farm_harvester_last_challenge_timestamp_seconds{${H}}`, { legend: '{{instance}}' })],
      {
        unit: 's',
        steps: [
          [null, 'green'],
          [30, 'orange'],
          [60, 'red'],
        ],
      },
    ),
    stat('Plots (harvester)', [query(`farm_harvester_plots{${H}}`, { legend: '{{instance}}' })], { decimals: 0 }),
    stat('Proofs in 24 h', [query(`increase(farm_harvester_proofs_total{${H}}[24h])`, { legend: '{{instance}}' })], {
      decimals: 0,
    }),
    stat(
      'Slow lookups in 24 h',
      [query(`increase(farm_harvester_slow_lookups_total{${H}}[24h])`, { legend: '{{instance}}' })],
      {
        decimals: 0,
        steps: [
          [null, 'green'],
          [1, 'orange'],
          [10, 'red'],
        ],
        description: 'Lookups that took longer than 5 s: slow or failing disks risk missed proofs',
      },
    ),
    stat(
      'Challenges per minute',
      [query(`rate(farm_harvester_challenges_total{${H}}[5m]) * 60`, { legend: '{{instance}}' })],
      {
        decimals: 1,
        steps: [
          [null, 'red'],
          [5, 'green'],
        ],
        description: 'About 6.4 a minute (one per signage point) when all is well',
      },
    ),
    timeseries(
      'Eligible plots',
      [
        query(`farm_harvester_plots_eligible{${H}}`, { legend: 'last challenge {{instance}}' }),
        query(
          `rate(farm_harvester_eligible_plots_total{${H}}[$__rate_interval]) / rate(farm_harvester_challenges_total{${H}}[$__rate_interval])`,
          { legend: 'mean per challenge {{instance}}' },
        ),
      ],
      { min: 0 },
    ),
    timeseries(
      'Proofs found',
      [
        query(`farm_harvester_proofs_found{${H}}`, { legend: 'last challenge {{instance}}' }),
        query(`increase(farm_harvester_proofs_total{${H}}[1h])`, { legend: 'per hour {{instance}}' }),
      ],
      { min: 0, decimals: 0 },
    ),
    timeseries(
      'Lookup time',
      [0.5, 0.95, 0.99].map((q) =>
        query(
          `histogram_quantile(${q}, sum by (le, instance) (rate(farm_harvester_lookup_seconds_bucket{${H}}[$__rate_interval])))`,
          { legend: `p${q * 100} {{instance}}` },
        ),
      ),
      {
        unit: 's',
        min: 0,
        steps: [
          [null, 'green'],
          [5, 'orange'],
          [30, 'red'],
        ],
        description: 'Chia warns above 5 s; a proof found after about 30 s is lost',
        w: 24,
      },
    ),
  ];
}
