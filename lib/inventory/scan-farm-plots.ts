import type { ConfigReader } from '../config/config-reader.js';
import { listDisks, listFarms } from '../farm/farm-layout.js';
import { headerCacheFile, readPlotFilesCached, type HeaderCacheStats } from '../plot-file/header-cache.js';
import { readPlotFileList } from '../plot-file/list-plot-files.js';
import { replotRuleOf } from '../replot/replot-rule.js';
import { buildInventory, type DiskFacts, type PlotInventory } from './plot-inventory.js';

export interface ScanOptions {
  config: ConfigReader;
  /** `FARM/DISK`: one disk only. */
  disk?: string;
}

/** Every disk's `plots/` under farm_root, its plot files' facts (headers through the cache). */
export async function scanFarmPlots(options: ScanOptions): Promise<{ disks: DiskFacts[]; cache: HeaderCacheStats }> {
  const farmRoot = options.config.get('farm_root');
  const [onlyFarm, onlyDisk] = options.disk === undefined ? [] : options.disk.split('/');
  const disks = listFarms(farmRoot)
    .filter((farm) => onlyFarm === undefined || farm === onlyFarm)
    .flatMap((farm) => listDisks(farmRoot, farm))
    .filter((disk) => onlyDisk === undefined || disk.disk === onlyDisk);
  const listed = disks.map((disk) => readPlotFileList(disk.plotsDir));
  const files = listed.map((list) => (list.ok ? list.files : []));
  const { facts, stats } = readPlotFilesCached(files.flat(), {
    cacheFile: headerCacheFile(options.config.paths),
    scopeDirs: disks.map((disk) => disk.plotsDir),
  });
  let at = 0;
  const withFacts = disks.map((disk, i) => {
    const mine = facts.slice(at, at + files[i]!.length);
    at += files[i]!.length;
    const list = listed[i]!;
    return {
      farm: disk.farm,
      disk: disk.disk,
      plotsDir: disk.plotsDir,
      facts: mine,
      ...(list.ok ? {} : { unreadable: list.problem }),
    };
  });
  return { disks: withFacts, cache: stats };
}

/** The inventory of the whole farm (or one disk) under the current replot values. */
export async function readPlotInventory(
  options: ScanOptions,
): Promise<{ inventory: PlotInventory; cache: HeaderCacheStats }> {
  const { disks, cache } = await scanFarmPlots(options);
  const rule = replotRuleOf(options.config.get('replot_match'));
  return { inventory: buildInventory(disks, rule, options.config.get('replot')), cache };
}
