import { findWriteProblem, readDiskSpace, type SpaceMethod } from './disk-space.js';
import type { FarmDisk } from './farm-layout.js';
import { isMountPoint, type MountPoints } from './mount-points.js';
import { plotCommittedKiB } from './plot-size.js';
import type { RunningPlot } from './process-table.js';
import { findRootFilesystemProblem } from './root-filesystem.js';
import { errorMessage } from '../util/error-message.js';

/** A running plot as a disk's judgement needs it: which disk it writes to and how big it gets. */
export type PlotOnDisk = Pick<RunningPlot, 'farm' | 'disk' | 'k' | 'compression' | 'committedKiB'>;

export type DiskEvaluation =
  | { kind: 'unmounted' }
  /** A mount point, but plots/ really is on the root filesystem (a link into `/`, a bind mount). */
  | { kind: 'on-root'; problem: string }
  | { kind: 'unreadable'; problem: string }
  /** Its plots/ cannot be written: it has no room for a plot, whatever statfs says. */
  | { kind: 'read-only'; problem: string }
  | {
      kind: 'measured';
      state: { kind: 'number'; kib: number } | { kind: 'full' };
      freeKiB: number;
      committedKiB: number;
      plots: number;
      /** KiB replot can free for one more plot (0 unless replot is on and the disk is otherwise full). */
      replotKiB: number;
    };

export interface EvaluateDiskOptions {
  requireMount: boolean;
  mounts: MountPoints;
  spaceMethod: SpaceMethod;
  runningPlots: PlotOnDisk[];
  /** Room one more plot needs: below it the disk is full. */
  plotKiB: number;
  /** Per disk read (disk_timeout); readDiskSpace's default when absent. */
  timeoutMs?: number;
  access?: (dir: string) => Promise<void>;
  /** With replot on: KiB its matching plots can free for one more plot, given the plots running into it. */
  replotCredit?: (disk: FarmDisk, plotsInto: number) => number;
}

/**
 * The verdict on a disk with plots/ and logs/: used + committed KiB, `full`, `unmounted` or
 * read-only. diskhand writes it to the state file; the destination choice measures a disk that
 * has no state file yet the same way.
 */
export async function evaluateDisk(disk: FarmDisk, options: EvaluateDiskOptions): Promise<DiskEvaluation> {
  if (options.requireMount && !isMountPoint(disk.dir, options.mounts)) return { kind: 'unmounted' };
  let space;
  try {
    if (options.requireMount) {
      const onRoot = await findRootFilesystemProblem(disk.plotsDir, options.mounts, options.timeoutMs);
      if (onRoot !== null) return { kind: 'on-root', problem: `${disk.plotsDir} is ${onRoot}` };
    }
    // a read-only disk's number never grows, so it would be chosen for every plot, each dying at its final copy
    const writeProblem = await findWriteProblem(disk.plotsDir, options.mounts, {
      timeoutMs: options.timeoutMs,
      access: options.access,
    });
    if (writeProblem !== null) return { kind: 'read-only', problem: writeProblem };
    space = await readDiskSpace(disk.dir, options.spaceMethod, { timeoutMs: options.timeoutMs });
  } catch (error) {
    return {
      kind: 'unreadable',
      problem: `cannot read its space with ${options.spaceMethod} (${errorMessage(error)})`,
    };
  }
  const plots = options.runningPlots.filter((plot) => plot.farm === disk.farm && plot.disk === disk.disk);
  const committed = plots.reduce((sum, plot) => sum + plotCommittedKiB(plot), 0);
  const freeKiB = Math.floor(space.freeBytes / 1024);
  const usedKiB = Math.ceil((space.totalBytes - space.freeBytes) / 1024);
  // a full disk holding plots that replot may remove has room for one more plot per such plot
  const replotKiB =
    freeKiB - committed < options.plotKiB && options.replotCredit ? options.replotCredit(disk, plots.length) : 0;
  const state =
    freeKiB - committed + replotKiB < options.plotKiB
      ? { kind: 'full' as const }
      : { kind: 'number' as const, kib: usedKiB + committed };
  return { kind: 'measured', state, freeKiB, committedKiB: committed, plots: plots.length, replotKiB };
}
