import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { commandLineHas } from '../farm/proc-read.js';

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
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return { pid: null, running: false, startedAtMs: null };
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return { pid: null, running: false, startedAtMs: null };
  const running = commandLineHas(procDir, pid, 'goplot.js');
  return { pid, running, startedAtMs: running ? Math.round(mtimeMs) : null };
}
