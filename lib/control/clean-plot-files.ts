import fs from 'node:fs';
import path from 'node:path';

/** The last `count` non-empty lines of a log, for the failure line in goplot.log. */
export function lastLines(file: string, count: number): string[] {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text
      .split('\n')
      .map((line) => line.trimEnd())
      .filter(Boolean)
      .slice(-count);
  } catch {
    return [];
  }
}

/**
 * Removes the temporary files of one failed plot: only names that hold its plot id and are
 * temporary (.tmp), so another plot's files and any finished .plot are never touched.
 */
export function removePlotTempFiles(dirs: string[], plotId: string): string[] {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.includes(plotId) || !name.endsWith('.tmp')) continue;
      const file = path.join(dir, name);
      try {
        fs.rmSync(file, { force: true });
        removed.push(file);
      } catch {
        // a file we cannot remove stays; the next diskhand run still sees the space
      }
    }
  }
  return removed;
}
