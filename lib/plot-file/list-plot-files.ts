import fs from 'node:fs';
import path from 'node:path';

/** `.plot` files in a plots folder, by name; `._` files are macOS metadata, which chia skips too. */
export function listPlotFiles(plotsDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(plotsDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.plot') && !name.startsWith('._'))
    .sort()
    .map((name) => path.join(plotsDir, name));
}
