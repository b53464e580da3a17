import { spawn, type ChildProcess } from 'node:child_process';
import { ALREADY_RUNNING, pidFileHolder } from '../farm/pid-file.js';
import type { Logger } from '../util/logger.js';
import { SUPERVISOR_PID_ENV } from './exit-with-parent.js';

/** A restart waits 1 s, then twice as long after each quick crash, up to a minute. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;
/** A child that lived this long was healthy: its next crash starts the delays over. */
const HEALTHY_MS = 60_000;
/**
 * Ctrl-C reaches the children and the parent at once, and a child may exit before the parent
 * has seen its own signal: a polite exit (code 0, SIGTERM, SIGINT, SIGHUP) waits this long for
 * the parent to start stopping before it counts as a crash.
 */
const POLITE_EXIT_GRACE_MS = 500;
const POLITE_SIGNALS = new Set(['SIGTERM', 'SIGINT', 'SIGHUP']);
/** How often the holder of the home is looked at while another instance has it (one /proc read). */
const HOLDER_CHECK_MS = 2000;

export interface Supervised {
  stop(): Promise<void>;
  pid(): number | undefined;
}

export interface SuperviseOptions {
  name: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  log: Logger;
  stop?: AbortSignal;
  /** The script's pid file and the script name its holder runs: while another instance holds it, ours waits. */
  instance: { pidFile: string; marker: string; procDir?: string };
  holderCheckMs?: number;
}

/**
 * Keeps one long-running script alive: a child that crashes is restarted with a growing delay
 * and each crash is logged, so a broken harvesterlog does not spin and does not vanish quietly.
 * A child that exits because the suite is stopping (`stop` aborted, or stop() called) is neither
 * logged as a crash nor restarted. A child that finds the home held by another instance (one an
 * earlier, killed suite left, or one started by hand or by cron) is started again as soon as that
 * instance is gone: the suite never gives up its part, and never runs a second one.
 */
export function superviseScript(options: SuperviseOptions): Supervised {
  const { name, argv, log, stop, instance } = options;
  const env = { ...options.env, [SUPERVISOR_PID_ENV]: String(process.pid) };
  let child: ChildProcess | null = null;
  let stopping = stop?.aborted ?? false;
  let delay = FIRST_DELAY_MS;
  let timer: NodeJS.Timeout | null = null;
  let waitingFor: number | null = null;
  stop?.addEventListener('abort', () => (stopping = true), { once: true });

  const waitForHolder = () => {
    timer = null;
    if (stopping) return;
    const holder = pidFileHolder(instance.pidFile, instance);
    if (holder !== null && holder !== child?.pid) {
      if (holder !== waitingFor) {
        log.warn(
          `${name} waits: another ${name} (pid ${holder}) runs for this home (${instance.pidFile}); ours starts when it stops`,
        );
        waitingFor = holder;
      }
      timer = setTimeout(waitForHolder, options.holderCheckMs ?? HOLDER_CHECK_MS);
      return;
    }
    if (waitingFor === null) {
      // refused, yet nobody holds the home by now: whatever it was, never retry in a tight loop
      timer = setTimeout(startChild, FIRST_DELAY_MS);
      return;
    }
    log.info(`${name}: the other ${name} (pid ${waitingFor}) is gone; starting ours`);
    waitingFor = null;
    startChild();
  };

  const onExit = (startedAt: number, code: number | null, signal: NodeJS.Signals | null) => {
    child = null;
    const how = signal ?? `code ${code}`;
    if (stopping) {
      log.info(`${name} stopped (${how})`);
      return;
    }
    if (code === ALREADY_RUNNING) {
      waitForHolder();
      return;
    }
    if (Date.now() - startedAt >= HEALTHY_MS) delay = FIRST_DELAY_MS;
    log.error(`${name} exited (${how}); restarting in ${Math.round(delay / 1000)} s`);
    timer = setTimeout(startChild, delay);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  };

  const startChild = () => {
    timer = null;
    if (stopping) return;
    const startedAt = Date.now();
    child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    log.info(`${name} started (pid ${child.pid})`);
    child.once('exit', (code, signal) => {
      const polite = code === 0 || (signal !== null && POLITE_SIGNALS.has(signal));
      if (!polite || stopping) {
        onExit(startedAt, code, signal);
        return;
      }
      timer = setTimeout(() => onExit(startedAt, code, signal), POLITE_EXIT_GRACE_MS);
    });
  };
  startChild();

  return {
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      const killTimer = setTimeout(() => running.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killTimer);
    },
  };
}
