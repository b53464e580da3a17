import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { commandLineHas } from '../farm/proc-read.js';
import { readPid } from '../farm/pid-file.js';

export interface LoopProcess {
  /** The pid in logs/goplot.pid, or null when there is no readable number there. */
  pid: number | null;
  /** The pid is alive and is a goplot loop (a reused pid running something else does not count). */
  running: boolean;
  /** When the loop took the pid file (its mtime), which starts its initial_delay. */
  startedAtMs: number | null;
}

/** Whether this home's loop is running, from logs/goplot.pid and /proc (no signal is sent). */
export function readLoopProcess(paths: HomePaths, procDir = '/proc'): LoopProcess {
  const file = path.join(paths.logsDir, 'goplot.pid');
  // read without blocking: a FIFO left at the path would hang goplot status, view and start
  const pid = readPid(file);
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return { pid: null, running: false, startedAtMs: null };
  }
  if (pid === null) return { pid: null, running: false, startedAtMs: null };
  const running = commandLineHas(procDir, pid, 'goplot.js');
  return { pid, running, startedAtMs: running ? Math.round(mtimeMs) : null };
}
