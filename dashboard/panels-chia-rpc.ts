import { query, row, stat, table, timeseries, type PanelSpec } from './panels-kit.js';

const F = 'instance=~"$farmer"';
const H = 'instance=~"$harvester"';

/** What getfarm reads only through chia's RPC: pools, signage points, each harvester, the wallet. */
export function farmRpcPanels(): PanelSpec[] {
  return [
    row("Farm through chia's RPC (chia_rpc on or auto)"),
    stat(
      'Since the last signage point',
      [query(`farm_farmer_last_signage_point_age_seconds{${F}}`, { legend: '{{instance}}' })],
      {
        unit: 's',
        steps: [
          [null, 'green'],
          [60, 'orange'],
          [120, 'red'],
        ],
        description:
          "Seconds since getfarm first saw the farmer's newest signage point (one comes about every 9.4 s); resolution: the collector's interval",
      },
    ),
    stat(
      'Signage points per minute',
      [
        query(`rate(farm_farmer_signage_points_received_total{${F}}[$__rate_interval]) * 60`, {
          legend: '{{instance}}',
        }),
      ],
      {
        decimals: 1,
        steps: [
          [null, 'red'],
          [5, 'green'],
        ],
        description: 'About 6.4 a minute when the farmer follows the chain',
      },
    ),
    stat('Wallet', [query(`farm_wallet_synced{${F}}`, { legend: '{{instance}}' })], {
      map: { 1: { text: 'synced', color: 'green' }, 0: { text: 'not synced', color: 'red' } },
    }),
    stat('Wallet height', [query(`farm_wallet_height{${F}}`, { legend: '{{instance}}' })], { decimals: 0 }),
    stat(
      'Farmed (wallet)',
      [query(`farm_wallet_farmed_amount_mojos{${F}} / 1000000000000`, { legend: '{{instance}}' })],
      {
        decimals: 2,
        description: "XCH: the wallet's farmed_amount (mojos / 10^12)",
      },
    ),
    stat('Last height farmed', [query(`farm_wallet_last_height_farmed{${F}}`, { legend: '{{instance}}' })], {
      decimals: 0,
    }),
    timeseries(
      'Pool points in 24 h',
      [
        query(`farm_pool_points_found_24h{${F}}`, { legend: 'found {{pool_url}} {{launcher_id}}' }),
        query(`farm_pool_points_acknowledged_24h{${F}}`, { legend: 'acknowledged {{pool_url}} {{launcher_id}}' }),
      ],
      { min: 0, description: 'Found but not acknowledged points are partials the pool refused or never got' },
    ),
    timeseries(
      'Pool errors in 24 h',
      [query(`farm_pool_errors_24h{${F}}`, { legend: '{{pool_url}} {{launcher_id}}' })],
      {
        min: 0,
        decimals: 0,
        steps: [
          [null, 'green'],
          [1, 'red'],
        ],
      },
    ),
    table("Harvesters (the farmer's view)", [query(`farm_farmer_harvester_plots{${F}}`, { instant: true })], {
      rename: { Value: 'plots' },
      w: 12,
      description: 'Each harvester connected to the farmer, with its plots (0 while it loads)',
    }),
    timeseries(
      'Plots that do not farm',
      [
        query(`farm_farmer_harvester_plots_failed_to_open{${F}}`, { legend: 'failed to open {{host}} {{node_id}}' }),
        query(`farm_farmer_harvester_plots_no_key{${F}}`, { legend: 'no key {{host}} {{node_id}}' }),
        query(`farm_farmer_harvester_plots_duplicates{${F}}`, { legend: 'duplicates {{host}} {{node_id}}' }),
      ],
      { min: 0, decimals: 0, w: 12 },
    ),
    timeseries(
      'Loaded by chia and on disk (harvester)',
      [
        query(`farm_harvester_loaded_plots{${H}}`, { legend: 'loaded by chia {{instance}}' }),
        query(`farm_local_plots{${H}}`, { legend: 'plot files {{instance}}' }),
      ],
      {
        min: 0,
        decimals: 0,
        w: 12,
        description: 'A gap: plot files chia did not load (failed, no key, or outside its plot directories)',
      },
    ),
    table('Plot directories (harvester)', [query(`farm_harvester_directory_loaded_plots{${H}}`, { instant: true })], {
      rename: { Value: 'loaded plots' },
      w: 12,
      description: 'A directory with 0 plots: a disk that dropped out or an empty folder',
    }),
  ];
}
