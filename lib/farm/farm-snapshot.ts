import type { ConfigReader } from '../config/config-reader.js';
import { DEFAULT_JOB } from '../config/job.js';
import { readDiskSpace, type DiskSpace, type SpaceMethod } from './disk-space.js';
import { readDiskState, type DiskState } from './disk-state.js';
import { listDisks, listFarms, type FarmDisk } from './farm-layout.js';
import { findReadOnlyMount, isMountPoint, readMountPoints, type MountPoints } from './mount-points.js';
import { countPlotFiles, type PlotFiles, type PlotFilesResult } from './plot-files.js';
import { plotCommittedKiB } from './plot-size.js';
import type { PlotterKind } from './proc-plot-args.js';
import type { HomePlot as RunningPlot } from './plot-scope.js';
import { readHomeRunningPlots } from './plot-scope.js';
import type { PlotProgress } from './read-plot-phase.js';
import { mapLimited } from '../util/map-limited.js';
import type { PlotGroupState } from './plot-groups.js';
import { errorMessage } from '../util/error-message.js';

export interface SnapshotPlot {
  /** From the plot log's name, `plot.<index>.log`; null for a plot started outside goplot. */
  index: number | null;
  /** The job the tractor started it for (from the plotter's environment); DEFAULT_JOB otherwise. */
  job: string;
  /** Stopped by `goplot suspend` (process state T): it keeps its reservations, and is not in phase 1 for max_phase1. */
  suspended: boolean;
  pid: number;
  ppid: number;
  plotter: PlotterKind;
  k: number;
  compression: number;
  /** 0 while the log does not say yet (or phases were not asked for). */
  phase: number;
  /** 0..1 */
  progress: number;
  /** Seconds of each finished phase, from the log (null for the phases not done). */
  phaseSeconds: (number | null)[];
  startedAtMs: number;
  elapsedSeconds: number;
  tempDir: string | null;
  destDir: string | null;
  /** Set when the destination is under farm_root. */
  farm: string | null;
  disk: string | null;
  /** `farm/disk` when the destination is under farm_root, else the destination dir. */
  destination: string | null;
  logFile: string | null;
  /** The final size of the plot, which its destination disk must still hold. */
  committedBytes: number;
  /** A plot group's own committed room (its plots still to land); null for a pos1 plot. */
  committedKiB: number | null;
  rssBytes: number;
  /** A pos2 plot group's progress; null for a pos1 plot. */
  group: GroupProgress | null;
}

/** A pos2 plot group as status, the view and the metrics show it. */
export interface GroupProgress {
  size: number;
  done: number;
  strength: number;
  /** null while the plotter chooses it and no plot has landed. */
  metaGroup: number | null;
  plotBytes: number;
  /** null before the first plot lands. */
  plotsPerHour: number | null;
  bytesPerDay: number | null;
  etaSeconds: number | null;
}

/** Rate and time left from the plots landed since the group started. */
export function groupProgress(group: PlotGroupState, nowMs: number): GroupProgress {
  const facts = {
    size: group.groupSize,
    done: group.done,
    strength: group.strength,
    metaGroup: group.metaGroup,
    plotBytes: group.plotBytes,
  };
  const said = group.plotterSaid;
  // a plotter that measures its own pace (xchplot2) is taken at its word: it times its plots, not its start-up
  if (said && said.secondsPerPlot > 0) {
    const perHour = 3600 / said.secondsPerPlot;
    const etaSeconds = Math.max(0, Math.round(said.etaSeconds - Math.max(0, nowMs - said.saidMs) / 1000));
    return { ...facts, plotsPerHour: perHour, bytesPerDay: perHour * 24 * group.plotBytes, etaSeconds };
  }
  const hours = Math.max(1, nowMs - group.startedMs) / 3_600_000;
  const perHour = group.done > 0 ? group.done / hours : null;
  return {
    ...facts,
    plotsPerHour: perHour,
    bytesPerDay: perHour === null ? null : perHour * 24 * group.plotBytes,
    etaSeconds: perHour === null ? null : Math.round(((group.groupSize - group.done) / perHour) * 3600),
  };
}

/** A disk state as every reader shows it: `ok` for a number, else the state's own word. */
export type DiskStateLabel = 'ok' | Exclude<DiskState['kind'], 'number'>;

export interface SnapshotDisk {
  farm: string;
  disk: string;
  dir: string;
  /** The state file as read (its number, or the raw text of an invalid one). */
  state: DiskState;
  stateLabel: DiskStateLabel;
  /** plots/ and logs/ both exist. */
  complete: boolean;
  /** Whether it is a mount point; null while require_mount is no or the mounts cannot be read. */
  mounted: boolean | null;
  /** Its mount is read-only (ext4 remounts so after errors); null when the mount table cannot be read. */
  readOnly: boolean | null;
  /** Null when plots/ cannot be read. */
  plotFiles: PlotFiles | null;
  /** Null when it was not read (see spaceProblem). */
  space: DiskSpace | null;
  spaceProblem: string | null;
  runningPlots: number;
  committedBytes: number;
  /** What is wrong with it, one line each, for a farmer to read. */
  problems: string[];
}

export interface FarmSnapshot {
  nowMs: number;
  farmRoot: string;
  plots: SnapshotPlot[];
  disks: SnapshotDisk[];
  /** Set when require_mount is yes and the mount table cannot be read. */
  mountsProblem: string | null;
}

export interface ReadPlotsOptions {
  config: ConfigReader;
  now: () => number;
  procDir?: string;
  /** false: leave phase and progress 0 and read no plot log (the loop needs them only for phase limits). */
  progress?: boolean;
}

export interface ReadSnapshotOptions extends ReadPlotsOptions {
  mountinfoPath?: string;
  /** A disk's plot files when known without counting them (the inventory's summary of an unchanged folder). */
  plotFiles?: (plotsDir: string) => PlotFiles | undefined;
  /** How disk space is read; default disk_space. */
  spaceMethod?: SpaceMethod;
}

export function describeDiskState(state: DiskState): DiskStateLabel {
  return state.kind === 'number' ? 'ok' : state.kind;
}

/** Index order; plots without an index after those with one, then by start. */
function comparePlots(a: SnapshotPlot, b: SnapshotPlot): number {
  return (a.index ?? Infinity) - (b.index ?? Infinity) || a.startedAtMs - b.startedAtMs || a.pid - b.pid;
}

function describePlot(
  plot: RunningPlot,
  nowMs: number,
  readProgress: ((logFile: string) => PlotProgress) | null,
): SnapshotPlot {
  const fromLog =
    readProgress && plot.logFile && !plot.group
      ? readProgress(plot.logFile)
      : { phase: 0, progress: 0, phaseSeconds: [] };
  const { phase, phaseSeconds } = fromLog;
  const group = plot.group ?? null;
  // a group's progress: plots landed of the group, refined by the plotter's own percentage of the next
  const progress = group
    ? Math.min(1, (group.done + Math.min(group.plotFraction, 0.999)) / group.groupSize)
    : fromLog.progress;
  return {
    index: plot.index,
    job: plot.job ?? DEFAULT_JOB,
    suspended: plot.state === 'T',
    pid: plot.pid,
    ppid: plot.ppid,
    plotter: plot.plotter,
    k: plot.k,
    compression: plot.compression,
    phase,
    progress,
    phaseSeconds,
    startedAtMs: plot.startedAt,
    elapsedSeconds: Math.max(0, Math.round((nowMs - plot.startedAt) / 1000)),
    tempDir: plot.tempDir,
    destDir: plot.destDir,
    farm: plot.farm,
    disk: plot.disk,
    destination: plot.farm && plot.disk ? `${plot.farm}/${plot.disk}` : plot.destDir,
    logFile: plot.logFile,
    committedBytes: plotCommittedKiB(plot) * 1024,
    committedKiB: plot.committedKiB ?? null,
    rssBytes: plot.rssBytes,
    group: group ? groupProgress(group, nowMs) : null,
  };
}

/** The running plots of this home, from the process table and their logs, in index order. */
export async function readSnapshotPlots(options: ReadPlotsOptions): Promise<SnapshotPlot[]> {
  const { config } = options;
  const nowMs = options.now();
  const running = readHomeRunningPlots(config, options.procDir);
  // the plot log parsers load only when a plot has a log to read: a farm that is not plotting never pays for them
  const withLogs = (options.progress ?? true) && running.some((plot) => plot.logFile !== null);
  const readProgress = withLogs ? (await import('./read-plot-phase.js')).readPlotProgress : null;
  return running.map((plot) => describePlot(plot, nowMs, readProgress)).sort(comparePlots);
}

interface DiskContext {
  paths: ConfigReader['paths'];
  plots: SnapshotPlot[];
  method: SpaceMethod;
  timeoutMs: number;
  /** null: require_mount is no, or the mounts could not be read. */
  mounts: Set<string> | null;
  /** The mount table whatever require_mount says (a read-only mount matters either way); null when unreadable. */
  mountTable: MountPoints | null;
  plotFiles: ((plotsDir: string) => PlotFiles | undefined) | undefined;
}

async function describeDisk(disk: FarmDisk, context: DiskContext): Promise<SnapshotDisk> {
  const state = readDiskState(context.paths, disk.farm, disk.disk);
  const problems: string[] = [];
  if (state.kind === 'invalid') problems.push(`invalid state file ${JSON.stringify(state.raw)} (diskhand replaces it)`);
  if (!disk.complete) problems.push(`no plots/ or logs/ in ${disk.dir}`);
  const mounted = context.mounts === null ? null : isMountPoint(disk.dir, context.mounts);
  if (mounted === false) problems.push('not a mount point (require_mount is yes)');
  const readOnlyMount = context.mountTable === null ? null : findReadOnlyMount(disk.dir, context.mountTable);
  if (readOnlyMount !== null) problems.push(`its mount ${readOnlyMount} is read-only (no plot can be written there)`);
  let space: DiskSpace | null = null;
  let spaceProblem: string | null = null;
  // an unmounted or incomplete disk's dir sits on the parent filesystem, usually /: its numbers are not the disk's
  if (mounted === false) spaceProblem = 'not a mount point';
  else if (!disk.complete) spaceProblem = 'no plots/ or logs/';
  else {
    try {
      space = await readDiskSpace(disk.dir, context.method, { timeoutMs: context.timeoutMs });
    } catch (error) {
      spaceProblem = `${context.method}: ${errorMessage(error)}`;
      problems.push(`cannot read its space (${spaceProblem})`);
    }
  }
  const known = context.plotFiles?.(disk.plotsDir);
  const counted: PlotFilesResult = known ? { ok: true, value: known } : countPlotFiles(disk.plotsDir);
  if (!counted.ok && !counted.missing) problems.push(counted.problem);
  const plots = context.plots.filter((plot) => plot.farm === disk.farm && plot.disk === disk.disk);
  return {
    farm: disk.farm,
    disk: disk.disk,
    dir: disk.dir,
    state,
    stateLabel: describeDiskState(state),
    complete: disk.complete,
    mounted,
    readOnly: context.mountTable === null ? null : readOnlyMount !== null,
    plotFiles: counted.ok ? counted.value : null,
    space,
    spaceProblem,
    runningPlots: plots.length,
    committedBytes: plots.reduce((sum, plot) => sum + plot.committedBytes, 0),
    problems,
  };
}

/**
 * The farm as it is now, read once for every reader (`goplot status`, `goplot view`, the goplot
 * collector, the loop): the running plots and every disk under farm_root with its state file,
 * plot files, space and problems. Reads only; nothing here throws for one bad disk or plot.
 */
export async function readFarmSnapshot(options: ReadSnapshotOptions): Promise<FarmSnapshot> {
  const { config } = options;
  const nowMs = options.now();
  const plots = await readSnapshotPlots({ ...options, now: () => nowMs });
  const farmRoot = config.get('farm_root');
  const mountinfo = options.mountinfoPath ?? '/proc/self/mountinfo';
  let mountTable: MountPoints | null = null;
  let readProblem: string | null = null;
  try {
    mountTable = readMountPoints(mountinfo);
  } catch (error) {
    readProblem = `cannot read ${mountinfo}: ${errorMessage(error)}`;
  }
  const requireMount = config.get('require_mount') === 'yes';
  const mounts = requireMount ? mountTable : null;
  const mountsProblem = requireMount ? readProblem : null;
  const method = options.spaceMethod ?? config.get('disk_space');
  const context: DiskContext = {
    paths: config.paths,
    plots,
    method,
    timeoutMs: config.get('disk_timeout') * 1000,
    mounts,
    mountTable,
    plotFiles: options.plotFiles,
  };
  const layout = listFarms(farmRoot).flatMap((farm) => listDisks(farmRoot, farm));
  const disks = await mapLimited(layout, method === 'df' ? 16 : 64, (disk) => describeDisk(disk, context));
  return { nowMs, farmRoot, plots, disks, mountsProblem };
}
