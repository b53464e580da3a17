import { LOCKED_READ_MS } from '../farm/state-lock.js';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import { formatDiskState, readDiskState, type DiskState } from '../farm/disk-state.js';
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
import { HeaderCache, headerCacheDir } from '../plot-file/header-cache.js';
import { hasDuties } from '../replot/room-duty.js';
import { bestReplotCreditKiB, describeRules, replotRulesInForce, rulesForFarm } from '../replot/rules-in-force.js';
import { sweepTemp } from './orphaned-temp.js';
import { decideDiskState } from './decide-disk-state.js';
import { describeEvaluation, unreadableReport, type DiskReport, type PendingDisk } from './disk-report.js';
import { summariseDiskhand } from './diskhand-summary.js';
import { errorMessage } from '../util/error-message.js';

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
  /** ms to wait for the state lock before giving up the run (default DISKHAND_LOCK_WAIT_MS). */
  lockWaitMs?: number;
}

const WRITE_BATCH = 50;

/** How long one run waits for the state lock, in all its batches each: under its one-minute period. */
export const DISKHAND_LOCK_WAIT_MS = 50_000;

/**
 * One diskhand pass (goplot's diskhand.sh, run by cron every minute): measures every disk under
 * farm_root and writes its state file. One bad disk never stops the others.
 */
export async function runDiskhand(options: DiskhandOptions): Promise<DiskhandReport> {
  const { paths, config, log } = options;
  const now = options.now ?? Date.now;
  const started = now();
  // a plot whose tractor died has its room made first, so the disks are measured after it; the
  // plot log parsers load only then
  if (hasDuties(paths)) {
    const { takeOverDuties } = await import('../replot/take-over-duties.js');
    await takeOverDuties({
      paths,
      config,
      log,
      who: `diskhand pid ${process.pid}`,
      aheadSeconds: 60,
      procDir: options.procDir,
    }).catch((error: unknown) => log('warn', `replot: could not take over room duties: ${errorMessage(error)}`));
  }
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
  const replotRules = replotRulesInForce(config);
  const headers = replotRules.length > 0 ? HeaderCache.load(headerCacheDir(paths)) : undefined;
  const replotCredit = headers
    ? (disk: FarmDisk, plotsInto: number) => bestReplotCreditKiB(replotRules, disk, plotsInto, headers)
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
  const need = {
    k,
    compression,
    plotKiB,
    replotRules: (farm: string) => describeRules(rulesForFarm(replotRules, farm)),
  };
  const toItem = (disk: FarmDisk, before: DiskState, result: DiskEvaluation) =>
    describeEvaluation(disk, before, result, need);
  // First pass, outside the lock: finds the disks that answer at all, so a hung one never holds it.
  const pending = await mapLimited(
    disks,
    spaceMethod === 'df' ? 16 : 64,
    async (disk): Promise<PendingDisk | DiskReport> => {
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
      if (disk.hung !== null && !unmounted) return unreadableReport(disk, before, disk.hung);
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

  // cron starts the next run in a minute: better to give up and measure then than to queue behind it
  const lock =
    options.lock ??
    (<T>(work: () => Promise<T>) => withStateLock(paths, work, { wait: options.lockWaitMs ?? DISKHAND_LOCK_WAIT_MS }));
  let plotsSeen = runningPlots.length;
  /**
   * Under the lock, a disk's number is measured again after a fresh look at /proc: a tractor
   * reserves a disk and starts its plotter while it holds the lock, so every reservation written
   * before this point has its plotter in the table now, and none can be written until the new
   * number is. Measured before the lock, an older, lower number would replace a tractor's `full`.
   */
  const remeasure = async (batch: (PendingDisk | DiskReport)[]): Promise<(PendingDisk | DiskReport)[]> => {
    if (!batch.some((item) => 'measured' in item)) return batch;
    const fresh = readHomeRunningPlots(config, options.procDir);
    plotsSeen = fresh.length;
    const locked = { ...evaluate, runningPlots: fresh, timeoutMs: Math.min(timeoutMs, LOCKED_READ_MS) };
    return mapLimited(batch, 64, async (item) =>
      'measured' in item ? toItem(item.disk, item.before, await evaluateDisk(item.disk, locked)) : item,
    );
  };
  const decide = (item: PendingDisk | DiskReport, snapshotAt: number) => decideDiskState(paths, item, snapshotAt);
  // Each write fsyncs: a first pass over 1000 disks takes seconds. The lock is held per batch, so
  // tractors wait little and the lock's refresh timer runs between batches (a lock held past its
  // stale time by a blocked event loop could be taken over).
  const reports: DiskReport[] = [];
  const final: (PendingDisk | DiskReport)[] = [];
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
  const { summary, written, errors } = summariseDiskhand(reports, {
    disks: disks.length,
    farmRoot,
    plotsSeen,
    seconds: (now() - started) / 1000,
  });
  log(disks.length === 0 || errors > 0 ? 'warn' : 'info', summary);
  await sweepTemp({ config, log, procDir: options.procDir, now: (options.now ?? Date.now)() });
  headers?.save();
  return { farmRoot, runningPlots: plotsSeen, disks: reports, written, summary };
}
