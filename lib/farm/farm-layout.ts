import fs from 'node:fs';
import path from 'node:path';
import { naturalSort } from '../util/natural-sort.js';

export interface FarmDisk {
  farm: string;
  disk: string;
  /** `<farm_root>/<farm>/<disk>`: usually the disk's mount point. */
  dir: string;
  plotsDir: string;
  logsDir: string;
  /**
   * Both plots/ and logs/ exist. They live on the disk itself, so an unmounted disk shows
   * an empty mount point dir and is never complete: goplot's guard against filling `/`.
   */
  complete: boolean;
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Directory names inside dir (symlinks to directories count), natural order; none when dir is missing. */
function listDirNames(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const names = entries
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'lost+found')
    .filter((entry) => entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path.join(dir, entry.name))))
    .map((entry) => entry.name);
  return naturalSort(names);
}

export function listFarms(farmRoot: string): string[] {
  return listDirNames(farmRoot);
}

export function listDisks(farmRoot: string, farm: string): FarmDisk[] {
  return listDirNames(path.join(farmRoot, farm)).map((disk) => {
    const dir = path.join(farmRoot, farm, disk);
    const plotsDir = path.join(dir, 'plots');
    const logsDir = path.join(dir, 'logs');
    return { farm, disk, dir, plotsDir, logsDir, complete: isDirectory(plotsDir) && isDirectory(logsDir) };
  });
}

export function listTempDirs(tempRoot: string): string[] {
  return listDirNames(tempRoot);
}
