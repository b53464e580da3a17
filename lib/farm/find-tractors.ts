import path from 'node:path';
import { listPids, readCmdline } from './proc-read.js';

/**
 * Tractors of this home that are alive now, from /proc: the loop launches them with
 * `--home <home>` on their command line, so a restarted loop still sees the ones its
 * predecessor started (and does not start more while they are choosing a disk).
 */
export function findTractorPids(home: string, procDir = '/proc'): number[] {
  return listPids(procDir).filter((pid) => {
    const argv = readCmdline(procDir, pid) ?? [];
    if (path.basename(argv[1] ?? '') !== 'tractor.js') return false;
    const homeIndex = argv.indexOf('--home');
    return homeIndex > 0 && path.resolve(argv[homeIndex + 1] ?? '') === home;
  });
}
