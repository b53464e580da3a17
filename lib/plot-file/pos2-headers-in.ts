import fs from 'node:fs';
import path from 'node:path';
import type { PlotHeader } from './plot-header.js';
import { readPlotFileSync } from './read-plot-file.js';

/** The names a pos2 plot has in plots/: landed, or still written by a plotter or a copy. */
const POS2_NAME = /\.plot2(\.partial|\.tmp)?$/;

/**
 * The headers of the pos2 plots in a plots folder, landed or arriving: what tells which meta
 * groups and groups a disk holds. An unreadable folder or file says nothing.
 */
export function readPos2Headers(plotsDir: string): PlotHeader[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(plotsDir);
  } catch {
    // a disk whose plots/ cannot be read holds nothing we can see
  }
  const headers: PlotHeader[] = [];
  for (const name of names) {
    if (!POS2_NAME.test(name)) continue;
    const facts = readPlotFileSync(path.join(plotsDir, name));
    if (facts.ok && facts.header.pos2 !== undefined) headers.push(facts.header);
  }
  return headers;
}
