import os from 'node:os';
import { ConfigReader } from '../config/config-reader.js';
import { readDiskState, type DiskState } from '../farm/disk-state.js';
import { readDiskSpace } from '../farm/disk-space.js';
import { listDisks, listFarms, type FarmDisk } from '../farm/farm-layout.js';
import type { HomePaths } from '../config/home.js';
import { decideWithWorld } from '../plan/decide-with-world.js';
import { createStartWorld, type RunningPlotSummary, type StartWorld } from '../plan/start-world.js';
import { plotterCommandNames, readRunningPlots } from '../farm/process-table.js';
import { readPlotProgress } from '../farm/read-plot-phase.js';
import { readLoopProcess, type LoopProcess } from './read-loop-pid.js';
import { errorMessage } from '../util/run-main.js';

export interface ViewPlot {
  index: number | null;
  pid: number;
  plotter: string;
  k: number;
  startedAtMs: number;
  elapsedSeconds: number;
  /** 0 while the log does not say yet. */
  phase: number;
  /** 0..1 */
  progress: number;
  tempDir: string | null;
  /** `farm/disk` when the destination is under farm_root, else the destination dir. */
  destination: string | null;
  rssBytes: number;
}

export interface ViewDisk {
  farm: string;
  disk: string;
  /** ok, full, off, unmounted, missing (no state file yet), invalid, incomplete (no plots/ or logs/). */
  state: string;
  /** null when not measured: an incomplete disk dir would report the filesystem it sits on. */
  freeBytes: number | null;
  totalBytes: number | null;
}

export interface NextPlot {
  start: boolean;
  reason: string;
  retryAtMs: number | null;
}

export interface ViewModel {
  nowMs: number;
  host: string;
  home: string;
  loop: LoopProcess;
  onToggle: string;
  maxPlots: number;
  loadMax: number;
  /** 1, 5 and 15 minute load averages. */
  load: [number, number, number];
  plots: ViewPlot[];
  disks: ViewDisk[];
  next: NextPlot;
  /** Invalid value files and anything that could not be read, as one line each. */
  problems: string[];
}

export interface ReadViewOptions {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  now: () => number;
  procDir?: string;
  loadavg?: () => number[];
  hostname?: string;
  /** The loop's world for the start decision; default createStartWorld() with this clock and load. */
  world?: StartWorld;
}

function describeState(state: DiskState): string {
  if (state.kind === 'number') return 'ok';
  if (state.kind === 'invalid') return 'invalid';
  return state.kind;
}

async function readViewDisk(paths: HomePaths, disk: FarmDisk): Promise<ViewDisk> {
  const state = disk.complete ? describeState(readDiskState(paths, disk.farm, disk.disk)) : 'incomplete';
  if (!disk.complete) return { farm: disk.farm, disk: disk.disk, state, freeBytes: null, totalBytes: null };
  try {
    // statfs asks the kernel: no process per disk per refresh, whatever disk_space says
    const space = await readDiskSpace(disk.dir, 'statfs');
    return { farm: disk.farm, disk: disk.disk, state, freeBytes: space.freeBytes, totalBytes: space.totalBytes };
  } catch {
    return { farm: disk.farm, disk: disk.disk, state, freeBytes: null, totalBytes: null };
  }
}

/**
 * One frame's facts: the plots from /proc and their logs, the disks, the load, the loop's pid
 * file and the loop's own start decision. Reads only; writes nothing anywhere.
 */
export async function readViewModel(options: ReadViewOptions): Promise<ViewModel> {
  const { paths, env, now } = options;
  const problems: string[] = [];
  const config = new ConfigReader(paths, (level, message) => {
    if (level === 'warn') problems.push(message);
  }, env);
  const nowMs = now();
  const farmRoot = config.get('farm_root');
  const running = readRunningPlots({
    farmRoot,
    tempRoot: config.get('temp_root'),
    commandNames: plotterCommandNames(config),
    procDir: options.procDir,
  });
  const plots = running
    .map((plot): ViewPlot => {
      const progress = plot.logFile ? readPlotProgress(plot.logFile) : { phase: 0, progress: 0 };
      return {
        index: plot.index,
        pid: plot.pid,
        plotter: plot.plotter,
        k: plot.k,
        startedAtMs: plot.startedAt,
        elapsedSeconds: Math.max(0, Math.round((nowMs - plot.startedAt) / 1000)),
        phase: progress.phase,
        progress: progress.progress,
        tempDir: plot.tempDir,
        destination: plot.farm && plot.disk ? `${plot.farm}/${plot.disk}` : plot.destDir,
        rssBytes: plot.rssBytes,
      };
    })
    .sort((a, b) => (a.index ?? Number.MAX_SAFE_INTEGER) - (b.index ?? Number.MAX_SAFE_INTEGER) || a.startedAtMs - b.startedAtMs);

  const farmDisks = listFarms(farmRoot).flatMap((farm) => listDisks(farmRoot, farm));
  const disks = await Promise.all(farmDisks.map((disk) => readViewDisk(paths, disk)));

  const loadavg = options.loadavg ?? os.loadavg;
  const [load1 = 0, load5 = 0, load15 = 0] = loadavg();
  const loop = readLoopProcess(paths, options.procDir);
  // the plots were just read: the decision reuses them instead of walking /proc again
  const phaseByPid = new Map(plots.map((plot) => [plot.pid, plot.phase]));
  const summaries: RunningPlotSummary[] = running.map((plot) => ({ pid: plot.pid, ppid: plot.ppid, tempDir: plot.tempDir, phase: phaseByPid.get(plot.pid) ?? 0 }));
  const world: StartWorld = options.world ?? { ...createStartWorld(paths, env), now: () => nowMs, loadavg: () => [load1, load5, load15], readRunning: () => summaries };
  let next: NextPlot;
  try {
    const decision = await decideWithWorld(config, world, loop.startedAtMs ?? 0);
    next = { start: decision.start, reason: decision.reason, retryAtMs: (!decision.start && decision.retryAtMs) || null };
  } catch (error) {
    next = { start: false, reason: `unknown: ${errorMessage(error)}`, retryAtMs: null };
  }
  return {
    nowMs,
    host: options.hostname ?? os.hostname(),
    home: paths.home,
    loop,
    onToggle: config.get('on_toggle'),
    maxPlots: config.get('max_plots'),
    loadMax: config.get('load_max'),
    load: [load1, load5, load15],
    plots,
    disks,
    next,
    problems: [...new Set(problems)],
  };
}
