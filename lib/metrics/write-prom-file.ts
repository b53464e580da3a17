import path from 'node:path';
import type { Registry } from 'prom-client';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

/**
 * node_exporter reads `<dir>/<name>.prom` whenever it is scraped: it must see a whole old file or
 * a whole new one, never half of one, hence temp file and rename in the same directory.
 */
export async function writePromFile(dir: string, name: string, registry: Registry): Promise<string> {
  const file = path.join(dir, `${name}.prom`);
  writeFileAtomicSync(file, await registry.metrics());
  return file;
}
