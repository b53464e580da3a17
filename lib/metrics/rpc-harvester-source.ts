import path from 'node:path';
import type { Registry } from 'prom-client';
import { type CollectedValue } from './run-collector.js';
import { addGauge } from './registry.js';
import { arrayOf, isObject, numberOf, textOf, type ChiaJson } from '../chia-rpc/chia-json.js';
import { missingTlsFile, type RpcOverrides } from '../chia-rpc/chia-config.js';
import { ChiaRpc } from '../chia-rpc/rpc-client.js';

export interface HarvesterRpcOptions extends RpcOverrides {
  chiaRoot: string;
  mode: 'on' | 'auto';
  timeoutMs?: number;
  /** Where config.yaml's host and ports are kept between runs. */
  endpointsCacheFile?: string;
}

export interface HarvesterRpcRun {
  /** Which source the collector reads and why, said once in the log. */
  line: string;
  /** The `harvester_rpc` value, or null when auto found no certificates (a host without the RPC). */
  value: CollectedValue | null;
}

/**
 * What the harvester itself says through its RPC (get_plots, get_plot_directories): the plots
 * chia has loaded, those it failed to open, those whose keys are not this farm's, duplicates,
 * and its plot directories with the loaded plots in each. The /proc and file-count metrics stay
 * either way: they need no chia, and a plot file chia did not load shows as the difference.
 */
export async function addHarvesterRpcMetrics(
  registry: Registry,
  options: HarvesterRpcOptions,
): Promise<HarvesterRpcRun> {
  const rpc = new ChiaRpc(options);
  const where = rpc.describe('harvester');
  const missing = missingTlsFile(options.chiaRoot, 'harvester');
  if (missing !== null) {
    const why = `no RPC certificates for the harvester: cannot read ${missing}`;
    if (options.mode === 'auto') return { line: `reading no harvester RPC (chia_rpc auto): ${why}`, value: null };
    return {
      line: `reading the harvester's RPC (chia_rpc on): ${where}`,
      value: { name: 'harvester_rpc', present: false, why },
    };
  }
  let plots;
  let directories;
  try {
    [plots, directories] = await Promise.all([
      rpc.call('harvester', 'get_plots'),
      rpc.call('harvester', 'get_plot_directories'),
    ]);
  } finally {
    rpc.close();
  }
  const line = `reading the harvester's RPC (chia_rpc ${options.mode}): ${where}`;
  if (!plots.ok) return { line, value: { name: 'harvester_rpc', present: false, why: plots.problem } };
  const dirs = directories.ok
    ? arrayOf(directories.data.directories).flatMap((dir) => (typeof dir === 'string' ? [dir] : []))
    : null;
  addPlotMetrics(registry, arrayOf(plots.data.plots), plots.data, dirs);
  return { line, value: { name: 'harvester_rpc', present: true } };
}

function addPlotMetrics(
  registry: Registry,
  list: ChiaJson[],
  answer: Record<string, ChiaJson>,
  directories: string[] | null,
): void {
  const gauge = (name: string, help: string, labelNames: string[] = []) => addGauge(registry, name, help, labelNames);
  const plots = list.filter(isObject);
  const ids = new Set<string>();
  let duplicates = 0;
  let bytes = 0;
  for (const plot of plots) {
    const id = textOf(plot.plot_id);
    if (id !== null && ids.has(id)) duplicates += 1;
    if (id !== null) ids.add(id);
    bytes += numberOf(plot.file_size) ?? 0;
  }
  gauge('farm_harvester_loaded_plots', 'Plots the harvester has loaded and farms (its get_plots)').set(plots.length);
  gauge('farm_harvester_loaded_plots_size_bytes', 'Size on disk of the plots the harvester has loaded, in bytes').set(
    bytes,
  );
  gauge('farm_harvester_plots_failed_to_open', 'Plot files the harvester failed to open').set(
    arrayOf(answer.failed_to_open_filenames).length,
  );
  gauge(
    'farm_harvester_plots_no_key',
    "Plot files the harvester found whose farmer or pool key is not this farm's",
  ).set(arrayOf(answer.not_found_filenames).length);
  gauge('farm_harvester_plots_duplicates', 'Loaded plots whose plot id another loaded plot already has (copies)').set(
    duplicates,
  );
  if (directories === null) return;
  gauge('farm_harvester_plot_directories', "Plot directories in the harvester's config").set(directories.length);
  const perDirectory = gauge(
    'farm_harvester_directory_loaded_plots',
    "Loaded plots in each plot directory of the harvester's config (0 for a disk that dropped out)",
    ['directory'],
  );
  for (const directory of directories) {
    const inside = plots.filter((plot) => {
      const file = textOf(plot.filename);
      return (
        file !== null && (path.dirname(file) === directory || file.startsWith(`${directory.replace(/\/+$/, '')}/`))
      );
    });
    perDirectory.set({ directory }, inside.length);
  }
}
