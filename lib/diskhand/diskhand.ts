import { LOCKED_READ_MS } from '../farm/state-lock.js';
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import {
  diskStateFile,
  formatDiskState,
  readDiskState,
  writeDiskState,
  type DiskState,
  type WritableDiskState,
} from '../farm/disk-state.js';
import { formatBytes } from '../farm/disk-space.js';
import { evaluateDisk, type DiskEvaluation } from '../farm/evaluate-disk.js';
import { listFarms, type FarmDisk } from '../farm/farm-layout.js';
import { listDisksBounded, type ListedDisk } from '../farm/list-disks-bounded.js';
import type { HomePaths } from '../config/home.js';
import { mapLimited } from '../util/map-limited.js';
import { isMountPoint, readMountPoints, type MountPoints } from '../farm/mount-points.js';
import { committedKiB } from '../farm/plot-size.js';
import { splitUsableNames } from '../farm/farm-names.js';
import { readHomeRunningPlots } from '../farm/plot-scope.js';
import { withStateLock } from '../farm/state-lock.js';
import { HeaderCache, headerCacheFile } from '../plot-file/header-cache.js';
import { listReplotCandidates, readReplotSettings, replotCreditKiB } from '../replot/replot-candidates.js';
import { errorMessage } from '../util/run-main.js';
import { sweepTemp } from './orphaned-temp.js';

/** 'read-only' writes `full` (DESIGN's states: no room for one more plot), and is logged as a problem. */
export type DiskOutcome = 'room' | 'full' | 'read-only' | 'off' | 'unmounted' | 'skipped' | 'error';

export interface DiskReport {
  farm: string;
  disk: string;
  outcome: DiskOutcome;
  /** The state file's value after this run. */
  state: string;
  written: boolean;
  message: string;
}

export interface DiskhandReport {
  farmRoot: string;
  runningPlots: number;
  disks: DiskReport[];
  written: number;
  summary: string;
}

export type DiskhandLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface DiskhandOptions {
  paths: HomePaths;
  config: ConfigReader;
  log: DiskhandLog;
  procDir?: string;
  mountinfoPath?: string;
  now?: () => number;
  /** Serialises the writes with the tractors' reservations; defaults to the home's state lock. */
  lock?: <T>(work: () => Promise<T>) => Promise<T>;
  /** The write check (access W_OK) on plots/; tests stand in for a read-only disk with it. */
  access?: (dir: string) => Promise<void>;
}

/**
 * A tractor reserves a disk (state + one plot) a moment before its plotter shows up in /proc.
 * A lower measurement over a number written this recently is taken for such a reservation and
 * kept until the next run, so two tractors do not pile onto one disk.
 */
export const RESERVATION_GRACE_MS = 60_000;

const WRITE_BATCH = 50;

interface Pending {
  disk: FarmDisk;
  /** The state file as this run first read it. */
  before: DiskState;
  /** Its number or `full` came from a space reading, which is taken again under the lock. */
  measured?: true;
  target: WritableDiskState;
  /** What was measured, for the log line's parentheses. */
  facts: string;
  level: 'info' | 'warn';
  outcome?: DiskOutcome;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** ` (it does not exist)`, ` (cannot read it: …)` or nothing, for the summary of a run that found no disk. */
function whyNoDisks(farmRoot: string): string {
  try {
    fs.readdirSync(farmRoot);
    return '';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? ' (it does not exist)'
      : ` (cannot read it: ${(error as Error).message})`;
  }
}

function mtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * One diskhand pass (goplot's diskhand.sh, run by cron every minute): measures every disk under
 * farm_root and writes its state file. One bad disk never stops the others.
 */
export async function runDiskhand(options: DiskhandOptions): Promise<DiskhandReport> {
  const { paths, config, log } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const farmRoot = config.get('farm_root');
  const requireMount = config.get('require_mount') === 'yes';
  const spaceMethod = config.get('disk_space');
  const k = config.get('k');
  const compression = config.get('compression');
  const plotKiB = committedKiB(k, compression);

  const runningPlots = readHomeRunningPlots(config, options.procDir);
  let mounts: MountPoints = new Set<string>();
  const mountinfo = options.mountinfoPath ?? '/proc/self/mountinfo';
  try {
    mounts = readMountPoints(mountinfo);
  } catch (error) {
    // without require_mount they only tell read-only mounts, which access(W_OK) finds too
    if (requireMount) {
      throw new Error(
        `cannot read mount points from ${mountinfo} (${errorMessage(error)}); require_mount=yes needs them, so no disk state was changed`,
      );
    }
  }

  const farmNames = splitUsableNames(listFarms(farmRoot), 'farm', farmRoot);
  const timeoutMs = config.get('disk_timeout') * 1000;
  const disks: ListedDisk[] = [];
  for (const line of farmNames.refused) log('warn', line);
  for (const farm of farmNames.usable) {
    const listed = await listDisksBounded(farmRoot, farm, timeoutMs);
    const diskNames = splitUsableNames(
      listed.map((disk) => disk.disk),
      'disk',
      path.join(farmRoot, farm),
    );
    for (const line of diskNames.refused) log('warn', line);
    disks.push(...listed.filter((disk) => diskNames.usable.includes(disk.disk)));
  }
  const replot = readReplotSettings(config);
  const headers = replot.on ? HeaderCache.load(headerCacheFile(paths)) : undefined;
  const replotCredit = headers
    ? (disk: FarmDisk, plotsInto: number) =>
        replotCreditKiB(listReplotCandidates(disk.plotsDir, replot.rule, headers), plotsInto)
    : undefined;
  const evaluate = {
    requireMount,
    mounts,
    spaceMethod,
    runningPlots,
    plotKiB,
    timeoutMs,
    access: options.access,
    replotCredit,
  };
  const toItem = (disk: FarmDisk, before: DiskState, result: DiskEvaluation): Pending | DiskReport => {
    const name = `${disk.farm}/${disk.disk}`;
    const left = before.kind === 'missing' ? 'no state file written' : `state left at ${formatDiskState(before)}`;
    if (result.kind === 'unreadable') {
      return {
        farm: disk.farm,
        disk: disk.disk,
        outcome: 'error',
        state: formatDiskState(before),
        written: false,
        message: `${name}: ${result.problem}; ${left}`,
      };
    }
    const replaced =
      before.kind === 'invalid'
        ? `; replaced the invalid state ${formatDiskState(before).slice('invalid '.length)}`
        : '';
    const level = before.kind === 'invalid' ? 'warn' : 'info';
    if (result.kind === 'unmounted') {
      return {
        disk,
        before,
        target: { kind: 'unmounted' },
        level,
        facts: `not a mount point and require_mount=yes${replaced}`,
      };
    }
    if (result.kind === 'on-root') {
      return {
        disk,
        before,
        target: { kind: 'unmounted' },
        level: 'warn',
        outcome: 'unmounted',
        facts: `${result.problem}; require_mount=yes${replaced}`,
      };
    }
    if (result.kind === 'read-only') {
      return {
        disk,
        before,
        target: { kind: 'full' },
        level: 'warn',
        outcome: 'read-only',
        facts: `read-only: ${result.problem}; no plot can be written there${replaced}`,
      };
    }
    const committed = `committed ${formatBytes(result.committedKiB * 1024)} to ${plural(result.plots, 'plot')}`;
    const needs =
      result.state.kind === 'full' ? `; one more k${k} C${compression} plot needs ${formatBytes(plotKiB * 1024)}` : '';
    const byReplot =
      result.replotKiB > 0
        ? `; replot can free ${formatBytes(result.replotKiB * 1024)} (replot_match: ${replot.rule.text})`
        : '';
    return {
      disk,
      before,
      measured: true,
      target: result.state,
      level,
      facts: `free ${formatBytes(result.freeKiB * 1024)}, ${committed}${needs}${byReplot}${replaced}`,
    };
  };
  // First pass, outside the lock: finds the disks that answer at all, so a hung one never holds it.
  const pending = await mapLimited(
    disks,
    spaceMethod === 'df' ? 16 : 64,
    async (disk): Promise<Pending | DiskReport> => {
      const name = `${disk.farm}/${disk.disk}`;
      const before = readDiskState(paths, disk.farm, disk.disk);
      if (before.kind === 'off') {
        return {
          farm: disk.farm,
          disk: disk.disk,
          outcome: 'off',
          state: 'off',
          written: false,
          message: `${name}: off (set by hand; kept)`,
        };
      }
      const left = before.kind === 'missing' ? 'no state file written' : `state left at ${formatDiskState(before)}`;
      // an unmounted disk usually shows an empty mount point dir: say unmounted, not incomplete
      const unmounted = requireMount && !isMountPoint(disk.dir, mounts);
      if (disk.hung !== null && !unmounted) {
        return {
          farm: disk.farm,
          disk: disk.disk,
          outcome: 'error',
          state: formatDiskState(before),
          written: false,
          message: `${name}: ${disk.hung}; ${left}`,
        };
      }
      if (!disk.complete && !unmounted) {
        return {
          farm: disk.farm,
          disk: disk.disk,
          outcome: 'skipped',
          state: formatDiskState(before),
          written: false,
          message: `${name}: skipped, no ${disk.missing.join(' and ')} in ${disk.dir}; ${left}`,
        };
      }
      return toItem(disk, before, unmounted ? { kind: 'unmounted' } : await evaluateDisk(disk, evaluate));
    },
  );

  const lock = options.lock ?? (<T>(work: () => Promise<T>) => withStateLock(paths, work));
  let plotsSeen = runningPlots.length;
  /**
   * Under the lock, a disk's number is measured again after a fresh look at /proc: a tractor
   * reserves a disk and starts its plotter while it holds the lock, so every reservation written
   * before this point has its plotter in the table now, and none can be written until the new
   * number is. Measured before the lock, an older, lower number would replace a tractor's `full`.
   */
  const remeasure = async (batch: (Pending | DiskReport)[]): Promise<(Pending | DiskReport)[]> => {
    if (!batch.some((item) => 'measured' in item)) return batch;
    const fresh = readHomeRunningPlots(config, options.procDir);
    plotsSeen = fresh.length;
    const locked = { ...evaluate, runningPlots: fresh, timeoutMs: Math.min(timeoutMs, LOCKED_READ_MS) };
    return mapLimited(batch, 64, async (item) =>
      'measured' in item ? toItem(item.disk, item.before, await evaluateDisk(item.disk, locked)) : item,
    );
  };
  const decide = (item: Pending | DiskReport, snapshotAt: number): DiskReport => {
    if (!('target' in item)) return item;
    const { disk, target } = item;
    const current = readDiskState(paths, disk.farm, disk.disk);
    const base = { farm: disk.farm, disk: disk.disk };
    if (current.kind === 'off')
      return {
        ...base,
        outcome: 'off',
        state: 'off',
        written: false,
        message: `${disk.farm}/${disk.disk}: off (set by hand; kept)`,
      };
    const name = `${disk.farm}/${disk.disk}`;
    const age = snapshotAt - mtimeMs(diskStateFile(paths, disk.farm, disk.disk));
    if (
      current.kind === 'number' &&
      target.kind === 'number' &&
      target.kib < current.kib &&
      age < RESERVATION_GRACE_MS
    ) {
      const seconds = Math.max(0, Math.round(age / 1000));
      const message = `${name}: ${current.kib} KiB kept, written ${seconds} s ago (a tractor's reservation?); measured ${target.kib} KiB (${item.facts})`;
      return { ...base, outcome: 'room', state: String(current.kib), written: false, message };
    }
    const written = writeDiskState(paths, disk.farm, disk.disk, target);
    const outcome: DiskOutcome = item.outcome ?? (target.kind === 'number' ? 'room' : target.kind);
    const state = formatDiskState(target);
    const shown = target.kind === 'number' ? `${state} KiB` : state;
    return { ...base, outcome, state, written, message: `${name}: ${shown} (${item.facts})` };
  };
  // Each write fsyncs: a first pass over 1000 disks takes seconds. The lock is held per batch, so
  // tractors wait little and the lock's refresh timer runs between batches (a lock held past its
  // stale time by a blocked event loop could be taken over).
  const reports: DiskReport[] = [];
  const final: (Pending | DiskReport)[] = [];
  for (let at = 0; at < pending.length; at += WRITE_BATCH) {
    const batch = pending.slice(at, at + WRITE_BATCH);
    if (!batch.some((item) => 'target' in item)) {
      reports.push(...batch.map((item) => decide(item, now())));
      final.push(...batch);
      continue;
    }
    const decided = await lock(async () => {
      const items = await remeasure(batch);
      const snapshotAt = now();
      return { items, reports: items.map((item) => decide(item, snapshotAt)) };
    });
    reports.push(...decided.reports);
    final.push(...decided.items);
  }

  // diskhand_log=changes: 1000 disks a minute would be 1.4 M lines a day of unchanged states
  const onlyChanges = config.get('diskhand_log') === 'changes';
  for (const [at, report] of reports.entries()) {
    const item = final[at];
    const level = 'target' in item ? item.level : report.outcome === 'error' ? 'warn' : 'info';
    const problem = level !== 'info' || report.outcome === 'skipped';
    if (!onlyChanges || report.written || problem) log(level, report.message);
  }
  const count = (outcome: DiskOutcome) => reports.filter((report) => report.outcome === outcome).length;
  const farms = new Set(reports.map((report) => report.farm)).size;
  const written = reports.filter((report) => report.written).length;
  const seconds = ((now() - started) / 1000).toFixed(2);
  const summary =
    disks.length === 0
      ? `no disks under ${farmRoot}${whyNoDisks(farmRoot)}; ${plural(plotsSeen, 'plot')} running (${seconds} s)`
      : `${plural(disks.length, 'disk')} in ${plural(farms, 'farm')}: ${count('room')} with room, ${count('full')} full, ${count('read-only')} read-only, ${count('off')} off, ` +
        `${count('unmounted')} unmounted, ${count('skipped')} skipped, ${plural(count('error'), 'error')}; ` +
        `${plural(plotsSeen, 'plot')} running; ${plural(written, 'state file')} written (${seconds} s)`;
  log(disks.length === 0 || count('error') > 0 ? 'warn' : 'info', summary);
  await sweepTemp({ config, log, procDir: options.procDir, now: (options.now ?? Date.now)() });
  headers?.save();
  return { farmRoot, runningPlots: plotsSeen, disks: reports, written, summary };
}
