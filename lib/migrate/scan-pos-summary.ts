import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import { listDisks, listFarms } from '../farm/farm-layout.js';
import { headerCacheFile, readPlotFilesCached } from '../plot-file/header-cache.js';
import { summarizePlotFacts, type FarmPosSummary } from './farm-pos-summary.js';

/** `.plot` and `.plot2` files in a plots folder; `._` files are macOS metadata. */
function listPos1And2Files(plotsDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(plotsDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => /\.plot2?$/.test(name) && !name.startsWith('._'))
    .sort()
    .map((name) => path.join(plotsDir, name));
}

/**
 * The farm's plots by pos and its pos2 plots landed per day, from every disk's headers (through
 * the header cache). A stand-in until the plot inventory counts pos2 plots and their landing days
 * itself; the planner only sees the FarmPosSummary.
 */
export function scanPosSummary(config: ConfigReader): FarmPosSummary {
  const farmRoot = config.get('farm_root');
  const disks = listFarms(farmRoot).flatMap((farm) => listDisks(farmRoot, farm));
  const files = disks.flatMap((disk) => listPos1And2Files(disk.plotsDir));
  const { facts } = readPlotFilesCached(files, {
    cacheFile: headerCacheFile(config.paths),
    scopeDirs: disks.map((disk) => disk.plotsDir),
  });
  return summarizePlotFacts(facts);
}
