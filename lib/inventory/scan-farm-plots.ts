import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import { listDisks, listFarms, type FarmDisk } from '../farm/farm-layout.js';
import { HeaderCache, headerCacheDir } from '../plot-file/header-cache.js';
import { readPlotFileNames } from '../plot-file/list-plot-files.js';
import type { PlotFileFacts } from '../plot-file/read-plot-file.js';
import { replotRuleOf, type ReplotRule } from '../replot/replot-rule.js';
import {
  buildInventory,
  emptyTally,
  tallyDisk,
  type Amount,
  type DiskTally,
  type PlotInventory,
  type TalliedDisk,
} from './plot-inventory.js';
import { dirSignature, SummaryStore, summaryStoreFile } from './summary-store.js';

export interface ScanOptions {
  config: ConfigReader;
  /** `FARM/DISK`: one disk only. */
  disk?: string;
  now?: () => number;
}

/** What one inventory run did: the work follows what changed. */
export interface InventoryRunStats {
  /** Headers read from disk in this run. */
  read: number;
  /** Files of changed folders whose facts came from the header cache (same size and mtime). */
  cached: number;
  /** Disks whose plots folder did not change: their summary was taken as it was, no file looked at. */
  disksReused: number;
  /** Disks whose plots folder was listed again. */
  disksRead: number;
  /** Why a cache could not be written (the inventory is still right; the next run reads again). */
  writeError?: string;
  /** A damaged cache that was rebuilt. */
  cacheProblem?: string;
}

interface ScanContext {
  store: SummaryStore;
  headers: HeaderCache;
  rule: ReplotRule;
  nowMs: number;
  stats: InventoryRunStats;
}

function unreadable(problem: string): DiskTally {
  return { ...emptyTally(), metaGroups: [], unreadable: problem };
}

function filesOf(facts: readonly PlotFileFacts[]): Amount {
  const files = { count: 0, bytes: 0 };
  for (const plot of facts) {
    const stat = plot.ok ? plot : plot.stat;
    if (!stat || (!plot.ok && plot.message === 'not a regular file')) continue;
    files.count += 1;
    files.bytes += stat.sizeBytes;
  }
  return files;
}

/**
 * One disk's tally: its stored summary while its plots folder has not changed (and the rule is
 * the same), else the folder listed again, with the headers of new or changed files read and the
 * others taken from the header cache. An unreadable folder is the disk's problem, never 0 plots.
 */
function tallyOne(disk: FarmDisk, context: ScanContext): DiskTally {
  const { store, rule, nowMs, stats } = context;
  const signature = dirSignature(disk.plotsDir, nowMs);
  if (!signature.ok) return unreadable(signature.problem);
  const stored = store.get(disk.plotsDir);
  if (stored && stored.sig !== '' && stored.sig === signature.sig && stored.rule === rule.text) {
    stats.disksReused += 1;
    return stored.tally;
  }
  const listed = readPlotFileNames(disk.plotsDir);
  if (!listed.ok) return unreadable(listed.problem);
  stats.disksRead += 1;
  const facts = context.headers.readDir(disk.plotsDir, listed.names);
  const tally = tallyDisk(facts, rule, nowMs);
  store.set(disk.plotsDir, { sig: signature.racy ? '' : signature.sig, rule: rule.text, tally, files: filesOf(facts) });
  return tally;
}

function selectDisks(options: ScanOptions): FarmDisk[] {
  const farmRoot = options.config.get('farm_root');
  const [onlyFarm, onlyDisk] = options.disk === undefined ? [] : options.disk.split('/');
  return listFarms(farmRoot)
    .filter((farm) => onlyFarm === undefined || farm === onlyFarm)
    .flatMap((farm) => listDisks(farmRoot, farm))
    .filter((disk) => onlyDisk === undefined || disk.disk === onlyDisk);
}

/** The cache of every header in one file, before issue 18: 33 MB at 100,000 plots, replaced by the per-folder files. */
function removeOldHeaderCache(logsDir: string): void {
  fs.rmSync(path.join(logsDir, '.plot-headers.json'), { force: true });
}

/**
 * The inventory of the whole farm (or one disk) under the current replot values, disk by disk:
 * the memory holds one disk's file facts at a time and every disk's summary.
 */
export async function readPlotInventory(
  options: ScanOptions,
): Promise<{ inventory: PlotInventory; cache: InventoryRunStats }> {
  const { config } = options;
  const nowMs = (options.now ?? Date.now)();
  const rule = replotRuleOf(config.get('replot_match'));
  const store = SummaryStore.load(summaryStoreFile(config.paths));
  const headers = HeaderCache.load(headerCacheDir(config.paths));
  const stats: InventoryRunStats = { read: 0, cached: 0, disksReused: 0, disksRead: 0 };
  const context: ScanContext = { store, headers, rule, nowMs, stats };
  const disks = selectDisks(options);
  const tallied: TalliedDisk[] = disks.map((disk) => ({
    farm: disk.farm,
    disk: disk.disk,
    plotsDir: disk.plotsDir,
    tally: tallyOne(disk, context),
  }));
  if (options.disk === undefined) store.keepOnly(new Set(disks.map((disk) => disk.plotsDir)));
  store.save();
  headers.save();
  try {
    removeOldHeaderCache(config.paths.logsDir);
  } catch {
    // an old cache left behind costs disk space only
  }
  stats.read = headers.stats.read;
  stats.cached = headers.stats.cached;
  const writeError = store.writeError ?? headers.stats.writeError;
  if (writeError !== undefined) stats.writeError = writeError;
  if (store.problem !== undefined) stats.cacheProblem = store.problem;
  return { inventory: buildInventory(tallied, rule, config.get('replot'), nowMs), cache: stats };
}
