import { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { readFarmSnapshot, type DiskStateLabel, type GroupProgress } from '../farm/farm-snapshot.js';
import { mountinfoPathFrom } from '../farm/mount-points.js';
import { storedPlotFilesLookup } from '../inventory/summary-store.js';
import { listConfig, type ConfigRow } from './list-config.js';
import { archiverStatusLines } from '../archive/archiver-status-lines.js';

export interface PlotRow {
  index: number | null;
  job: string;
  /** Stopped by goplot suspend (process state T). */
  suspended: boolean;
  pid: number;
  plotter: string;
  elapsedSeconds: number;
  phase: number;
  progress: number;
  tempDir: string | null;
  destDir: string | null;
  /** `farm/disk` when the destination is under farm_root. */
  destination: string | null;
  logFile: string | null;
  rssBytes: number;
  /** A pos2 plot group's plots done of its size, rate and ETA; null for a pos1 plot. */
  group: GroupProgress | null;
}

export interface DiskRow {
  farm: string;
  disk: string;
  state: DiskStateLabel;
  /** The state file's number (KiB used + committed) when the state is ok. */
  kib: number | null;
  /** Finished .plot files; null when plots/ cannot be read. */
  plots: number | null;
  plotBytes: number | null;
  freeBytes: number | null;
  totalBytes: number | null;
  problems: string[];
}

export interface Status {
  home: string;
  plots: PlotRow[];
  config: ConfigRow[];
  disks: DiskRow[];
  /** The archiver's lines (lib/archive); none when it never ran here. */
  archive: string[];
}

/** `goplot status`'s selection from the farm snapshot, which `goplot view` and goplot.prom read too. */
export async function readStatus(paths: HomePaths, env: NodeJS.ProcessEnv, now: () => number): Promise<Status> {
  const config = new ConfigReader(paths, () => {}, env);
  const snapshot = await readFarmSnapshot({
    config,
    now,
    mountinfoPath: mountinfoPathFrom(env),
    plotFiles: storedPlotFilesLookup(config.paths, now),
  });
  const plots = snapshot.plots.map((plot): PlotRow => ({
    index: plot.index,
    job: plot.job,
    suspended: plot.suspended,
    pid: plot.pid,
    plotter: plot.plotter,
    elapsedSeconds: plot.elapsedSeconds,
    phase: plot.phase,
    progress: plot.progress,
    tempDir: plot.tempDir,
    destDir: plot.destDir,
    destination: plot.destination,
    logFile: plot.logFile,
    rssBytes: plot.rssBytes,
    group: plot.group,
  }));
  const disks = snapshot.disks.map((disk): DiskRow => ({
    farm: disk.farm,
    disk: disk.disk,
    state: disk.stateLabel,
    kib: disk.state.kind === 'number' ? disk.state.kib : null,
    plots: disk.plotFiles?.count ?? null,
    plotBytes: disk.plotFiles?.bytes ?? null,
    freeBytes: disk.space?.freeBytes ?? null,
    totalBytes: disk.space?.totalBytes ?? null,
    problems: disk.problems,
  }));
  return { home: paths.home, plots, config: listConfig(paths, env), disks, archive: archiverStatusLines(paths) };
}
