import fs from 'node:fs';
import path from 'node:path';
import { listDisks, listFarms, type FarmDisk } from '../farm/farm-layout.js';
import { findOpenFilesUnder } from '../farm/open-files.js';
import { checkPlotFile } from './plot-check.js';
import { isPlotFileName } from '../plot-file/list-plot-files.js';

export interface StagedPlot {
  /** `plot-k32-….plot` */
  name: string;
  file: string;
  farm: string;
  disk: string;
  size: number;
  mtimeMs: number;
  /** The first bytes, compared with the copy's before it is renamed into a plot. */
  head: Buffer;
}

export interface SkippedPlot {
  file: string;
  why: string;
}

/** A plot modified this recently may still be growing under a writer that has just closed it. */
export const SETTLE_MS = 5000;

/** `farm` or `farm/disk` selectors from archive_staging. */
export function parseStaging(value: string): { farm: string; disk: string | null }[] {
  return value
    .split(' ')
    .filter((name) => name !== '')
    .map((name) => {
      const [farm, disk] = name.split('/');
      return { farm, disk: disk ?? null };
    });
}

export function stagingDisks(farmRoot: string, staging: string): FarmDisk[] {
  const selectors = parseStaging(staging);
  const farms = new Set(listFarms(farmRoot));
  return selectors.flatMap((selector) =>
    farms.has(selector.farm)
      ? listDisks(farmRoot, selector.farm).filter(
          (disk) => disk.complete && (selector.disk === null || disk.disk === selector.disk),
        )
      : [],
  );
}

/**
 * The finished plots on the staging disks, oldest first: regular `*.plot` files with a valid
 * header, that no process has open and that have not changed for SETTLE_MS. What is passed over
 * is returned with the reason, so the archiver can say it once.
 */
export function findStagedPlots(
  disks: FarmDisk[],
  options: { now: number; procDir?: string },
): { plots: StagedPlot[]; skipped: SkippedPlot[] } {
  const open = findOpenFilesUnder(
    disks.map((disk) => disk.plotsDir),
    options.procDir,
  );
  const plots: StagedPlot[] = [];
  const skipped: SkippedPlot[] = [];
  for (const disk of disks) {
    let names: string[];
    try {
      names = fs.readdirSync(disk.plotsDir).filter((name) => isPlotFileName(name) && !name.startsWith('.'));
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(disk.plotsDir, name);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(file);
      } catch {
        continue;
      }
      if (!stat.isFile()) {
        skipped.push({ file, why: 'not a regular file' });
        continue;
      }
      if (open.has(file)) {
        skipped.push({ file, why: 'open in another process (still being written?)' });
        continue;
      }
      if (options.now - stat.mtimeMs < SETTLE_MS) continue;
      const check = checkPlotFile(file);
      if (!check.ok) {
        skipped.push({ file, why: check.problem });
        continue;
      }
      plots.push({
        name,
        file,
        farm: disk.farm,
        disk: disk.disk,
        size: check.size,
        mtimeMs: stat.mtimeMs,
        head: check.head,
      });
    }
  }
  plots.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
  return { plots, skipped };
}
