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
export function exitWithSupervisor(env: NodeJS.ProcessEnv, onGone: (supervisorPid: number) => void, options: ParentWatchOptions = {}): () => void {
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
