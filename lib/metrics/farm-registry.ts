import type { Gauge, Metric, Registry } from 'prom-client';
import { type CollectedValue } from './run-collector.js';
import { addGauge, createRegistry } from './registry.js';
import type { FarmSummary } from '../chia-cli/parse-farm-summary.js';
import { BYTES_PER_PIB, BYTES_PER_TIB } from '../chia-cli/parse-size.js';
import type { ShowState } from '../chia-cli/parse-show-state.js';

/**
 * The farm collector's metrics from `chia show -s` and `chia farm summary`. goplot's names keep
 * goplot's units so its dashboards keep working: farm_fullnode_netspace in PiB and
 * farm_plots_size in TiB (its Grafana panels add " PiB" / " TiB", and its win-rate query is
 * plots_size * .001 / netspace). goplot printed whatever unit chia printed, so its numbers jumped
 * a thousandfold when chia switched from PiB to EiB; these are always PiB and TiB. New metrics are
 * in bytes. Every metric is left out when chia did not print its value.
 */
export function buildFarmRegistry(
  show: ShowState,
  summary: FarmSummary,
): { registry: Registry; values: CollectedValue[] } {
  const registry = createRegistry();
  const values: CollectedValue[] = [];
  const adder: GaugeAdder = {
    gauge: (name, help) => addGauge(registry, name, help),
    record: (value, present, why) => values.push(present ? { name: value, present } : { name: value, present, why }),
  };
  const summaryWhy =
    summary.unreachable.length > 0 ? `${summary.unreachable.join(', ')} not reachable` : 'not in chia farm summary';
  addFullNodeGauges(adder, show, summary.netspaceBytes, summaryWhy);
  addFarmerGauges(adder, registry, summary, summaryWhy);
  addHarvesterGroups(registry, summary);
  return { registry, values };
}

/** Adds a gauge to the registry; records whether a collected value was present, and why not. */
interface GaugeAdder {
  gauge(name: string, help: string): Gauge;
  record(value: string, present: boolean, why: string): void;
}

/**
 * What `chia show -s` says of the full node: sync status, heights, netspace (from the farm summary when
 * show printed none) and difficulty.
 */
function addFullNodeGauges(
  { gauge, record }: GaugeAdder,
  show: ShowState,
  summaryNetspace: number | null,
  summaryWhy: string,
): void {
  const why = show.unreachable.includes('full node') ? 'full node not reachable' : 'not in chia show -s';
  record('syncstatus', show.synced !== null, why);
  if (show.synced !== null)
    gauge(
      'farm_fullnode_syncstatus',
      'Chia full node sync status (1 synced, 0 not synced, syncing or not reachable)',
    ).set(show.synced ? 1 : 0);

  record('peak_height', show.peakHeight !== null, why);
  if (show.peakHeight !== null)
    gauge('farm_fullnode_peak_height', "Height of the full node's peak block").set(show.peakHeight);
  if (show.syncTipHeight !== null && show.syncProgressHeight !== null) {
    gauge('farm_fullnode_sync_progress_height', 'While syncing: the height the full node has reached').set(
      show.syncProgressHeight,
    );
    gauge('farm_fullnode_sync_tip_height', 'While syncing: the height the full node syncs to').set(show.syncTipHeight);
  }

  const netspace = show.netspaceBytes ?? summaryNetspace;
  record('netspace', netspace !== null, netspace === null ? `${why}; ${summaryWhy}` : '');
  if (netspace !== null) {
    gauge('farm_fullnode_netspace', "Chia full node estimated network space, in PiB (goplot's unit)").set(
      inUnit(netspace, BYTES_PER_PIB),
    );
    gauge('farm_fullnode_netspace_bytes', 'Chia full node estimated network space, in bytes').set(netspace);
  }

  record('difficulty', show.difficulty !== null, why);
  if (show.difficulty !== null)
    gauge('farm_fullnode_difficulty', 'Chia full node blockchain difficulty').set(show.difficulty);
}

/** What `chia farm summary` says of the farmer: farming status, XCH farmed, the plots and the expected time to win. */
function addFarmerGauges({ gauge, record }: GaugeAdder, registry: Registry, summary: FarmSummary, why: string): void {
  record('farmstatus', summary.farming !== null, why);
  if (summary.farming !== null)
    gauge('farm_farmer_farmstatus', 'Chia farmer farming status (1 Farming, 0 anything else)').set(
      summary.farming ? 1 : 0,
    );

  record('xch_farmed', summary.xchFarmed !== null, why);
  if (summary.xchFarmed !== null)
    gauge('farm_xch_farmed', 'Total chia farmed, in XCH, as chia farm summary prints it').set(summary.xchFarmed);

  record('plot_count', summary.plotCount !== null, why);
  if (summary.plotCount !== null) registerPlotSummary(registry, summary.plotCount, summary.plotsBytes);

  record('plots_size', summary.plotsBytes !== null, why);
  if (summary.plotsBytes !== null) {
    gauge('farm_plots_size', "Total size of the plots on disk, in TiB (goplot's unit)").set(
      inUnit(summary.plotsBytes, BYTES_PER_TIB),
    );
    gauge('farm_plots_size_bytes', 'Total size of the plots on disk, in bytes').set(summary.plotsBytes);
  }

  record('plots_effective_size', summary.plotsEffectiveBytes !== null, `${why} (chia 2.0 and later print it)`);
  if (summary.plotsEffectiveBytes !== null) {
    gauge(
      'farm_plots_effective_size_bytes',
      'Effective size of the plots (compressed plots count as uncompressed), in bytes',
    ).set(summary.plotsEffectiveBytes);
  }

  record('expected_time_to_win', summary.expectedTimeToWinSeconds !== null, why);
  if (summary.expectedTimeToWinSeconds !== null) {
    gauge(
      'farm_expected_time_to_win_seconds',
      'Expected time to win a block, as chia farm summary estimates it (rounded down by chia)',
    ).set(summary.expectedTimeToWinSeconds);
  }
}

/** One series per harvester address, as the farmer lists them: remote harvesters are labelled by IP. */
function addHarvesterGroups(registry: Registry, summary: FarmSummary): void {
  if (summary.harvesters.length === 0) return;
  const labelNames = ['host', 'location'];
  const gauge = (name: string, help: string) => addGauge(registry, name, help, labelNames);
  const harvesters = gauge(
    'farm_harvesters',
    'Harvesters the farmer lists at this address (host="local" for local ones)',
  );
  const loading = gauge('farm_harvesters_loading', 'Of those, harvesters still loading their plots');
  const plots = gauge('farm_harvesters_plots', 'Plots of the harvesters at this address');
  const bytes = gauge(
    'farm_harvesters_plots_size_bytes',
    'Size on disk of the plots of the harvesters at this address, in bytes',
  );
  const effective = summary.harvesters.some((group) => group.effectiveBytes !== null)
    ? gauge(
        'farm_harvesters_plots_effective_size_bytes',
        'Effective size of the plots of the harvesters at this address, in bytes',
      )
    : null;
  for (const group of summary.harvesters) {
    const labels = { host: group.host, location: group.location };
    harvesters.set(labels, group.harvesters);
    loading.set(labels, group.loading);
    plots.set(labels, group.plots);
    bytes.set(labels, group.bytes);
    if (effective && group.effectiveBytes !== null) effective.set(labels, group.effectiveBytes);
  }
}

/**
 * goplot's `farm_plot_count` as the `_count` of a summary named `farm_plot`: promtool rejects a
 * gauge or counter whose name ends in `_count`, and a summary is what this is (one observation
 * per plot, `_sum` their size in bytes), so the goplot name stays and the file passes promtool.
 * The `_sum` is left out when chia printed no total size: node_exporter would show it as 0.
 */
function registerPlotSummary(registry: Registry, count: number, bytes: number | null): void {
  const family = {
    name: 'farm_plot',
    help: "Plots of all harvesters of this farmer: farm_plot_count is their number (goplot's name), farm_plot_sum their size on disk in bytes",
    type: 'summary',
    values: [
      ...(bytes === null ? [] : [{ metricName: 'farm_plot_sum', value: bytes, labels: {} }]),
      { metricName: 'farm_plot_count', value: count, labels: {} },
    ],
  };
  registry.registerMetric({ ...family, get: async () => family } as unknown as Metric);
}

/** chia prints 3 decimals; 6 keep every digit of a size converted between PiB and EiB without float noise. */
function inUnit(bytes: number, unit: number): number {
  return Number((bytes / unit).toFixed(6));
}
