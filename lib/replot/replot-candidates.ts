import type { ConfigReader } from '../config/config-reader.js';
import { listPlotFiles } from '../plot-file/list-plot-files.js';
import type { HomePaths } from '../config/home.js';
import type { FarmDisk } from '../farm/farm-layout.js';
import { HeaderCache, headerCacheDir } from '../plot-file/header-cache.js';
import type { PlotHeader } from '../plot-file/plot-header.js';
import { readPlotFileSync, type PlotFileFacts } from '../plot-file/read-plot-file.js';
import { replotRuleOf, ruleMatches, type ReplotRule } from './replot-rule.js';

export interface ReplotCandidate {
  path: string;
  header: PlotHeader;
  sizeBytes: number;
  mtimeMs: number;
}

export interface ReplotSettings {
  on: boolean;
  rule: ReplotRule;
}

/** Read fresh each time: `replot` and `replot_match` are live-tunable like every value file. */
export function readReplotSettings(config: Pick<ConfigReader, 'get'>): ReplotSettings {
  return { on: config.get('replot') === 'on', rule: replotRuleOf(config.get('replot_match')) };
}

/**
 * The valid plots in one `plots/` folder that the rule lets go, in the order replot removes them:
 * the oldest first (mtime: when the plot was finished), then by name. Headers come from the cache
 * when one is given (planning), else are read now (the removal itself).
 */
export function listReplotCandidates(plotsDir: string, rule: ReplotRule, cache?: HeaderCache): ReplotCandidate[] {
  if (!rule.any) return [];
  const facts: PlotFileFacts[] = listPlotFiles(plotsDir).map((file) =>
    cache ? cache.factsOf(file) : readPlotFileSync(file),
  );
  return facts
    .filter((plot): plot is PlotFileFacts & { ok: true } => plot.ok && ruleMatches(rule, plot.header, plot.mtimeMs))
    .map((plot) => ({ path: plot.path, header: plot.header, sizeBytes: plot.sizeBytes, mtimeMs: plot.mtimeMs }))
    .sort(inRemovalOrder);
}

/** Replot's removal order: the oldest first (mtime: when the plot was finished), then by name. */
export function inRemovalOrder(a: ReplotCandidate, b: ReplotCandidate): number {
  return a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * Space replot can free on a disk for one more plot, in KiB: each of the `plotsInto` plots already
 * running into the disk may take one old plot, and the new one the next, so the first
 * plotsInto + 1 candidates count (one old plot per new plot, never more). 0 when replot is off.
 */
export function replotCreditKiB(candidates: readonly ReplotCandidate[], plotsInto: number): number {
  return candidates.slice(0, plotsInto + 1).reduce((sum, plot) => sum + Math.floor(plot.sizeBytes / 1024), 0);
}

/**
 * The destination choice's replot credit per disk (headers through the home's cache, read-only
 * here), or undefined when replot is off or matches nothing.
 */
export function replotCreditFor(
  paths: HomePaths,
  config: Pick<ConfigReader, 'get'>,
): ((disk: FarmDisk, plotsInto: number) => number) | undefined {
  const replot = readReplotSettings(config);
  if (!replot.on || !replot.rule.any) return undefined;
  const headers = HeaderCache.load(headerCacheDir(paths));
  return (disk, plotsInto) => replotCreditKiB(listReplotCandidates(disk.plotsDir, replot.rule, headers), plotsInto);
}
