import fs from 'node:fs';
import path from 'node:path';
import type { DiskSpace } from '../farm/disk-space.js';
import { nextRoundRobin } from '../util/natural-sort.js';
import { errorMessage } from '../util/error-message.js';

export interface TempChoiceOptions {
  tempRoot: string;
  /** Names of the temp dirs under temp_root (the layout's listing). */
  names: string[];
  /** Sentences for dirs refused by name (splitUsableNames), said when no dir is left. */
  refused?: string[];
  /** Why no plot can be written into dir (read-only, no permission), or null; absent: not checked. */
  writeProblem?: (dir: string) => Promise<string | null>;
  /** farm_temp.goplot: the round robin goes on after it. */
  lastTemp: string;
  /** Temp dirs of the plots running now, as the process table gives them. */
  runningTempDirs: (string | null)[];
  /** max_per_temp; 0 for no limit. */
  maxPerTemp: number;
  /** Temp space one plot needs at its peak. */
  neededBytes: number;
  readSpace: (dir: string) => Promise<DiskSpace>;
  /**
   * With require_mount=yes: why a dir is on the root filesystem, which refuses it (its own disk
   * is most likely not mounted, and the plot would fill `/`), or null. Absent: no such check.
   */
  rootFilesystemProblem?: (dir: string) => Promise<string | null>;
  /** st_dev of a dir, to count the plots sharing its filesystem; fs.statSync's by default. */
  deviceOf?: (dir: string) => number;
}

export type TempChoice =
  { ok: true; name: string; dir: string; skipped: string[] } | { ok: false; message: string; skipped: string[] };

const GIB = 1024 ** 3;

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function topName(tempRoot: string, dir: string): string {
  return path.relative(tempRoot, dir).split(path.sep)[0];
}

function countPlotsIn(tempRoot: string, name: string, runningTempDirs: (string | null)[]): number {
  return runningTempDirs.filter((dir) => dir !== null && topName(tempRoot, dir) === name).length;
}

/**
 * Plots whose temp dir shares dir's filesystem: `<temp_root>/1` and `/2` are often one NVMe.
 * A plot whose dir cannot be stat'ed (gone) counts when its name is this one's.
 */
function countPlotsOnFilesystem(options: TempChoiceOptions, name: string, dir: string): number {
  const deviceOf = options.deviceOf ?? ((target: string) => fs.statSync(target).dev);
  let device: number;
  try {
    device = deviceOf(dir);
  } catch {
    return countPlotsIn(options.tempRoot, name, options.runningTempDirs);
  }
  return options.runningTempDirs.filter((running) => {
    if (running === null) return false;
    try {
      return deviceOf(running) === device;
    } catch {
      return topName(options.tempRoot, running) === name;
    }
  }).length;
}

/** Why dir cannot take one more plot now, or null when it can. */
async function judgeTempDir(options: TempChoiceOptions, name: string, dir: string): Promise<string | null> {
  if (options.rootFilesystemProblem) {
    try {
      const problem = await options.rootFilesystemProblem(dir);
      if (problem !== null) return `${problem} (require_mount=yes)`;
    } catch (error) {
      return `cannot tell its filesystem (${errorMessage(error)})`;
    }
  }
  if (options.writeProblem) {
    // the plot would start, fail at its first write, and count toward the back-off
    try {
      const problem = await options.writeProblem(dir);
      if (problem !== null) return problem;
    } catch (error) {
      return `cannot tell whether it is writable (${errorMessage(error)})`;
    }
  }
  const plots = countPlotsIn(options.tempRoot, name, options.runningTempDirs);
  if (options.maxPerTemp > 0 && plots >= options.maxPerTemp)
    return `${plural(plots, 'plot')} (max_per_temp ${options.maxPerTemp})`;
  if (options.neededBytes <= 0) return null;
  let space: DiskSpace;
  try {
    space = await options.readSpace(dir);
  } catch (error) {
    return `cannot read its free space (${errorMessage(error)})`;
  }
  if (space.freeBytes < options.neededBytes)
    return `${gib(space.freeBytes)} free, a plot needs ${gib(options.neededBytes)}`;
  // free space is read while the running plots are small: each grows to its peak later
  const atOnce = countPlotsOnFilesystem(options, name, dir) + 1;
  const peakBytes = options.neededBytes * atOnce;
  if (space.totalBytes < peakBytes)
    return `${gib(space.totalBytes)} in all, too small for ${atOnce} plots at their peak (${gib(peakBytes)})`;
  return null;
}

/**
 * goplot's round robin over `<temp_root>/<n>`, skipping a dir that already has max_per_temp plots,
 * has less free space than one more plot needs, or whose filesystem cannot hold the plots in it
 * and one more at their peak.
 */
export async function chooseTempDir(options: TempChoiceOptions): Promise<TempChoice> {
  const skipped: string[] = [...(options.refused ?? [])];
  if (options.names.length === 0) {
    const message =
      skipped.length > 0
        ? `no temp dir can take a plot: ${skipped.join('; ')}`
        : `no temp dir under ${options.tempRoot} (make ${path.join(options.tempRoot, '1')})`;
    return { ok: false, message, skipped };
  }
  for (const name of nextRoundRobin(options.names, options.lastTemp)) {
    const dir = path.join(options.tempRoot, name);
    const reason = await judgeTempDir(options, name, dir);
    if (reason === null) return { ok: true, name, dir, skipped };
    skipped.push(`${name}: ${reason}`);
  }
  return { ok: false, message: `no temp dir can take a plot: ${skipped.join('; ')}`, skipped };
}
