import fs from 'node:fs';
import path from 'node:path';
import { listPids } from './proc-read.js';

/**
 * Files under any of `dirs` that some process has open now, from /proc/<pid>/fd (no `lsof`). A
 * plotter, a copy or another mover still writing a plot holds it open, so a file found here is
 * in use whatever its name. Processes we may not look into (another user's, without root) are
 * passed over: run the archiver as the user that runs the plotters.
 */
export function findOpenFilesUnder(dirs: string[], procDir = '/proc'): Set<string> {
  const prefixes = dirs.map((dir) => `${path.resolve(dir)}/`);
  const open = new Set<string>();
  if (prefixes.length === 0) return open;
  for (const pid of listPids(procDir)) {
    const fdDir = path.join(procDir, String(pid), 'fd');
    let fds: string[];
    try {
      fds = fs.readdirSync(fdDir);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(path.join(fdDir, fd));
      } catch {
        continue;
      }
      if (!target.startsWith('/')) continue;
      const file = target.replace(/ \(deleted\)$/, '');
      if (prefixes.some((prefix) => file.startsWith(prefix))) open.add(file);
    }
  }
  return open;
}
