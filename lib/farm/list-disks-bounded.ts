import fs from 'node:fs';
import path from 'node:path';
import { naturalSort } from '../util/natural-sort.js';
import { boundedDiskCall } from './disk-space.js';
import type { FarmDisk } from './farm-layout.js';
import { errorMessage } from '../util/error-message.js';

export interface ListedDisk extends FarmDisk {
  /** Why the disk could not be looked into (no answer in time), or null. */
  hung: string | null;
  /** `plots/`, `logs/`: the parts that are missing. */
  missing: string[];
}

async function isDirectoryBounded(dir: string, timeoutMs: number): Promise<boolean> {
  return boundedDiskCall(
    dir,
    'stat',
    () =>
      fs.promises.stat(dir).then(
        (stat) => stat.isDirectory(),
        () => false,
      ),
    timeoutMs,
  );
}

/**
 * listDisks for the ones who must not hang: the farm folder is read (it lives on the root
 * filesystem, its entries are the mount points), but whether plots/ and logs/ exist is asked of
 * each disk with a bound. A dead disk's stat blocks for as long as the disk does; done
 * synchronously it stopped diskhand, the tractor and the loop, deaf even to SIGTERM.
 */
export async function listDisksBounded(farmRoot: string, farm: string, timeoutMs: number): Promise<ListedDisk[]> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(farmRoot, farm), { withFileTypes: true });
  } catch {
    return [];
  }
  // a symlinked disk is taken as a candidate; its bounded stat below tells whether it leads anywhere
  const names = naturalSort(
    entries
      .filter(
        (entry) =>
          !entry.name.startsWith('.') && entry.name !== 'lost+found' && (entry.isDirectory() || entry.isSymbolicLink()),
      )
      .map((entry) => entry.name),
  );
  return Promise.all(
    names.map(async (disk): Promise<ListedDisk> => {
      const dir = path.join(farmRoot, farm, disk);
      const plotsDir = path.join(dir, 'plots');
      const logsDir = path.join(dir, 'logs');
      const base = { farm, disk, dir, plotsDir, logsDir };
      try {
        const [plots, logs] = await Promise.all([
          isDirectoryBounded(plotsDir, timeoutMs),
          isDirectoryBounded(logsDir, timeoutMs),
        ]);
        const missing = [...(plots ? [] : ['plots/']), ...(logs ? [] : ['logs/'])];
        return { ...base, complete: missing.length === 0, missing, hung: null };
      } catch (error) {
        return { ...base, complete: false, missing: [], hung: `cannot look into it (${errorMessage(error)})` };
      }
    }),
  );
}
