import fs from 'node:fs';
import path from 'node:path';
import { formatBytes, withTimeout } from '../farm/disk-space.js';
import type { ConfigReader } from '../config/config-reader.js';
import { listTempDirs } from '../farm/farm-layout.js';
import { findOpenFilesUnder } from '../farm/open-files.js';
import type { RunningPlot } from '../farm/process-table.js';
import { readHomeRunningPlots } from '../farm/plot-scope.js';
import { listJobNames } from '../jobs/home-jobs.js';
import { JobConfigReader } from '../jobs/job-config.js';
import { findPlotId } from '../plot-file/find-plot-id.js';
import { errorMessage } from '../util/error-message.js';

/**
 * A plotter's temporary file: chiapos `plot-k32-…-<id>.plot.table1.tmp`, madMAx
 * `plot-k32-…-<id>.p1.t1.sort_bucket_000.tmp`. The plot id tells whose it is.
 */
const TEMP_FILE = /^plot-k\d+(?:-c\d\d)?-[\d-]+-([0-9a-f]{64})\..*\.tmp$/;
/** The folder a tractor makes for one bladebit diskplot (ownTempDir). */
const OWN_TEMP_DIR = /^goplot-plot-\d+-\d+$/;

/**
 * Files younger than this are never taken for orphans: a plot that has just started may not
 * show in /proc yet, or not have printed its id. A finished table of a running plot can sit
 * unchanged for hours, so age alone proves nothing: the plot id and open files decide.
 */
export const ORPHAN_GRACE_MS = 60 * 60_000;

export interface OrphanSweepOptions {
  /** The temp dirs to look in: every `<temp_root>/<n>` and temp2_dir. */
  dirs: string[];
  /** The plots running now (readRunningPlots); one started later has files younger than the grace. */
  runningPlots: RunningPlot[];
  now: number;
  procDir?: string;
  graceMs?: number;
  timeoutMs: number;
}

export interface Orphan {
  path: string;
  bytes: number;
  why: string;
}

/** The id a running plot printed at its start, from the head of its log; null when not (yet) there. */
function runningPlotId(plot: RunningPlot): string | null {
  if (plot.logFile === null) return null;
  try {
    const fd = fs.openSync(plot.logFile, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const head = Buffer.alloc(64 * 1024);
      return findPlotId(head.subarray(0, fs.readSync(fd, head, 0, head.length, 0)).toString('utf8'));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}

async function sizeAndNewest(target: string, timeoutMs: number): Promise<{ bytes: number; mtimeMs: number }> {
  const stat = await withTimeout(fs.promises.lstat(target), timeoutMs, 'stat');
  if (!stat.isDirectory()) return { bytes: stat.size, mtimeMs: stat.mtimeMs };
  let bytes = 0;
  let mtimeMs = stat.mtimeMs;
  for (const name of await withTimeout(fs.promises.readdir(target), timeoutMs, 'readdir')) {
    const inner = await sizeAndNewest(path.join(target, name), timeoutMs);
    bytes += inner.bytes;
    mtimeMs = Math.max(mtimeMs, inner.mtimeMs);
  }
  return { bytes, mtimeMs };
}

/**
 * Temp files and folders left by plots that no longer run (tractor and plotter killed together:
 * a power cut, the OOM killer). Proven orphaned only when all hold: the name is a plotter's temp
 * name; no process has it (or anything in it) open; no running plot has its plot id, or names it
 * on its command line; no running plot of unknown id uses its dir; and it is older than the grace.
 */
export async function findOrphanedTemp(options: OrphanSweepOptions): Promise<Orphan[]> {
  const grace = options.graceMs ?? ORPHAN_GRACE_MS;
  const procDir = options.procDir ?? '/proc';
  const open = [...findOpenFilesUnder(options.dirs, procDir)];
  const runningIds = new Set<string>();
  const unknownDirs = new Set<string>();
  for (const plot of options.runningPlots) {
    const id = runningPlotId(plot);
    if (id !== null) runningIds.add(id);
    else for (const dir of [plot.tempDir, plot.temp2Dir]) if (dir !== null) unknownDirs.add(path.resolve(dir));
  }
  const commandLines = options.runningPlots.flatMap((plot) => plot.argv.map((arg) => path.resolve(arg)));
  const orphans: Orphan[] = [];
  for (const dir of [...new Set(options.dirs.map((entry) => path.resolve(entry)))]) {
    let names: string[];
    try {
      names = await withTimeout(fs.promises.readdir(dir), options.timeoutMs, 'readdir');
    } catch {
      continue;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      const id = TEMP_FILE.exec(name)?.[1];
      const folder = OWN_TEMP_DIR.test(name);
      if (id === undefined && !folder) continue;
      if (open.some((file) => file === full || file.startsWith(`${full}/`))) continue;
      if (commandLines.some((arg) => arg === full || arg.startsWith(`${full}/`))) continue;
      if (id !== undefined && (runningIds.has(id) || unknownDirs.has(dir))) continue;
      let facts;
      try {
        facts = await sizeAndNewest(full, options.timeoutMs);
      } catch {
        continue;
      }
      if (options.now - facts.mtimeMs < grace) continue;
      const minutes = Math.floor((options.now - facts.mtimeMs) / 60_000);
      const whose = id !== undefined ? `no running plot has plot id ${id.slice(0, 12)}…` : 'no running plot names it';
      orphans.push({
        path: full,
        bytes: facts.bytes,
        why: `${whose}, no process has it open, unchanged for ${minutes} min`,
      });
    }
  }
  return orphans;
}

export type SweepLog = (level: 'info' | 'warn', message: string) => void;

/** Removes what findOrphanedTemp proves orphaned, one line per removal and one for the total. */
export async function sweepOrphanedTemp(
  options: OrphanSweepOptions,
  log: SweepLog,
): Promise<{ removed: Orphan[]; bytes: number }> {
  const removed: Orphan[] = [];
  for (const orphan of await findOrphanedTemp(options)) {
    try {
      fs.rmSync(orphan.path, { recursive: true, force: true });
    } catch (error) {
      log('warn', `could not remove the orphaned temp ${orphan.path} (${errorMessage(error)})`);
      continue;
    }
    removed.push(orphan);
    log('info', `removed orphaned temp ${orphan.path} (${formatBytes(orphan.bytes)}): ${orphan.why}`);
  }
  const bytes = removed.reduce((sum, orphan) => sum + orphan.bytes, 0);
  if (removed.length > 0)
    log(
      'info',
      `freed ${formatBytes(bytes)} of temp space: ${removed.length} orphaned temp ${removed.length === 1 ? 'entry' : 'entries'} of plots that no longer run`,
    );
  return { removed, bytes };
}

/** The global files and every job's: a job with a temp root of its own has its orphans too. */
function sweptReaders(config: ConfigReader): ConfigReader[] {
  return [config, ...listJobNames(config.paths).names.map((name) => new JobConfigReader(config.paths, name))];
}

/** The temp dirs a reader's plots use; none from an invalid value (its fallback would be a guess). */
function tempDirsOf(config: ConfigReader): string[] {
  const root = config.inspect('temp_root');
  const temp2 = config.inspect('temp2_dir');
  return [
    ...(root.error ? [] : listTempDirs(root.value).map((name) => path.join(root.value, name))),
    ...(temp2.error || temp2.value === '' ? [] : [temp2.value]),
  ];
}

/**
 * Temp space of plots whose tractor and plotter died together is freed by diskhand: it runs every
 * minute whether or not plots are being started (the loop idles while on_toggle is off), and it
 * is the one pass that already owns the question "how much room is there".
 */
export async function sweepTemp(o: {
  config: ConfigReader;
  log: SweepLog;
  procDir?: string;
  now: number;
}): Promise<void> {
  const dirs = [...new Set(sweptReaders(o.config).flatMap(tempDirsOf))];
  if (dirs.length === 0) return;
  // every job's plots: a job's plot may write into this temp root too
  const runningPlots = readHomeRunningPlots(o.config, o.procDir);
  await sweepOrphanedTemp(
    { dirs, runningPlots, now: o.now, procDir: o.procDir, timeoutMs: o.config.get('disk_timeout') * 1000 },
    o.log,
  );
}
