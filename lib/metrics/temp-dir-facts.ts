import path from 'node:path';
import { readDiskSpace, type DiskSpace, type SpaceMethod } from '../farm/disk-space.js';
import { listTempDirs } from '../farm/farm-layout.js';
import { mapLimited } from '../util/map-limited.js';
import type { CollectedValue } from './run-collector.js';
import { errorMessage } from '../util/error-message.js';

export interface TempDirFacts {
  /** `<temp_root>/<n>`, as plots name it. */
  dir: string;
  /** Null when statfs or df did not answer. */
  space: DiskSpace | null;
}

/**
 * The space left in each temp dir: a plot whose temp dir fills up fails hours in, so the alert
 * GoplotTempDirFilling watches this. Dirs on one filesystem show the same numbers, each under its name.
 */
export async function readTempDirFacts(
  tempRoot: string,
  method: SpaceMethod,
): Promise<{ temps: TempDirFacts[]; values: CollectedValue[] }> {
  const dirs = listTempDirs(tempRoot).map((name) => path.join(tempRoot, name));
  const read = await mapLimited(dirs, method === 'df' ? 16 : 64, async (dir) => {
    try {
      return {
        facts: { dir, space: await readDiskSpace(dir, method) },
        value: { name: `space ${dir}`, present: true },
      };
    } catch (error) {
      return {
        facts: { dir, space: null },
        value: { name: `space ${dir}`, present: false, why: `${method}: ${errorMessage(error)}` },
      };
    }
  });
  return { temps: read.map((entry) => entry.facts), values: read.map((entry) => entry.value) };
}
