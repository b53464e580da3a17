import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../util/error-message.js';

/** `.plot` files in a plots folder, by name; `._` files are macOS metadata, which chia skips too. */
export function listPlotFiles(plotsDir: string): string[] {
  const listed = readPlotFileList(plotsDir);
  return listed.ok ? listed.files : [];
}

/**
 * The same list, or why the folder cannot be read: a plots/ this user may not read must not pass
 * for a disk without plots.
 */
export function readPlotFileList(plotsDir: string): { ok: true; files: string[] } | { ok: false; problem: string } {
  let names: string[];
  try {
    names = fs.readdirSync(plotsDir);
  } catch (error) {
    return { ok: false, problem: `cannot read ${plotsDir}: ${errorMessage(error)}` };
  }
  const files = names
    .filter((name) => name.endsWith('.plot') && !name.startsWith('._'))
    .sort()
    .map((name) => path.join(plotsDir, name));
  return { ok: true, files };
}
