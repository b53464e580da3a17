import fs from 'node:fs';
import type { ConfigReader } from '../config/config-reader.js';
import { listPlotFiles } from '../plot-file/list-plot-files.js';
import type { HomePaths } from '../config/home.js';
import type { FarmDisk } from '../farm/farm-layout.js';
import { HeaderCache, headerCacheDir } from '../plot-file/header-cache.js';
import type { PlotHeader } from '../plot-file/plot-header.js';
import { readPlotFileSync, type PlotFileFacts } from '../plot-file/read-plot-file.js';
import { inRemovalOrder, type ReplotCandidate } from './removal-order.js';
import { readReplotSettings, ruleMatches, type ReplotRule } from './replot-rule.js';

export { inRemovalOrder, type ReplotCandidate } from './removal-order.js';
export { readReplotSettings, type ReplotSettings } from './replot-rule.js';

/** A plot in plots/ that replot leaves alone, and why: it may not or cannot go. */
export interface SkippedPlot {
  path: string;
  why: string;
  sizeBytes?: number;
}

/** What replot sees in one plots/ folder: the plots that may go, in removal order, and the others. */
export interface CandidateSurvey {
  usable: ReplotCandidate[];
  skipped: SkippedPlot[];
}

/** A header in log lines and the dry run: `pos1 v1 k32 C0 solo`. */
export function describeHeader(header: PlotHeader): string {
  return `pos${header.pos} ${header.format} k${header.k} C${header.compression} ${header.kind}`;
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Every `.plot` in one `plots/` folder, sorted into those the rule lets go (in removal order) and
 * those that may not or cannot go: a link (never removed: its target is elsewhere), an unreadable
 * or invalid file, a plot the rule does not match. Headers come from the cache when one is given
 * (planning), else are read now (the removal itself).
 */
export function surveyReplotCandidates(plotsDir: string, rule: ReplotRule, cache?: HeaderCache): CandidateSurvey {
  const usable: ReplotCandidate[] = [];
  const skipped: SkippedPlot[] = [];
  if (!rule.any) return { usable, skipped };
  for (const file of listPlotFiles(plotsDir)) {
    if (isLink(file)) {
      skipped.push({ path: file, why: 'it is a link: replot removes only regular files' });
      continue;
    }
    const plot: PlotFileFacts = cache ? cache.factsOf(file) : readPlotFileSync(file);
    if (!plot.ok) {
      const why =
        plot.problem === 'unreadable' ? `it cannot be read (${plot.message})` : `not a valid plot (${plot.message})`;
      skipped.push({ path: file, why, sizeBytes: plot.stat?.sizeBytes });
    } else if (!ruleMatches(rule, plot.header, plot.mtimeMs))
      skipped.push({
        path: file,
        why: `replot_match (${rule.text}) does not match it (${describeHeader(plot.header)})`,
        sizeBytes: plot.sizeBytes,
      });
    else usable.push({ path: plot.path, header: plot.header, sizeBytes: plot.sizeBytes, mtimeMs: plot.mtimeMs });
  }
  return { usable: usable.sort(inRemovalOrder), skipped };
}

/** The plots in one `plots/` folder that the rule lets go, in removal order. */
export function listReplotCandidates(plotsDir: string, rule: ReplotRule, cache?: HeaderCache): ReplotCandidate[] {
  return surveyReplotCandidates(plotsDir, rule, cache).usable;
}

/**
 * Space replot can free on a disk, in KiB: every plot that may go. The plots running into the
 * disk already hold their room in the committed space, so what is left of this counts for the
 * next plot. 0 when nothing may go.
 */
export function replotCreditKiB(candidates: readonly ReplotCandidate[]): number {
  return candidates.reduce((sum, plot) => sum + Math.floor(plot.sizeBytes / 1024), 0);
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
  return (disk) => replotCreditKiB(listReplotCandidates(disk.plotsDir, replot.rule, headers));
}
