import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * USER_HZ, the unit of /proc/<pid>/stat's starttime. The kernel fixes it at 100 for user space
 * on every Linux architecture goplot runs on (sysconf(_SC_CLK_TCK)), and Node cannot ask.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcStat {
  ppid: number;
  /** Clock ticks after boot when the process started. */
  startTicks: number;
}

/** Process ids in the proc dir; threads are not listed there, only processes. */
export function listPids(procDir: string): number[] {
  return fs
    .readdirSync(procDir)
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** The command line, or null for a kernel thread or a process that is gone. */
export function readCmdline(procDir: string, pid: number): string[] | null {
  let raw: string;
  try {
    raw = fs.readFileSync(path.join(procDir, String(pid), 'cmdline'), 'utf8');
  } catch {
    return null;
  }
  if (raw === '') return null;
  const argv = raw.split('\0');
  if (argv.at(-1) === '') argv.pop();
  return argv;
}

/** The process name (comm, at most 15 bytes); null for a process that is gone. */
export function readComm(procDir: string, pid: number): string | null {
  try {
    return fs.readFileSync(path.join(procDir, String(pid), 'comm'), 'utf8').trim();
  } catch {
    return null;
  }
}

/** The state letter of stat (R, S, D, Z, X…), counted from the last `)`; null for a process that is gone. */
export function readProcState(procDir: string, pid: number): string | null {
  try {
    const raw = fs.readFileSync(path.join(procDir, String(pid), 'stat'), 'utf8');
    return raw.slice(raw.lastIndexOf(')') + 1).trim()[0] ?? null;
  } catch {
    return null;
  }
}

/** Whether the process runs a script or program of this basename (a reused pid running something else does not). */
export function commandLineHas(procDir: string, pid: number, basename: string): boolean {
  return (readCmdline(procDir, pid) ?? []).some((arg) => path.basename(arg) === basename);
}

/**
 * ppid and starttime. The command name in parentheses may itself hold spaces and `)`,
 * so the fields are counted from the last `)`.
 */
export function readStat(procDir: string, pid: number): ProcStat | null {
  let raw: string;
  try {
    raw = fs.readFileSync(path.join(procDir, String(pid), 'stat'), 'utf8');
  } catch {
    return null;
  }
  const fields = raw
    .slice(raw.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state): ppid is field 4, starttime field 22.
  const ppid = Number(fields[1]);
  const startTicks = Number(fields[19]);
  if (!Number.isFinite(ppid) || !Number.isFinite(startTicks)) return null;
  return { ppid, startTicks };
}

/** Resident memory from status's VmRSS (kB), which does not depend on the page size. */
export function readRssBytes(procDir: string, pid: number): number {
  try {
    const status = fs.readFileSync(path.join(procDir, String(pid), 'status'), 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Where fd 1 points: the tractor sends a plotter's stdout to its plot log. */
export function readStdoutTarget(procDir: string, pid: number): string | null {
  try {
    const target = fs.readlinkSync(path.join(procDir, String(pid), 'fd', '1'));
    return target.startsWith('/') ? target.replace(/ \(deleted\)$/, '') : null;
  } catch {
    return null;
  }
}

/** Boot time in ms since the epoch, from the `btime` line of /proc/stat. */
export function readBootTimeMs(procDir: string): number {
  try {
    const stat = fs.readFileSync(path.join(procDir, 'stat'), 'utf8');
    const match = /^btime\s+(\d+)/m.exec(stat);
    if (match) return Number(match[1]) * 1000;
  } catch {
    // fall through to the uptime, which gives the same instant to within a second
  }
  return Math.round(Date.now() - os.uptime() * 1000);
}

/**
 * One variable of the environment the process started with (/proc/<pid>/environ), or null when it
 * has none or the file cannot be read (another user's process).
 */
export function readEnvironValue(procDir: string, pid: number, name: string): string | null {
  let raw: string;
  try {
    raw = fs.readFileSync(path.join(procDir, String(pid), 'environ'), 'utf8');
  } catch {
    return null;
  }
  const prefix = `${name}=`;
  const entry = raw.split('\0').find((item) => item.startsWith(prefix));
  return entry === undefined ? null : entry.slice(prefix.length);
}
