import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../util/error-message.js';

/** What a harvester loads: pos1 `.plot`, pos2 `.plot2` and pos2 plot group `.gplot` files. */
export const PLOT_FILE_SUFFIXES = ['.plot', '.plot2', '.gplot'] as const;

/**
 * Whether a name in a plots folder is a plot file; `._` files are macOS metadata, which chia skips
 * too, and `.plot.tmp` or `.plot2.partial` files are still being written.
 */
export function isPlotFileName(name: string): boolean {
  if (name.startsWith('._')) return false;
  return PLOT_FILE_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

/** `code` is the bare error code (else the message), for callers that word the problem themselves. */
export type PlotNamesResult =
  { ok: true; names: string[] } | { ok: false; missing: boolean; problem: string; code: string };

/**
 * The plot file names in a plots folder, sorted, or why the folder cannot be read: a plots/ this
 * user may not read must not pass for a disk without plots.
 */
export function readPlotFileNames(plotsDir: string): PlotNamesResult {
  let names: string[];
  try {
    names = fs.readdirSync(plotsDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      missing: code === 'ENOENT' || code === 'ENOTDIR',
      problem: `cannot read ${plotsDir}: ${errorMessage(error)}`,
      code: code ?? errorMessage(error),
    };
  }
  return { ok: true, names: names.filter(isPlotFileName).sort() };
}

/** Plot files in a plots folder, by name, as paths; none when the folder cannot be read. */
export function listPlotFiles(plotsDir: string): string[] {
  const listed = readPlotFileNames(plotsDir);
  return listed.ok ? listed.names.map((name) => path.join(plotsDir, name)) : [];
}
