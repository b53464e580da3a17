import fs from 'node:fs';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

/**
 * Why prom_dir cannot take a .prom file, or null. A missing dir is refused, never made: made
 * here, it would be a dir node_exporter never reads (a typo in prom_dir), and nothing would say so.
 */
export function promDirProblem(dir: string): string | null {
  try {
    if (fs.statSync(dir).isDirectory()) return null;
  } catch {
    // missing or unreadable: the same answer
  }
  return `prom_dir ${dir} is not a directory (make it, or set config/prom_dir.goplot to node_exporter's --collector.textfile.directory)`;
}

/**
 * node_exporter reads `<dir>/<name>.prom` whenever it is scraped: it must see a whole old file or
 * a whole new one, never half of one, hence temp file and rename in the same directory. Every
 * .prom file goes through here, so every writer follows promDirProblem's rule.
 */
export function writePromText(dir: string, name: string, text: string): string {
  const problem = promDirProblem(dir);
  if (problem !== null) throw new Error(problem);
  const file = path.join(dir, `${name}.prom`);
  writeFileAtomicSync(file, text);
  return file;
}

export async function writePromFile(dir: string, name: string, registry: Registry): Promise<string> {
  return writePromText(dir, name, await registry.metrics());
}
