import type { Registry } from 'prom-client';
import { type CollectedValue } from './run-collector.js';
import { addGauge, createRegistry } from './registry.js';
import { arrayOf, exactRatio, integerOf, isObject, numberOf, type JsonObject } from '../chia-rpc/chia-json.js';
import { addHarvesterMetrics, readHarvesters } from './rpc-harvester-summary-metrics.js';
import { addPoolMetrics } from './rpc-pool-metrics.js';
import type { FarmReadings } from '../chia-rpc/read-farm.js';
import { addSignagePointMetrics, type SignagePointMemory } from './rpc-signage-points.js';
import { addWalletMetrics } from './rpc-wallet-metrics.js';

const MOJO_PER_XCH = 10n ** 12n;
const BYTES_PER_PIB = 2n ** 50n;
const BYTES_PER_TIB = 2n ** 40n;

/**
 * getfarm's metrics from the RPC: what the CLI path writes under the same names, help and units
 * (goplot's PiB, TiB and XCH included), worked out as `chia farm summary` works them out, then
 * what only the RPC gives. A value whose service did not answer is left out, with the service's
 * own problem as the reason.
 */
export function buildRpcFarmRegistry(
  readings: FarmReadings,
  memory: SignagePointMemory,
  nowMs: number,
): { registry: Registry; values: CollectedValue[] } {
  const registry = createRegistry();
  const values: CollectedValue[] = [];
  const gauge = (name: string, help: string) => addGauge(registry, name, help);
  const record = (value: string, present: boolean, why: string) =>
    values.push(present ? { name: value, present } : { name: value, present, why });
  const failure = (result: { ok: boolean; problem?: string }) => ('problem' in result && result.problem) || '';

  const state =
    readings.blockchainState.ok && isObject(readings.blockchainState.data.blockchain_state)
      ? readings.blockchainState.data.blockchain_state
      : null;
  const stateWhy =
    state === null
      ? failure(readings.blockchainState) || 'no blockchain_state in the answer'
      : 'not in get_blockchain_state';
  const sync = state !== null && isObject(state.sync) ? state.sync : null;
  const peak = state !== null && isObject(state.peak) ? state.peak : null;

  record('syncstatus', sync !== null, stateWhy);
  if (sync !== null)
    gauge(
      'farm_fullnode_syncstatus',
      'Chia full node sync status (1 synced, 0 not synced, syncing or not reachable)',
    ).set(sync.synced === true ? 1 : 0);
  const peakHeight = numberOf(peak?.height);
  record('peak_height', peakHeight !== null, stateWhy);
  if (peakHeight !== null) gauge('farm_fullnode_peak_height', "Height of the full node's peak block").set(peakHeight);
  if (
    sync?.sync_mode === true &&
    numberOf(sync.sync_progress_height) !== null &&
    numberOf(sync.sync_tip_height) !== null
  ) {
    gauge('farm_fullnode_sync_progress_height', 'While syncing: the height the full node has reached').set(
      numberOf(sync.sync_progress_height)!,
    );
    gauge('farm_fullnode_sync_tip_height', 'While syncing: the height the full node syncs to').set(
      numberOf(sync.sync_tip_height)!,
    );
  }
  const space = integerOf(state?.space);
  record('netspace', space !== null, stateWhy);
  if (space !== null) {
    gauge('farm_fullnode_netspace', "Chia full node estimated network space, in PiB (goplot's unit)").set(
      inUnit(space, BYTES_PER_PIB),
    );
    gauge('farm_fullnode_netspace_bytes', 'Chia full node estimated network space, in bytes').set(Number(space));
  }
  const difficulty = numberOf(state?.difficulty);
  record('difficulty', difficulty !== null, stateWhy);
  if (difficulty !== null) gauge('farm_fullnode_difficulty', 'Chia full node blockchain difficulty').set(difficulty);

  // chia farm summary's "Farming status": Farming only with a synced node and a farmer that answers
  const farming = sync !== null && sync.sync_mode !== true && sync.synced === true && readings.harvesters.ok;
  record('farmstatus', true, '');
  gauge('farm_farmer_farmstatus', 'Chia farmer farming status (1 Farming, 0 anything else)').set(farming ? 1 : 0);

  const farmed = readings.farmedAmount.ok ? integerOf(readings.farmedAmount.data.farmed_amount) : null;
  record('xch_farmed', farmed !== null, failure(readings.farmedAmount) || 'no farmed_amount in get_farmed_amount');
  if (farmed !== null)
    gauge('farm_xch_farmed', 'Total chia farmed, in XCH, as chia farm summary prints it').set(
      exactRatio(farmed, MOJO_PER_XCH),
    );

  addFarmTotals(registry, readings, state, record);
  addHarvesterMetrics(registry, readings.harvesters);
  record('pools', readings.poolState.ok, failure(readings.poolState));
  if (readings.poolState.ok) addPoolMetrics(registry, arrayOf(readings.poolState.data.pool_state));
  record('signage_points', readings.signagePoints.ok, failure(readings.signagePoints));
  if (readings.signagePoints.ok)
    addSignagePointMetrics(registry, arrayOf(readings.signagePoints.data.signage_points), memory, nowMs);
  values.push(...addWalletMetrics(registry, readings));
  return { registry, values };
}

type RecordValue = (value: string, present: boolean, why: string) => void;

/** Plot count and sizes over every harvester that finished loading, and the expected time to win, as chia sums them. */
function addFarmTotals(
  registry: Registry,
  readings: FarmReadings,
  state: JsonObject | null,
  record: RecordValue,
): void {
  const gauge = (name: string, help: string) => addGauge(registry, name, help);
  const harvesters = readHarvesters(readings.harvesters);
  const why = readings.harvesters.ok ? 'no harvesters list in get_harvesters_summary' : readings.harvesters.problem;
  record('plot_count', harvesters !== null, why);
  record('plots_size', harvesters !== null, why);
  if (harvesters === null) {
    record('plots_effective_size', false, why);
    record('expected_time_to_win', false, why);
    return;
  }
  const loaded = harvesters.filter((harvester) => !harvester.loading);
  const plots = loaded.reduce((sum, harvester) => sum + harvester.plots, 0);
  const bytes = loaded.reduce((sum, harvester) => sum + harvester.bytes, 0n);
  const withEffective = loaded.filter((harvester) => harvester.effectiveBytes !== null);
  const effective = harvesters.some((harvester) => harvester.effectiveBytes !== null)
    ? withEffective.reduce((sum, harvester) => sum + harvester.effectiveBytes!, 0n)
    : null;
  registerPlotSummary(registry, plots, Number(bytes));
  gauge('farm_plots_size', "Total size of the plots on disk, in TiB (goplot's unit)").set(inUnit(bytes, BYTES_PER_TIB));
  gauge('farm_plots_size_bytes', 'Total size of the plots on disk, in bytes').set(Number(bytes));
  record(
    'plots_effective_size',
    effective !== null,
    'get_harvesters_summary has no total_effective_plot_size (chia 2.0 and later give it)',
  );
  if (effective !== null) {
    gauge(
      'farm_plots_effective_size_bytes',
      'Effective size of the plots (compressed plots count as uncompressed), in bytes',
    ).set(Number(effective));
  }
  const toWin = expectedSecondsToWin(state, effective ?? bytes, plots);
  record('expected_time_to_win', typeof toWin === 'number', typeof toWin === 'string' ? toWin : '');
  if (typeof toWin === 'number') {
    gauge(
      'farm_expected_time_to_win_seconds',
      'Expected time to win a block, as chia farm summary estimates it (rounded down by chia)',
    ).set(toWin);
  }
}

/**
 * chia farm summary's estimate: the average time between transaction blocks over the farm's
 * share of the netspace, in whole minutes. The full node gives that average since chia 2.0.
 */
function expectedSecondsToWin(state: JsonObject | null, plotBytes: bigint, plots: number): number | string {
  if (state === null) return 'the full node did not answer';
  if (plots === 0) return 'no plots';
  const space = integerOf(state.space);
  const average = numberOf(state.average_block_time);
  if (space === null || space === 0n) return 'no netspace estimate';
  if (average === null) return 'get_blockchain_state has no average_block_time (chia 2.0 and later give it)';
  const minutes = Math.trunc(average / 60 / exactRatio(plotBytes, space));
  return minutes * 60;
}

/** As the CLI path writes it: goplot's farm_plot_count as the _count of a summary (see lib/metrics/farm-registry.ts). */
function registerPlotSummary(registry: Registry, count: number, bytes: number): void {
  const family = {
    name: 'farm_plot',
    help: "Plots of all harvesters of this farmer: farm_plot_count is their number (goplot's name), farm_plot_sum their size on disk in bytes",
    type: 'summary',
    values: [
      { metricName: 'farm_plot_sum', value: bytes, labels: {} },
      { metricName: 'farm_plot_count', value: count, labels: {} },
    ],
  };
  registry.registerMetric({ ...family, get: async () => family } as unknown as Parameters<
    Registry['registerMetric']
  >[0]);
}

/** goplot's units, with 6 decimals as the CLI path writes them; the division is exact before it rounds. */
function inUnit(bytes: bigint, unit: bigint): number {
  return Number(exactRatio(bytes, unit).toFixed(6));
}
