import fs from 'node:fs';
import path from 'node:path';

/**
 * Tractors of this home that are alive now, from /proc: the loop launches them with
 * `--home <home>` on their command line, so a restarted loop still sees the ones its
 * predecessor started (and does not start more while they are choosing a disk).
 */
export function findTractorPids(home: string, procDir = '/proc'): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(path.join(procDir, entry, 'cmdline'), 'utf8').split('\0');
    } catch {
      continue;
    }
    const script = argv[1] ?? '';
    if (path.basename(script) !== 'tractor.js') continue;
    const homeIndex = argv.indexOf('--home');
    if (homeIndex > 0 && path.resolve(argv[homeIndex + 1] ?? '') === home) pids.push(Number(entry));
  }
  return pids;
}
