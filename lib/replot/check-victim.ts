import fs from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../farm/disk-space.js';
import { readPlotFileSync } from '../plot-file/read-plot-file.js';
import type { ReplotCandidate, ReplotSettings } from './replot-candidates.js';
import { ruleMatches } from './replot-rule.js';
import { errorMessage } from '../util/error-message.js';

/**
 * Proves, just before its removal, that an old plot chosen earlier may go: a regular file (not a
 * link) right inside `plotsDir`, still a valid plot with the same id, size and mtime as when it
 * was chosen, with replot on and the rule still matching it. Returns why not, or null.
 */
export function whyNotRemovable(plot: ReplotCandidate, plotsDir: string, replot: ReplotSettings): string | null {
  let realPlotsDir: string;
  let stat: fs.Stats;
  try {
    realPlotsDir = fs.realpathSync(plotsDir);
    stat = fs.lstatSync(plot.path);
  } catch (error) {
    return `cannot check it (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`;
  }
  if (!stat.isFile()) return 'it is not a regular file';
  if (fs.realpathSync(path.dirname(plot.path)) !== realPlotsDir) return `it is not inside ${plotsDir}`;
  const fresh = readPlotFileSync(plot.path);
  if (!fresh.ok) return `it is not a valid plot file (${fresh.message})`;
  if (fresh.header.plotId !== plot.header.plotId) return 'its header changed since it was listed';
  if (fresh.sizeBytes !== plot.sizeBytes || fresh.mtimeMs !== plot.mtimeMs)
    return 'its size or mtime changed since it was listed';
  if (!replot.on) return 'replot is off';
  if (!ruleMatches(replot.rule, fresh.header, fresh.mtimeMs))
    return `replot_match (${replot.rule.text}) no longer matches it`;
  return null;
}

/** An old plot in log lines: name, header facts, size and when it was made. */
export function describeOldPlot(plot: ReplotCandidate): string {
  const { header } = plot;
  const made = new Date(plot.mtimeMs).toISOString().slice(0, 16).replace('T', ' ');
  return `${path.basename(plot.path)} (${header.format} k${header.k} C${header.compression} ${header.kind}, id ${header.plotId.slice(0, 12)}…, ${formatBytes(plot.sizeBytes)}, made ${made} UTC)`;
}
