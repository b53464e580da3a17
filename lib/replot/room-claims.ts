import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

/**
 * Room promised on a disk to a plot that is about to write (or writing) its final file: once a
 * plot's moment has come, another plot's check must leave that room to it, or an old plot removed
 * for one plot would be filled by another. Files `logs/.replot/claims/<farm>/<disk>/<pid>.json`,
 * written under the state lock; a claim whose plotter is gone counts for nothing.
 */
export interface RoomClaim {
  pid: number;
  needKiB: number;
  /** Once known: the plot's files in plots/ (named with its id) show how much of it is written. */
  plotId: string | null;
}

function claimsDir(paths: HomePaths, farm: string, disk: string): string {
  return path.join(paths.logsDir, '.replot', 'claims', farm, disk);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeClaim(paths: HomePaths, farm: string, disk: string, claim: RoomClaim): void {
  writeFileAtomicSync(path.join(claimsDir(paths, farm, disk), `${claim.pid}.json`), JSON.stringify(claim));
}

export function dropClaim(paths: HomePaths, farm: string, disk: string, pid: number): void {
  fs.rmSync(path.join(claimsDir(paths, farm, disk), `${pid}.json`), { force: true });
}

/** KiB a plot has written into plotsDir so far (its files named with its id). */
export function ownWrittenKiB(plotsDir: string, plotId: string | null | undefined): number {
  if (!plotId) return 0;
  try {
    return writtenKiB(plotsDir, plotId, fs.readdirSync(plotsDir));
  } catch {
    return 0;
  }
}

/** KiB of a plot's files in plotsDir (its .tmp while written, then the .plot). */
function writtenKiB(plotsDir: string, plotId: string, names: readonly string[]): number {
  let bytes = 0;
  for (const name of names) {
    if (!name.includes(plotId)) continue;
    try {
      bytes += fs.statSync(path.join(plotsDir, name)).size;
    } catch {
      // renamed or removed meanwhile
    }
  }
  return Math.floor(bytes / 1024);
}

/**
 * Room still promised to other live plots on the disk: each claim less what that plot has already
 * written into plotsDir (free space already shows that part). Dead plotters' claims are dropped.
 */
export function heldByClaims(
  paths: HomePaths,
  farm: string,
  disk: string,
  plotsDir: string,
  exceptPid: number | undefined,
): { kib: number; plots: number } {
  const dir = claimsDir(paths, farm, disk);
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return { kib: 0, plots: 0 };
  }
  const names = (() => {
    try {
      return fs.readdirSync(plotsDir);
    } catch {
      return [];
    }
  })();
  let kib = 0;
  let plots = 0;
  for (const file of files) {
    let claim: RoomClaim;
    try {
      claim = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as RoomClaim;
    } catch {
      continue;
    }
    if (claim.pid === exceptPid) continue;
    if (!isAlive(claim.pid)) {
      fs.rmSync(path.join(dir, file), { force: true });
      continue;
    }
    plots += 1;
    kib += Math.max(0, claim.needKiB - (claim.plotId ? writtenKiB(plotsDir, claim.plotId, names) : 0));
  }
  return { kib, plots };
}
