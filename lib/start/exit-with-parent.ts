import fs from 'node:fs';
import path from 'node:path';

/**
 * How start.js tells a child it is supervised: the supervisor's pid. A child that outlives its
 * supervisor (kill -9, OOM killer) would hold the home's pid file for ever, so that a new
 * supervisor could not start its own; it notices the loss and stops instead.
 */
export const SUPERVISOR_PID_ENV = 'GOPLOT_SUPERVISOR_PID';

export interface ParentWatchOptions {
  everyMs?: number;
  /** The current parent pid (a reparented child gets init's or a subreaper's). */
  ppid?: () => number;
}

/**
 * Calls `onGone` once when the supervisor named in the environment is no longer this process's
 * parent. The variable is taken out of `env`, so that what this process starts (tractors,
 * plotters) does not inherit it. Without the variable (started by hand or by cron), nothing is
 * watched. Returns a function that stops watching.
 */
export function exitWithSupervisor(
  env: NodeJS.ProcessEnv,
  onGone: (supervisorPid: number) => void,
  options: ParentWatchOptions = {},
): () => void {
  const text = env[SUPERVISOR_PID_ENV];
  delete env[SUPERVISOR_PID_ENV];
  const supervisorPid = Number(text);
  if (!text || !Number.isInteger(supervisorPid) || supervisorPid <= 1) return () => undefined;
  const ppid = options.ppid ?? (() => process.ppid);
  let timer: NodeJS.Timeout | null = null;
  let watching = true;
  const stop = () => {
    watching = false;
    if (timer) clearInterval(timer);
  };
  const check = () => {
    if (!watching || ppid() === supervisorPid) return;
    stop();
    onGone(supervisorPid);
  };
  // polled rather than told: a supervisor killed with -9 can tell nobody
  timer = setInterval(check, options.everyMs ?? 1000);
  timer.unref();
  setImmediate(check);
  return stop;
}

const SHELLS = new Set(['sh', 'dash', 'bash']);

function readProc(procDir: string, pid: number): { ppid: number; comm: string; argv: string[] } | null {
  try {
    const stat = fs.readFileSync(path.join(procDir, String(pid), 'stat'), 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const argv = fs.readFileSync(path.join(procDir, String(pid), 'cmdline'), 'utf8').split('\0');
    return { ppid, comm, argv };
  } catch {
    return null;
  }
}

/** npm renames its process to `npm start` (`npm run …`); started as node npm-cli.js before it does. */
const isNpm = (argv: string[]) =>
  /^npm( |$)/.test(argv[0] ?? '') || argv.some((arg) => path.basename(arg) === 'npm' || arg.endsWith('/npm-cli.js'));

/**
 * The npm process that runs this one through `npm start` (npm, then `sh -c`, then node), or null.
 * Killed with -9, npm leaves its shell and this process running, with an unchanged parent: only
 * npm itself tells that the suite was meant to end.
 */
export function findNpmAncestor(env: NodeJS.ProcessEnv, procDir = '/proc', ppid = process.ppid): number | null {
  if (!env.npm_lifecycle_event) return null;
  let pid = ppid;
  for (let depth = 0; depth < 2; depth++) {
    const entry = readProc(procDir, pid);
    if (!entry) return null;
    if (isNpm(entry.argv)) return pid;
    if (!SHELLS.has(entry.comm)) return null;
    pid = entry.ppid;
  }
  return null;
}

/** Calls `onGone` once when that npm process is gone (or its pid runs something else). */
export function exitWithNpm(
  npmPid: number,
  onGone: () => void,
  options: { everyMs?: number; procDir?: string } = {},
): () => void {
  const procDir = options.procDir ?? '/proc';
  const timer = setInterval(() => {
    const entry = readProc(procDir, npmPid);
    if (entry && isNpm(entry.argv)) return;
    clearInterval(timer);
    onGone();
  }, options.everyMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}
