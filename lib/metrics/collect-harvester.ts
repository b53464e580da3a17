import fs from 'node:fs';
import path from 'node:path';
import type { RpcOverrides } from '../chia-rpc/chia-config.js';
import { CHIA_ENDPOINTS_CACHE } from '../chia-rpc/services.js';
import { ConfigReader } from '../config/config-reader.js';
import { listPids, readCmdline, readComm, readProcState } from '../farm/proc-read.js';
import { listDisks, listFarms } from '../farm/farm-layout.js';
import { countPlotFiles, type PlotFiles, type PlotFilesResult } from '../farm/plot-files.js';
import { storedPlotFilesLookup } from '../inventory/summary-store.js';
import type { HomePaths } from '../config/home.js';
import { runCollector, type CollectedValue, type CollectorOutcome, type CollectResult } from './run-collector.js';
import { addGauge, createRegistry } from './registry.js';
import { DeferredLog } from './deferred-log.js';
import { errorMessage } from '../util/error-message.js';

export interface HarvesterProcesses {
  running: number;
  /** Zombies: goplot's misc/harvester_ps.sh restarted the harvester when it saw one. */
  defunct: number;
}

export type LocalPlots = PlotFiles;

export interface CollectHarvesterOptions {
  paths: HomePaths;
  env?: NodeJS.ProcessEnv;
  /** Where /proc is (a container may mount the host's elsewhere, as node_exporter's --path.procfs). */
  procDir?: string;
  now?: () => number;
  /** Each harvester RPC call gives up after this long (default 10 s). */
  rpcTimeoutMs?: number;
  /** Host and ports instead of <chia_root>/config/config.yaml's. */
  rpc?: RpcOverrides;
}

/**
 * The harvester collector (goplot's getharvester_collector.sh): whether a chia_harvester process
 * runs, read from /proc, and the plot files in this host's farm layout
 * (`<farm_root>/*\/*\/plots/*.plot`, `.plot2`, `.gplot`), counted and summed (an unchanged folder from the
 * inventory's summary), which need no chia and work while it
 * is down; and where the harvester's RPC answers (chia_rpc on, or auto with its certificates),
 * what chia itself has loaded and could not. Written to `<prom_dir>/getharvester.prom`.
 */
export async function collectHarvester(options: CollectHarvesterOptions): Promise<CollectorOutcome> {
  const log = new DeferredLog(options.paths, 'getharvester');
  const config = new ConfigReader(
    options.paths,
    (level, message) => log.addOnce(level, message),
    options.env ?? process.env,
  );
  const procDir = options.procDir ?? '/proc';
  return runCollector({
    name: 'getharvester',
    promDir: config.get('prom_dir'),
    log,
    // a harvester seen running in the last good run says nothing about now
    statusMetrics: ['farm_harvester_process_running', 'farm_harvester_processes_defunct'],
    now: options.now,
    collect: async (): Promise<CollectResult> => {
      const processes = readHarvesterProcesses(procDir);
      if (!processes.ok) return processes;
      const plots = countLocalPlots(
        config.get('farm_root'),
        storedPlotFilesLookup(options.paths, options.now ?? Date.now),
      );
      const built = buildHarvesterRegistry(processes.value, plots);
      const mode = config.get('chia_rpc');
      if (mode !== 'off') {
        const { addHarvesterRpcMetrics } = await import('./rpc-harvester-source.js');
        const rpc = await addHarvesterRpcMetrics(built.registry, {
          chiaRoot: config.get('chia_root'),
          mode,
          timeoutMs: options.rpcTimeoutMs,
          endpointsCacheFile: path.join(options.paths.logsDir, CHIA_ENDPOINTS_CACHE),
          ...options.rpc,
        });
        log.addOnce('info', rpc.line);
        if (rpc.value !== null) built.values.push(rpc.value);
      }
      return { ok: true, ...built };
    },
  });
}

function buildHarvesterRegistry(
  processes: HarvesterProcesses,
  plots: { ok: true; value: LocalPlots } | { ok: false; problem: string },
) {
  const registry = createRegistry();
  const gauge = (name: string, help: string) => addGauge(registry, name, help);
  gauge('farm_harvester_process_running', '1 when a chia_harvester process runs on this host (not defunct)').set(
    processes.running > 0 ? 1 : 0,
  );
  gauge('farm_harvester_processes_defunct', 'chia_harvester processes on this host that are defunct (zombies)').set(
    processes.defunct,
  );
  const values: CollectedValue[] = [];
  if (plots.ok) {
    gauge('farm_local_plots', "Plot files in this host's farm layout (<farm_root>/<farm>/<disk>/plots)").set(
      plots.value.count,
    );
    gauge('farm_local_plots_size_bytes', 'Total size of those plot files, in bytes').set(plots.value.bytes);
    values.push({ name: 'local_plots', present: true });
  } else {
    values.push({ name: 'local_plots', present: false, why: plots.problem });
  }
  return { registry, values };
}

const HARVESTER_MODULES = new Set([
  'chia_harvester',
  'start_harvester',
  'start_harvester.py',
  'chia.server.start_harvester',
]);

/**
 * Harvester processes from /proc without spawning ps. A harvester is `chia_harvester` by its
 * process name (packaged installs, and setproctitle in source installs) or by its command line
 * (`python …/chia_harvester`, `python -m chia.server.start_harvester`). A zombie has no command
 * line left, so its name decides.
 */
export function readHarvesterProcesses(
  procDir = '/proc',
): { ok: true; value: HarvesterProcesses } | { ok: false; problem: string } {
  let pids: number[];
  try {
    pids = listPids(procDir);
  } catch (error) {
    return { ok: false, problem: `cannot read the process table ${procDir}: ${errorMessage(error)}` };
  }
  const found: HarvesterProcesses = { running: 0, defunct: 0 };
  for (const pid of pids) {
    const byName = readComm(procDir, pid) === 'chia_harvester';
    if (!byName && !isHarvesterCommandLine(readCmdline(procDir, pid) ?? [])) continue;
    const state = readProcState(procDir, pid);
    if (state === null) continue; // gone while we looked
    if (state === 'Z' || state === 'X') found.defunct += 1;
    else found.running += 1;
  }
  return { ok: true, value: found };
}

/** `chia_harvester …`, or an interpreter running it: `python3 …/chia_harvester`, `python -m chia.server.start_harvester`. */
function isHarvesterCommandLine(argv: string[]): boolean {
  const [program, first, second] = argv.map((arg) => path.basename(arg));
  if (program === undefined) return false;
  if (HARVESTER_MODULES.has(program)) return true;
  if (!/^python[\d.]*$/.test(program)) return false;
  return (
    (first !== undefined && HARVESTER_MODULES.has(first)) ||
    (first === '-m' && second !== undefined && HARVESTER_MODULES.has(second))
  );
}

/**
 * `*.plot` files (finished plots; `.plot.tmp` files being copied are not) in
 * `<farm_root>/<farm>/<disk>/plots`, for the farms and disks lib/farm-layout.ts lists (no hidden
 * dirs, no lost+found), as diskhand and the goplot collector see them. An unreadable farm_root,
 * farm or plots dir makes the count missing, not smaller: a disk that drops out must not look
 * like plots that were deleted.
 */
export function countLocalPlots(
  farmRoot: string,
  known?: (plotsDir: string) => PlotFiles | undefined,
): { ok: true; value: LocalPlots } | { ok: false; problem: string } {
  const total: LocalPlots = { count: 0, bytes: 0 };
  const unreadable = readProblem(farmRoot);
  if (unreadable !== null) return { ok: false, problem: `cannot read farm_root ${farmRoot}: ${unreadable}` };
  for (const farm of listFarms(farmRoot)) {
    // listDisks says nothing of a farm it cannot read; that is a missing count, not an empty farm
    const farmProblem = readProblem(path.join(farmRoot, farm));
    if (farmProblem !== null) return { ok: false, problem: `cannot read ${path.join(farmRoot, farm)}: ${farmProblem}` };
    for (const disk of listDisks(farmRoot, farm)) {
      const stored = known?.(disk.plotsDir);
      const plots: PlotFilesResult = stored ? { ok: true, value: stored } : countPlotFiles(disk.plotsDir);
      if (!plots.ok && plots.missing) continue; // not a disk of the layout
      if (!plots.ok) return { ok: false, problem: plots.problem };
      total.count += plots.value.count;
      total.bytes += plots.value.bytes;
    }
  }
  return { ok: true, value: total };
}

/** Why a dir cannot be listed (its error code), or null when it can. */
function readProblem(dir: string): string | null {
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK);
    return fs.statSync(dir).isDirectory() ? null : 'ENOTDIR';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? errorMessage(error);
  }
}
