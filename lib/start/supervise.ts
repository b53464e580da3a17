import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../logger.js';

/** A restart waits 1 s, then twice as long after each quick crash, up to a minute. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;
/** A child that lived this long was healthy: its next crash starts the delays over. */
const HEALTHY_MS = 60_000;

export interface Supervised {
  stop(): Promise<void>;
  pid(): number | undefined;
}

/**
 * Keeps one long-running script alive: a child that crashes is restarted with a growing delay
 * and each crash is logged, so a broken harvesterlog does not spin and does not vanish quietly.
 */
export function superviseScript(name: string, argv: string[], env: NodeJS.ProcessEnv, log: Logger): Supervised {
  let child: ChildProcess | null = null;
  let stopping = false;
  let delay = FIRST_DELAY_MS;
  let timer: NodeJS.Timeout | null = null;

  const startChild = () => {
    const startedAt = Date.now();
    child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    log.info(`${name} started (pid ${child.pid})`);
    child.once('exit', (code, signal) => {
      child = null;
      if (stopping) return;
      if (Date.now() - startedAt >= HEALTHY_MS) delay = FIRST_DELAY_MS;
      log.error(`${name} exited (${signal ?? `code ${code}`}); restarting in ${Math.round(delay / 1000)} s`);
      timer = setTimeout(startChild, delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    });
  };
  startChild();

  return {
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      const killTimer = setTimeout(() => running.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killTimer);
    },
  };
}
