/** Whether one disk can take a plot, from its state file or measured now: chooseDestination's first pass. */
import { evaluateDisk, type PlotOnDisk } from '../farm/evaluate-disk.js';
import { readDiskState, type WritableDiskState } from '../farm/disk-state.js';
import type { SpaceMethod } from '../farm/disk-space.js';
import type { FarmDisk } from '../farm/farm-layout.js';
import type { HomePaths } from '../config/home.js';
import { isMountPoint, type MountPoints } from '../farm/mount-points.js';
import { findRootFilesystemProblem } from '../farm/root-filesystem.js';
import { errorMessage } from '../util/error-message.js';

/** A disk state file the choice would write: the chosen disk's reservation, or what a re-check found. */
export interface DiskStateWrite {
  farm: string;
  disk: string;
  state: WritableDiskState;
}

/** What judging a disk needs (chooseDestination's options carry all of it). */
export interface JudgeDiskOptions {
  paths: HomePaths;
  requireMount: boolean;
  /** readMountPoints' result: its read-only mounts are skipped as well. */
  mounts: MountPoints;
  spaceMethod: SpaceMethod;
  /** Space one plot takes (committedKiB of the configured k and compression). */
  plotKiB: number;
  log?: (message: string) => void;
  /** For a disk with no state file, which is measured now as diskhand would. */
  runningPlots?: PlotOnDisk[];
  /** Per disk read; a hung disk is skipped after it (readDiskSpace's default when absent). */
  timeoutMs?: number;
  /** The write check (access W_OK) on plots/; tests stand in for a read-only disk with it. */
  access?: (dir: string) => Promise<void>;
  /**
   * With replot on: KiB the disk's matching plots can free for one more plot, given the plots
   * running into it. A full disk with such plots is then a candidate (after the disks with room).
   */
  replotCredit?: (disk: FarmDisk, plotsInto: number) => number;
}

/** A disk that can take the plot, with its state number (the lowest number is taken first). */
export interface Candidate {
  disk: FarmDisk;
  kib: number;
}

/** Why a disk cannot take a plot, or null after adding it to the candidates; what it found goes to `writes`. */
export async function judgeDisk(
  disk: FarmDisk,
  options: JudgeDiskOptions,
  writes: DiskStateWrite[],
  candidates: Candidate[],
): Promise<string | null> {
  const state = readDiskState(options.paths, disk.farm, disk.disk);
  if (state.kind === 'off') return 'off';
  if (options.requireMount && !isMountPoint(disk.dir, options.mounts)) {
    writes.push({ farm: disk.farm, disk: disk.disk, state: { kind: 'unmounted' } });
    return 'unmounted';
  }
  if (!disk.complete) return 'missing plots/ or logs/';
  if (options.requireMount) {
    // the plot goes where plots/ really is: a link or a bind mount can lead it onto `/`
    let onRoot: string | null;
    try {
      onRoot = await findRootFilesystemProblem(disk.plotsDir, options.mounts, options.timeoutMs);
    } catch (error) {
      options.log?.(
        `${disk.farm}/${disk.disk}: cannot tell the filesystem of ${disk.plotsDir} (${errorMessage(error)}); skipped`,
      );
      return 'unreadable';
    }
    if (onRoot !== null) {
      options.log?.(`${disk.farm}/${disk.disk}: ${disk.plotsDir} is ${onRoot}; skipped (require_mount=yes)`);
      writes.push({ farm: disk.farm, disk: disk.disk, state: { kind: 'unmounted' } });
      return 'on the root filesystem';
    }
  }
  switch (state.kind) {
    case 'full':
      // measured again only when replot may make room: diskhand keeps `full` right otherwise
      return options.replotCredit ? await measureDisk(disk, options, writes, candidates) : 'full';
    case 'unmounted':
      return state.kind;
    case 'invalid':
      return 'with an invalid state file';
    case 'number':
      candidates.push({ disk, kib: state.kib });
      return null;
    case 'missing':
      return await measureDisk(disk, options, writes, candidates);
  }
}

/** A disk measured now as diskhand would (no state file yet, or full while replot may free room). */
async function measureDisk(
  disk: FarmDisk,
  options: JudgeDiskOptions,
  writes: DiskStateWrite[],
  candidates: Candidate[],
): Promise<string | null> {
  const result = await evaluateDisk(disk, {
    requireMount: options.requireMount,
    mounts: options.mounts,
    spaceMethod: options.spaceMethod,
    runningPlots: options.runningPlots ?? [],
    plotKiB: options.plotKiB,
    timeoutMs: options.timeoutMs,
    access: options.access,
    replotCredit: options.replotCredit,
  });
  if (result.kind === 'unreadable' || result.kind === 'read-only') return result.kind;
  if (result.kind === 'on-root') return 'on the root filesystem';
  const measured = result.kind === 'unmounted' ? result : result.state;
  writes.push({ farm: disk.farm, disk: disk.disk, state: measured });
  if (measured.kind !== 'number') return measured.kind;
  candidates.push({ disk, kib: measured.kib });
  return null;
}
