import type { Registry } from 'prom-client';
import { addGauge } from './registry.js';
import { arrayOf, integerOf, isObject, numberOf, textOf } from '../chia-rpc/chia-json.js';
import type { RpcResult } from '../chia-rpc/rpc-client.js';

export interface HarvesterSummary {
  host: string;
  nodeId: string;
  /** Still loading its plots for the first time: chia leaves its counts out of the totals. */
  loading: boolean;
  plots: number;
  bytes: bigint;
  effectiveBytes: bigint | null;
  failedToOpen: number;
  noKey: number;
  duplicates: number;
  lastSyncSeconds: number | null;
}

/** The farmer's get_harvesters_summary, one entry per connected harvester, or null when it did not answer. */
export function readHarvesters(result: RpcResult): HarvesterSummary[] | null {
  if (!result.ok || !Array.isArray(result.data.harvesters)) return null;
  return arrayOf(result.data.harvesters)
    .filter(isObject)
    .map((harvester) => {
      const connection = isObject(harvester.connection) ? harvester.connection : {};
      const syncing = isObject(harvester.syncing) ? harvester.syncing : null;
      return {
        host: textOf(connection.host) ?? 'unknown',
        nodeId: textOf(connection.node_id) ?? 'unknown',
        loading: syncing?.initial === true,
        plots: numberOf(harvester.plots) ?? 0,
        bytes: integerOf(harvester.total_plot_size) ?? 0n,
        effectiveBytes: integerOf(harvester.total_effective_plot_size),
        failedToOpen: numberOf(harvester.failed_to_open_filenames) ?? 0,
        noKey: numberOf(harvester.no_key_filenames) ?? 0,
        duplicates: numberOf(harvester.duplicates) ?? 0,
        // null until the harvester's first plot sync is done
        lastSyncSeconds: numberOf(harvester.last_sync_time),
      };
    });
}

/** chia's is_localhost: these harvesters are the "Local Harvester" of chia farm summary. */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '0:0:0:0:0:0:0:1']);

/**
 * The CLI path's per-address groups (host="local" for local harvesters, else the IP), summed as
 * chia farm summary sums them, and what only the RPC tells about each harvester: its plots that
 * failed to open, that have no key, and duplicates, and when it last synced its plot list.
 */
export function addHarvesterMetrics(registry: Registry, result: RpcResult): void {
  const harvesters = readHarvesters(result);
  if (harvesters === null || harvesters.length === 0) return;
  addGroups(registry, harvesters);
  const labelNames = ['host', 'node_id'];
  const gauge = (name: string, help: string) => addGauge(registry, `farm_farmer_harvester_${name}`, help, labelNames);
  const plots = gauge('plots', 'Plots this harvester has loaded, as the farmer sees it (0 while it loads)');
  const failed = gauge('plots_failed_to_open', 'Plot files this harvester failed to open');
  const noKey = gauge('plots_no_key', "Plot files this harvester found whose farmer or pool key is not this farm's");
  const duplicates = gauge('plots_duplicates', 'Plot files this harvester found twice (same plot id)');
  const bytes = gauge('plots_size_bytes', "Size on disk of this harvester's plots, in bytes");
  const effective = harvesters.some((harvester) => harvester.effectiveBytes !== null)
    ? gauge('plots_effective_size_bytes', "Effective size of this harvester's plots, in bytes")
    : null;
  const loading = gauge('loading', '1 while this harvester loads its plots for the first time');
  const synced = harvesters.some((harvester) => harvester.lastSyncSeconds !== null)
    ? gauge(
        'last_sync_timestamp_seconds',
        'When this harvester last synced its plot list with the farmer (Unix seconds)',
      )
    : null;
  for (const harvester of harvesters) {
    const labels = { host: harvester.host, node_id: harvester.nodeId };
    plots.set(labels, harvester.plots);
    failed.set(labels, harvester.failedToOpen);
    noKey.set(labels, harvester.noKey);
    duplicates.set(labels, harvester.duplicates);
    bytes.set(labels, Number(harvester.bytes));
    if (effective && harvester.effectiveBytes !== null) effective.set(labels, Number(harvester.effectiveBytes));
    loading.set(labels, harvester.loading ? 1 : 0);
    if (synced && harvester.lastSyncSeconds !== null) synced.set(labels, harvester.lastSyncSeconds);
  }
}

function addGroups(registry: Registry, harvesters: HarvesterSummary[]): void {
  const groups = new Map<
    string,
    { location: string; harvesters: number; loading: number; plots: number; bytes: bigint; effective: bigint | null }
  >();
  for (const harvester of harvesters) {
    const local = LOCAL_HOSTS.has(harvester.host);
    const host = local ? 'local' : harvester.host;
    const group = groups.get(host) ?? {
      location: local ? 'local' : 'remote',
      harvesters: 0,
      loading: 0,
      plots: 0,
      bytes: 0n,
      effective: null,
    };
    group.harvesters += 1;
    if (harvester.loading) {
      group.loading += 1;
      if (harvester.effectiveBytes !== null) group.effective ??= 0n; // chia 2.x prints 0 effective for them
    } else {
      group.plots += harvester.plots;
      group.bytes += harvester.bytes;
      if (harvester.effectiveBytes !== null) group.effective = (group.effective ?? 0n) + harvester.effectiveBytes;
    }
    groups.set(host, group);
  }
  const labelNames = ['host', 'location'];
  const gauge = (name: string, help: string) => addGauge(registry, name, help, labelNames);
  const count = gauge('farm_harvesters', 'Harvesters the farmer lists at this address (host="local" for local ones)');
  const loading = gauge('farm_harvesters_loading', 'Of those, harvesters still loading their plots');
  const plots = gauge('farm_harvesters_plots', 'Plots of the harvesters at this address');
  const bytes = gauge(
    'farm_harvesters_plots_size_bytes',
    'Size on disk of the plots of the harvesters at this address, in bytes',
  );
  const effective = harvesters.some((harvester) => harvester.effectiveBytes !== null)
    ? gauge(
        'farm_harvesters_plots_effective_size_bytes',
        'Effective size of the plots of the harvesters at this address, in bytes',
      )
    : null;
  for (const [host, group] of groups) {
    const labels = { host, location: group.location };
    count.set(labels, group.harvesters);
    loading.set(labels, group.loading);
    plots.set(labels, group.plots);
    bytes.set(labels, Number(group.bytes));
    if (effective && group.effective !== null) effective.set(labels, Number(group.effective));
  }
}
