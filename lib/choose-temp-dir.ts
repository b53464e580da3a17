import path from 'node:path';
import { nextRoundRobin } from './natural-sort.js';

export interface TempChoiceOptions {
  tempRoot: string;
  /** Names of the temp dirs under temp_root (the layout's listing). */
  names: string[];
  /** farm_temp.goplot: the round robin goes on after it. */
  lastTemp: string;
  /** Temp dirs of the plots running now, as the process table gives them. */
  runningTempDirs: (string | null)[];
  /** max_per_temp; 0 for no limit. */
  maxPerTemp: number;
  neededBytes: number;
  readFreeBytes: (dir: string) => Promise<number>;
}

export type TempChoice =
  | { ok: true; name: string; dir: string; skipped: string[] }
  | { ok: false; message: string; skipped: string[] };

const GIB = 1024 ** 3;

function countPlotsIn(tempRoot: string, name: string, runningTempDirs: (string | null)[]): number {
  return runningTempDirs.filter((dir) => dir !== null && path.relative(tempRoot, dir).split(path.sep)[0] === name).length;
}

/**
 * goplot's round robin over `<temp_root>/<n>`, skipping a dir that already has max_per_temp plots
 * or has less free space than one more plot needs.
 */
export async function chooseTempDir(options: TempChoiceOptions): Promise<TempChoice> {
  const skipped: string[] = [];
  if (options.names.length === 0) {
    return { ok: false, message: `no temp dir under ${options.tempRoot} (make ${path.join(options.tempRoot, '1')})`, skipped };
  }
  for (const name of nextRoundRobin(options.names, options.lastTemp)) {
    const dir = path.join(options.tempRoot, name);
    const plots = countPlotsIn(options.tempRoot, name, options.runningTempDirs);
    if (options.maxPerTemp > 0 && plots >= options.maxPerTemp) {
      skipped.push(`${name}: ${plots} plot${plots === 1 ? '' : 's'} (max_per_temp ${options.maxPerTemp})`);
      continue;
    }
    if (options.neededBytes > 0) {
      let free: number;
      try {
        free = await options.readFreeBytes(dir);
      } catch (error) {
        skipped.push(`${name}: cannot read its free space (${(error as Error).message})`);
        continue;
      }
      if (free < options.neededBytes) {
        skipped.push(`${name}: ${(free / GIB).toFixed(1)} GiB free, a plot needs ${(options.neededBytes / GIB).toFixed(1)} GiB`);
        continue;
      }
    }
    return { ok: true, name, dir, skipped };
  }
  return { ok: false, message: `no temp dir can take a plot: ${skipped.join('; ')}`, skipped };
}
