import os from 'node:os';
import { ConfigReader } from '../config/config-reader.js';
import { readFarmSnapshot, type FarmSnapshot, type GroupProgress } from '../farm/farm-snapshot.js';
import { mountinfoPathFrom } from '../farm/mount-points.js';
import { storedPlotFilesLookup } from '../inventory/summary-store.js';
import type { HomePaths } from '../config/home.js';
import { decideWithWorld } from '../plan/decide-with-world.js';
import { decideJobs } from '../plan/decide-jobs.js';
import { loadHomeJobs } from '../jobs/home-jobs.js';
import { createStartWorld, type RunningPlotSummary, type StartWorld } from '../plan/start-world.js';
import { readLoopProcess, type LoopProcess } from './read-loop-pid.js';
import { archiverStatusLines } from '../archive/archiver-status-lines.js';
import { errorMessage } from '../util/error-message.js';

/** Disk problems shown in the header at most; the rest are counted. */
const MAX_DISK_PROBLEMS = 3;

export interface ViewPlot {
  index: number | null;
  /** Shown in a job column once any plot belongs to a job other than default. */
  job?: string;
  /** Stopped by goplot suspend: shown in a state column. */
  suspended?: boolean;
  /** Seconds of each finished phase, from its log. */
  phaseSeconds?: (number | null)[];
  /** Seconds left by the mean time of finished plots of its job, plotter and k; null without any. */
  etaSeconds?: number | null;
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
  /** A pos2 plot group's plots done, rate and ETA; absent or null for a pos1 plot. */
  group?: GroupProgress | null;
}

export interface ViewDisk {
  farm: string;
  disk: string;
  /** ok, full, off, unmounted, missing (no state file yet), invalid: the snapshot's one rule. */
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
  /** The archiver's lines (lib/archive); none when it never ran here. */
  archive?: string[];
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
  /**
   * Mean total seconds of finished plots by `<job> <plotter> k<k>` (goplot analyze's byJobPlotter):
   * each plot's ETA. Absent: no ETA.
   */
  meanSeconds?: () => Map<string, number> | Promise<Map<string, number>>;
}

/** The view's plot rows; the time left of a plot outside a parallel group comes from the mean of finished plots like it. */
function viewPlots(snapshot: FarmSnapshot, means: Map<string, number> | null): ViewPlot[] {
  const plots = snapshot.plots.map((plot): ViewPlot => ({
    index: plot.index,
    job: plot.job,
    suspended: plot.suspended,
    phaseSeconds: plot.phaseSeconds,
    etaSeconds: plot.group?.etaSeconds ?? null,
    pid: plot.pid,
    plotter: plot.plotter,
    k: plot.k,
    startedAtMs: plot.startedAtMs,
    elapsedSeconds: plot.elapsedSeconds,
    phase: plot.phase,
    progress: plot.progress,
    tempDir: plot.tempDir,
    destination: plot.destination,
    rssBytes: plot.rssBytes,
    group: plot.group,
  }));
  if (means) {
    for (const plot of plots) {
      if (plot.group) continue;
      const mean = means.get(`${plot.job ?? 'default'} ${plot.plotter} k${plot.k}`);
      // a suspended plot makes no progress: its time left is not counting down, so none is shown
      plot.etaSeconds =
        mean === undefined || plot.suspended ? null : Math.max(0, Math.round(mean - plot.elapsedSeconds));
    }
  }
  return plots;
}

/** The disks' problems, at most MAX_DISK_PROBLEMS of them and a line saying how many more. */
function diskProblemLines(snapshot: FarmSnapshot): string[] {
  const problems: string[] = [];
  // a farm with dozens of unmounted disks must not push the plots off the screen: goplot status lists them all
  const diskProblems = snapshot.disks.flatMap((disk) =>
    disk.problems.map((problem) => `${disk.farm}/${disk.disk}: ${problem}`),
  );
  problems.push(...diskProblems.slice(0, MAX_DISK_PROBLEMS));
  if (diskProblems.length > MAX_DISK_PROBLEMS)
    problems.push(`… ${diskProblems.length - MAX_DISK_PROBLEMS} more disk problems (goplot status lists them)`);
  return problems;
}

/** The loop's next decision from the plots just read; an error becomes an `unknown:` reason. */
async function viewNext(
  options: ReadViewOptions,
  config: ConfigReader,
  nowMs: number,
  load: [number, number, number],
  loop: LoopProcess,
  summaries: RunningPlotSummary[],
): Promise<NextPlot> {
  const { paths, env } = options;
  const world: StartWorld = options.world ?? {
    ...createStartWorld(paths, env),
    now: () => nowMs,
    loadavg: () => load,
    readRunning: () => summaries,
  };
  try {
    return await decideNext(config, world, loop.startedAtMs ?? 0, env);
  } catch (error) {
    return { start: false, reason: `unknown: ${errorMessage(error)}`, retryAtMs: null };
  }
}

/**
 * One frame's facts: the plots from /proc and their logs, the disks, the load, the loop's pid
 * file and the loop's own start decision. Reads only; writes nothing anywhere.
 */
export async function readViewModel(options: ReadViewOptions): Promise<ViewModel> {
  const { paths, env, now } = options;
  const problems: string[] = [];
  const config = new ConfigReader(
    paths,
    (level, message) => {
      if (level === 'warn') problems.push(message);
    },
    env,
  );
  const nowMs = now();
  // statfs asks the kernel: no process per disk per refresh, whatever disk_space says
  const snapshot = await readFarmSnapshot({
    config,
    now: () => nowMs,
    procDir: options.procDir,
    mountinfoPath: mountinfoPathFrom(env),
    spaceMethod: 'statfs',
    plotFiles: storedPlotFilesLookup(config.paths, () => nowMs),
  });
  const means = options.meanSeconds ? await options.meanSeconds() : null;
  const plots = viewPlots(snapshot, means);
  const disks = snapshot.disks.map((disk): ViewDisk => ({
    farm: disk.farm,
    disk: disk.disk,
    state: disk.stateLabel,
    freeBytes: disk.space?.freeBytes ?? null,
    totalBytes: disk.space?.totalBytes ?? null,
  }));
  problems.push(...diskProblemLines(snapshot));
  if (snapshot.mountsProblem !== null) problems.push(snapshot.mountsProblem);

  const loadavg = options.loadavg ?? os.loadavg;
  const [load1 = 0, load5 = 0, load15 = 0] = loadavg();
  const loop = readLoopProcess(paths, options.procDir);
  // the plots were just read: the decision reuses them instead of walking /proc again
  const summaries: RunningPlotSummary[] = snapshot.plots;
  const next = await viewNext(options, config, nowMs, [load1, load5, load15], loop, summaries);
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
    archive: archiverStatusLines(paths, options.procDir),
  };
}

/**
 * The loop's own next decision: with config/jobs/, the global limits and then each job, as the
 * loop decides (the global files alone would say `no temp dir` while the jobs have theirs).
 */
async function decideNext(
  config: ConfigReader,
  world: StartWorld,
  loopStartedMs: number,
  env: NodeJS.ProcessEnv,
): Promise<NextPlot> {
  const homeJobs = loadHomeJobs(config, () => {}, env);
  const only = homeJobs.jobs[0];
  if (homeJobs.jobs.length === 1 && only?.implicit) {
    const decision = await decideWithWorld(config, world, loopStartedMs);
    return {
      start: decision.start,
      reason: decision.reason,
      retryAtMs: (!decision.start && decision.retryAtMs) || null,
    };
  }
  if (homeJobs.jobs.length === 0)
    return {
      start: false,
      reason: 'no job can run: config/jobs/ holds no folder with a valid job name',
      retryAtMs: null,
    };
  const result = await decideJobs(config, homeJobs.jobs, 0, world, loopStartedMs, { count: 0, lastS: 0 });
  if (result.kind === 'global')
    return { start: false, reason: result.decision.reason, retryAtMs: result.decision.retryAtMs ?? null };
  if (result.kind === 'start')
    return { start: true, reason: `job ${result.job.name}: ${result.decision.reason}`, retryAtMs: null };
  const retries = result.waits.map((wait) => wait.decision.retryAtMs).filter((ms): ms is number => ms !== undefined);
  return {
    start: false,
    reason: result.waits.map((wait) => `job ${wait.job}: ${wait.decision.reason}`).join('; '),
    retryAtMs: retries.length > 0 ? Math.min(...retries) : null,
  };
}
