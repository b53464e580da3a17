import fs from 'node:fs';
import path from 'node:path';
import { readPlotFileNames } from '../plot-file/list-plot-files.js';

export interface PlotFiles {
  count: number;
  bytes: number;
}

export type PlotFilesResult = { ok: true; value: PlotFiles } | { ok: false; missing: boolean; problem: string };

/**
 * The finished plot files in a disk's plots/: `.plot`, `.plot2` and `.gplot` regular files (a
 * `.plot.tmp` being copied is not one; a `.gplot` group file counts as one file), counted and summed. Every reader of the farm counts with this one function. A dir
 * that cannot be read gives no count rather than 0: a disk that drops out must not look like
 * plots that were deleted. `missing` tells a disk without plots/ (not part of the layout).
 */
export function countPlotFiles(plotsDir: string): PlotFilesResult {
  // the same listing as the inventory's, so both agree on what a plot file is and when plots/ is missing
  const listed = readPlotFileNames(plotsDir);
  if (!listed.ok) {
    return { ok: false, missing: listed.missing, problem: `cannot read ${plotsDir}: ${listed.code}` };
  }
  const total: PlotFiles = { count: 0, bytes: 0 };
  for (const name of listed.names) {
    try {
      const stat = fs.statSync(path.join(plotsDir, name));
      if (!stat.isFile()) continue;
      total.count += 1;
      total.bytes += stat.size;
    } catch {
      // moved or deleted while counting: it is not there
    }
  }
  return { ok: true, value: total };
}
