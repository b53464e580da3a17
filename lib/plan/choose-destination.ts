import fs from 'node:fs';
import path from 'node:path';
import { splitUsableNames } from '../farm/farm-names.js';
import { DISK_TIMEOUT_MS, findWriteProblem, formatBytes, readDiskSpace } from '../farm/disk-space.js';
import { listFarms, type FarmDisk } from '../farm/farm-layout.js';
import { listDisksBounded } from '../farm/list-disks-bounded.js';
import { nextRoundRobin } from '../util/natural-sort.js';
import { errorMessage } from '../util/error-message.js';
import { judgeDisk, type Candidate, type DiskStateWrite, type JudgeDiskOptions } from './judge-disk.js';

// callers import DiskStateWrite from here, with the choice it belongs to
export type { DiskStateWrite } from './judge-disk.js';

export interface DestinationChoice {
  farm: string;
  disk: string;
  diskDir: string;
  plotsDir: string;
  logsDir: string;
  /** The disk's state number before this plot's reservation was added. */
  kibBefore: number;
}

/**
 * The choice and the disk state writes it implies, as data: nothing is written here. The tractor
 * commits `writes` under the state lock (commitDiskWrites); the loop and --dry-run only read them.
 */
export type DestinationResult =
  | { ok: true; choice: DestinationChoice; skipped: string[]; writes: DiskStateWrite[] }
  | { ok: false; message: string; skipped: string[]; writes: DiskStateWrite[] };

export interface ChooseDestinationOptions extends JudgeDiskOptions {
  farmRoot: string;
  /** farm_dest.goplot: the round robin goes on after it. */
  lastFarm: string;
  /** dest_farms: the only farms to fill (a staging farm the archiver empties); empty or absent for all. */
  onlyFarms?: string[];
}

interface Skip {
  disk: string;
  reason: string;
}

/** `3 disks full` when a reason covers a whole farm, else the disks by name: `disk1 unmounted, disk2 off`. */
function describeSkips(skips: Skip[], diskCount: number): string {
  if (diskCount === 0) return 'no disks';
  const byReason = new Map<string, string[]>();
  for (const skip of skips) byReason.set(skip.reason, [...(byReason.get(skip.reason) ?? []), skip.disk]);
  return [...byReason.entries()]
    .map(([reason, disks]) =>
      disks.length > 1 && disks.length === diskCount
        ? `${disks.length} disks ${reason}`
        : `${disks.join(', ')} ${reason}`,
    )
    .join(', ');
}

/**
 * goplot's destination choice: farms round robin in natural order after the last one used; in
 * a farm, the usable disk with the lowest state number, so disks fill evenly. The chosen disk's
 * state grows by one plot (a write in the result), so tractors starting together spread over the
 * disks once each commits its writes under the state lock.
 */
export async function chooseDestination(options: ChooseDestinationOptions): Promise<DestinationResult> {
  const { farmRoot } = options;
  const log = options.log ?? (() => {});
  const skipped: string[] = [];
  const writes: DiskStateWrite[] = [];
  const farms = listUsableFarms(options, log);
  if (typeof farms === 'string') {
    return { ok: false, message: `no usable disk under ${farmRoot}: ${farms}`, skipped, writes };
  }
  for (const farm of nextRoundRobin(farms, options.lastFarm)) {
    const tried = await tryFarm(farm, options, writes, log);
    if (typeof tried !== 'string') return { ok: true, choice: tried, skipped, writes };
    log(`farm ${tried}; skipped`);
    skipped.push(tried);
  }
  return { ok: false, message: `no usable disk under ${farmRoot}: ${skipped.join('; ')}`, skipped, writes };
}

/** The farms to try (usable names, within dest_farms), or why there are none. */
function listUsableFarms(options: ChooseDestinationOptions, log: (message: string) => void): string[] | string {
  const { farmRoot } = options;
  try {
    fs.readdirSync(farmRoot);
  } catch (error) {
    // "no farms" would send the farmer looking for missing folders, not at the permissions
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'it does not exist'
      : `cannot read it (${errorMessage(error)})`;
  }
  const { usable, refused } = splitUsableNames(listFarms(farmRoot), 'farm', farmRoot);
  for (const line of refused) log(line);
  const only = options.onlyFarms ?? [];
  const farms = usable.filter((farm) => only.length === 0 || only.includes(farm));
  if (farms.length > 0) return farms;
  return only.length > 0 && usable.length > 0
    ? `none of dest_farms (${only.join(' ')}) is there`
    : refused.length > 0
      ? refused.join('; ')
      : 'no farms in it';
}

/** One farm's disks, lowest state number first: the first that passes the re-check, or the farm's skip line. */
async function tryFarm(
  farm: string,
  options: ChooseDestinationOptions,
  writes: DiskStateWrite[],
  log: (message: string) => void,
): Promise<DestinationChoice | string> {
  const { farmRoot } = options;
  const listed = await listDisksBounded(farmRoot, farm, options.timeoutMs ?? DISK_TIMEOUT_MS);
  const names = splitUsableNames(
    listed.map((disk) => disk.disk),
    'disk',
    path.join(farmRoot, farm),
  );
  for (const line of names.refused) log(line);
  const disks = listed.filter((disk) => names.usable.includes(disk.disk));
  const skips: Skip[] = [];
  for (const disk of disks.filter((candidate) => candidate.hung !== null)) {
    log(`${farm}/${disk.disk}: ${disk.hung}; trying the next disk`);
    skips.push({ disk: disk.disk, reason: 'unreadable' });
  }
  const candidates: Candidate[] = [];
  for (const disk of disks.filter((candidate) => candidate.hung === null)) {
    const reason = await judgeDisk(disk, options, writes, candidates);
    if (reason !== null) skips.push({ disk: disk.disk, reason });
  }
  candidates.sort((a, b) => a.kib - b.kib);
  for (const { disk, kib } of candidates) {
    const reason = await recheckCandidate(farm, disk, kib, options, writes, log);
    if (reason === null) {
      return {
        farm,
        disk: disk.disk,
        diskDir: disk.dir,
        plotsDir: disk.plotsDir,
        logsDir: disk.logsDir,
        kibBefore: kib,
      };
    }
    skips.push({ disk: disk.disk, reason });
  }
  return `${farm}: ${describeSkips(skips, disks.length)}`;
}

/**
 * The chosen candidate checked live (writable, real space) before it is taken: null and its
 * reservation in `writes` when it can take the plot, else why it is skipped.
 */
async function recheckCandidate(
  farm: string,
  disk: FarmDisk,
  kib: number,
  options: ChooseDestinationOptions,
  writes: DiskStateWrite[],
  log: (message: string) => void,
): Promise<string | null> {
  const { plotKiB } = options;
  const name = `${farm}/${disk.disk}`;
  let space;
  try {
    // a read-only disk's number never grows: it would win every choice and fail every plot at the final copy
    const writeProblem = await findWriteProblem(disk.plotsDir, options.mounts, {
      timeoutMs: options.timeoutMs,
      access: options.access,
    });
    if (writeProblem !== null) {
      log(`${name}: read-only (${writeProblem}); trying the next disk`);
      return 'read-only';
    }
    space = await readDiskSpace(disk.dir, options.spaceMethod, { timeoutMs: options.timeoutMs });
  } catch (error) {
    log(`${name}: cannot read its space with ${options.spaceMethod} (${errorMessage(error)}); trying the next disk`);
    return 'unreadable';
  }
  // the state may be up to a minute old: data copied onto the disk since then counts too
  const usedKiB = Math.ceil((space.totalBytes - space.freeBytes) / 1024);
  const roomKiB = Math.floor(space.totalBytes / 1024) - Math.max(kib, usedKiB);
  const replotKiB =
    roomKiB < plotKiB && options.replotCredit ? options.replotCredit(disk, plotsInto(disk, options)) : 0;
  if (roomKiB + replotKiB < plotKiB) {
    log(
      `${name}: full on the re-check (${formatBytes(Math.max(0, roomKiB) * 1024)} left, a plot needs ${formatBytes(plotKiB * 1024)})`,
    );
    writes.push({ farm, disk: disk.disk, state: { kind: 'full' } });
    return 'full';
  }
  if (replotKiB > 0)
    log(
      `${name}: room by replot (${formatBytes(Math.max(0, roomKiB) * 1024)} free; its plots matching replot_match can free ${formatBytes(replotKiB * 1024)})`,
    );
  writes.push({ farm, disk: disk.disk, state: { kind: 'number', kib: kib + plotKiB } });
  return null;
}

function plotsInto(disk: FarmDisk, options: ChooseDestinationOptions): number {
  return (options.runningPlots ?? []).filter((plot) => plot.farm === disk.farm && plot.disk === disk.disk).length;
}
