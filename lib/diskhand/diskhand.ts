import { LOCKED_READ_MS } from '../farm/state-lock.js';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import { formatDiskState, readDiskState, type DiskState } from '../farm/disk-state.js';
import { evaluateDisk, type DiskEvaluation, type EvaluateDiskOptions } from '../farm/evaluate-disk.js';
import { listFarms, type FarmDisk } from '../farm/farm-layout.js';
import { listDisksBounded, type ListedDisk } from '../farm/list-disks-bounded.js';
import type { HomePaths } from '../config/home.js';
import { mapLimited } from '../util/map-limited.js';
import { isMountPoint, readMountPoints, type MountPoints } from '../farm/mount-points.js';
import { splitUsableNames } from '../farm/farm-names.js';
import { readHomeRunningPlots } from '../farm/plot-scope.js';
import { withStateLock } from '../farm/state-lock.js';
import { hasGroupFiles } from '../farm/plot-groups.js';
import type { HeaderCache } from '../plot-file/header-cache.js';
import { hasDuties } from '../replot/room-duty.js';
import { describeRules, replotRulesInForce, rulesForFarm, type RuleInForce } from '../replot/rules-in-force.js';
import { sweepTemp } from './orphaned-temp.js';
import { decideDiskState } from './decide-disk-state.js';
import { describeEvaluation, unreadableReport, type DiskReport, type PendingDisk } from './disk-report.js';
import { summariseDiskhand } from './diskhand-summary.js';
import { smallestPlotUnit } from './plot-unit.js';
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

/** A plot whose tractor died has its leftovers removed and its room made first, so the disks are measured after it; the plot log parsers load only then. */
async function takeOverFirst(options: DiskhandOptions): Promise<void> {
  const { paths, config, log } = options;
  // a group whose tractor and plotter both died leaves half-written plots in plots/: they go first
  if (hasGroupFiles(paths)) {
    // what sweeps a dead group (the plot file readers) loads only when a group file is there
    const { sweepDeadGroups } = await import('../farm/group-leftovers.js');
    const who = `diskhand pid ${process.pid}`;
    const lock =
      options.lock ??
      (<T>(work: () => Promise<T>) =>
        withStateLock(paths, work, { wait: options.lockWaitMs ?? DISKHAND_LOCK_WAIT_MS }));
    await lock(async () => sweepDeadGroups({ paths, who, log, procDir: options.procDir })).catch((error: unknown) =>
      log('warn', `could not clean up after dead plot groups: ${errorMessage(error)}`),
    );
  }
  if (!hasDuties(paths)) return;
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

function readMounts(requireMount: boolean, mountinfo: string): MountPoints {
  try {
    return readMountPoints(mountinfo);
  } catch (error) {
    // without require_mount they only tell read-only mounts, which access(W_OK) finds too
    if (requireMount) {
      throw new Error(
        `cannot read mount points from ${mountinfo} (${errorMessage(error)}); require_mount=yes needs them, so no disk state was changed`,
      );
    }
    return new Set<string>();
  }
}

/** Every disk under farm_root whose farm and disk names are usable; the others are named in the log. */
async function listUsableDisks(farmRoot: string, timeoutMs: number, log: DiskhandLog): Promise<ListedDisk[]> {
  const farmNames = splitUsableNames(listFarms(farmRoot), 'farm', farmRoot);
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
  return disks;
}

/** What one pass judges every disk by. */
interface PassWorld {
  paths: HomePaths;
  requireMount: boolean;
  mounts: MountPoints;
  evaluate: EvaluateDiskOptions;
  toItem: (disk: FarmDisk, before: DiskState, result: DiskEvaluation) => PendingDisk | DiskReport;
}

/** The replot rules in force, and with any, the room they can make on a disk through the home's header cache. */
interface ReplotWorld {
  rules: RuleInForce[];
  headers?: HeaderCache;
  credit?: (disk: FarmDisk, plotsInto: number) => number;
}

/** Replot's candidates and the plot file readers load only when some rule is in force. */
async function replotWorld(options: DiskhandOptions): Promise<ReplotWorld> {
  const rules = replotRulesInForce(options.config);
  if (rules.length === 0) return { rules };
  const [{ HeaderCache: Cache, headerCacheDir }, { bestReplotCreditKiB }] = await Promise.all([
    import('../plot-file/header-cache.js'),
    import('../replot/replot-credit.js'),
  ]);
  const headers = Cache.load(headerCacheDir(options.paths));
  return { rules, headers, credit: (disk, plotsInto) => bestReplotCreditKiB(rules, disk, plotsInto, headers) };
}

function passWorld(options: DiskhandOptions, mounts: MountPoints, replot: ReplotWorld): PassWorld {
  const { config } = options;
  const unit = smallestPlotUnit(config);
  const replotRules = replot.rules;
  const replotCredit = replot.credit;
  const evaluate: EvaluateDiskOptions = {
    requireMount: config.get('require_mount') === 'yes',
    mounts,
    spaceMethod: config.get('disk_space'),
    runningPlots: readHomeRunningPlots(config, options.procDir),
    plotKiB: unit.kib,
    timeoutMs: config.get('disk_timeout') * 1000,
    access: options.access,
    replotCredit,
  };
  const need = {
    plotKiB: unit.kib,
    unitWords: unit.words,
    replotRules: (farm: string) => describeRules(rulesForFarm(replotRules, farm)),
  };
  return {
    paths: options.paths,
    requireMount: evaluate.requireMount,
    mounts,
    evaluate,
    toItem: (disk, before, result) => describeEvaluation(disk, before, result, need),
  };
}

/** First look at one disk, outside the lock: a hung one never holds it. */
async function judgeDisk(world: PassWorld, disk: ListedDisk): Promise<PendingDisk | DiskReport> {
  const name = `${disk.farm}/${disk.disk}`;
  const before = readDiskState(world.paths, disk.farm, disk.disk);
  if (before.kind === 'off') {
    const message = `${name}: off (set by hand; kept)`;
    return { farm: disk.farm, disk: disk.disk, outcome: 'off', state: 'off', written: false, message };
  }
  const left = before.kind === 'missing' ? 'no state file written' : `state left at ${formatDiskState(before)}`;
  // an unmounted disk usually shows an empty mount point dir: say unmounted, not incomplete
  const unmounted = world.requireMount && !isMountPoint(disk.dir, world.mounts);
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
  return world.toItem(disk, before, unmounted ? { kind: 'unmounted' } : await evaluateDisk(disk, world.evaluate));
}

/**
 * Writes the states in batches, each under the lock. Under the lock, a disk's number is measured
 * again after a fresh look at /proc: a tractor reserves a disk and starts its plotter while it
 * holds the lock, so every reservation written before this point has its plotter in the table
 * now, and none can be written until the new number is. Measured before the lock, an older, lower
 * number would replace a tractor's `full`. Each write fsyncs: a first pass over 1000 disks takes
 * seconds, so the lock is held per batch and its refresh timer runs between batches (a lock held
 * past its stale time by a blocked event loop could be taken over).
 */
async function writeStates(
  options: DiskhandOptions,
  world: PassWorld,
  pending: (PendingDisk | DiskReport)[],
): Promise<{ reports: DiskReport[]; final: (PendingDisk | DiskReport)[]; plotsSeen: number }> {
  const { paths, config } = options;
  const now = options.now ?? Date.now;
  // cron starts the next run in a minute: better to give up and measure then than to queue behind it
  const lock =
    options.lock ??
    (<T>(work: () => Promise<T>) => withStateLock(paths, work, { wait: options.lockWaitMs ?? DISKHAND_LOCK_WAIT_MS }));
  let plotsSeen = world.evaluate.runningPlots.length;
  const remeasure = async (batch: (PendingDisk | DiskReport)[]): Promise<(PendingDisk | DiskReport)[]> => {
    if (!batch.some((item) => 'measured' in item)) return batch;
    const fresh = readHomeRunningPlots(config, options.procDir);
    plotsSeen = fresh.length;
    const timeoutMs = Math.min(world.evaluate.timeoutMs ?? LOCKED_READ_MS, LOCKED_READ_MS);
    const locked = { ...world.evaluate, runningPlots: fresh, timeoutMs };
    return mapLimited(batch, 64, async (item) =>
      'measured' in item ? world.toItem(item.disk, item.before, await evaluateDisk(item.disk, locked)) : item,
    );
  };
  const decide = (item: PendingDisk | DiskReport, snapshotAt: number) => decideDiskState(paths, item, snapshotAt);
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
  return { reports, final, plotsSeen };
}

/** One line a disk; with diskhand_log=changes only the changes and problems (1000 disks a minute would be 1.4 M lines a day). */
function logReports(
  config: ConfigReader,
  log: DiskhandLog,
  reports: DiskReport[],
  final: (PendingDisk | DiskReport)[],
): void {
  const onlyChanges = config.get('diskhand_log') === 'changes';
  for (const [at, report] of reports.entries()) {
    const item = final[at];
    const level = 'target' in item ? item.level : report.outcome === 'error' ? 'warn' : 'info';
    const problem = level !== 'info' || report.outcome === 'skipped';
    if (!onlyChanges || report.written || problem) log(level, report.message);
  }
}

/**
 * One diskhand pass (goplot's diskhand.sh, run by cron every minute): measures every disk under
 * farm_root and writes its state file. One bad disk never stops the others.
 */
export async function runDiskhand(options: DiskhandOptions): Promise<DiskhandReport> {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  const started = now();
  await takeOverFirst(options);
  const farmRoot = config.get('farm_root');
  const mounts = readMounts(config.get('require_mount') === 'yes', options.mountinfoPath ?? '/proc/self/mountinfo');
  const disks = await listUsableDisks(farmRoot, config.get('disk_timeout') * 1000, log);
  const replot = await replotWorld(options);
  const world = passWorld(options, mounts, replot);
  const pending = await mapLimited(disks, world.evaluate.spaceMethod === 'df' ? 16 : 64, (disk) =>
    judgeDisk(world, disk),
  );
  const { reports, final, plotsSeen } = await writeStates(options, world, pending);
  logReports(config, log, reports, final);
  const { summary, written, errors } = summariseDiskhand(reports, {
    disks: disks.length,
    farmRoot,
    plotsSeen,
    seconds: (now() - started) / 1000,
  });
  log(disks.length === 0 || errors > 0 ? 'warn' : 'info', summary);
  await sweepTemp({ config, log, procDir: options.procDir, now: now() });
  replot.headers?.save();
  return { farmRoot, runningPlots: plotsSeen, disks: reports, written, summary };
}
