import path from 'node:path';
import chokidar from 'chokidar';
import { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { configLogSink, type Logger } from '../util/logger.js';
import { initValueFiles } from '../config/write-value.js';
import { decideWithWorld } from '../plan/decide-with-world.js';
import type { StartWorld } from '../plan/start-world.js';
import { acquirePidFile } from './pid-file.js';
import { Waker } from './waker.js';
import { errorMessage } from '../util/run-main.js';

/** How often an unchanged "not started" reason is written again, so the log shows the loop lives. */
export const HEARTBEAT_MS = 10 * 60 * 1000;
/** `echo 2 > file` truncates before it writes: read after the writer is done. */
const CONFIG_SETTLE_MS = 150;

/** The loop's view of the world, passed in so tests and the script can differ. */
export interface LoopWorld extends StartWorld {
  launchTractor: (onExit: (code: number | null, signal: NodeJS.Signals | null) => void) => number | undefined;
}

export interface LoopOptions {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  world: LoopWorld;
  stop: AbortSignal;
}

export type LoopResult = { ok: true } | { ok: false; message: string };

export async function runLoop({ paths, env, log, world, stop }: LoopOptions): Promise<LoopResult> {
  const pidFile = acquirePidFile(path.join(paths.logsDir, 'goplot.pid'), { marker: 'goplot.js' });
  if (!pidFile.ok) return { ok: false, message: pidFile.message };

  const { created } = initValueFiles(paths);
  if (created.length > 0) log.info(`created ${created.length} missing value files with their defaults in ${paths.configDir}`);
  const config = new ConfigReader(paths, configLogSink(log), env);
  const waker = new Waker();
  let settle: NodeJS.Timeout | null = null;
  const watcher = chokidar.watch(paths.configDir, { ignoreInitial: true, depth: 0 });
  watcher.on('all', (_event, file) => {
    if (!file.endsWith('.goplot')) return;
    if (settle) clearTimeout(settle);
    settle = setTimeout(() => waker.wake(), CONFIG_SETTLE_MS);
  });
  // a change made before the watcher is ready would be missed until the next poll
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  stop.addEventListener('abort', () => waker.wake(), { once: true });
  const loopStartedMs = world.now();
  log.info(`loop started for home ${paths.home}`);

  let lastKey = '';
  let lastLoggedMs = 0;
  // A tractor that died before it had a plot (a crash, a full disk) could not count its failure:
  // the loop counts it here, so it backs off instead of launching one tractor after another.
  const crashes = { count: 0, lastS: 0 };
  /** One decision and its consequence; returns how long to sleep. */
  const runPass = async (): Promise<number> => {
    const decision = await decideWithWorld(config, world, loopStartedMs, crashes);
    const nowMs = world.now();
    if (stop.aborted) return 0;
    if (decision.start) {
      // the tractor writes last_start once it has a plot; a refused one sets off the back-off instead
      const pid = world.launchTractor((code, signal) => {
        if (signal !== null || (code !== null && code > 2)) {
          crashes.count++;
          crashes.lastS = Math.floor(world.now() / 1000);
          log.error(`tractor pid ${pid ?? '?'} ended unexpectedly (${signal ?? `exit code ${code}`}); see its lines above`);
        } else if (code === 0 || code === 1) {
          crashes.count = 0;
        }
        waker.wake();
      });
      log.info(`starting a plot: ${decision.reason}; tractor pid ${pid ?? '?'}`);
    } else if (decision.key !== lastKey || nowMs - lastLoggedMs >= HEARTBEAT_MS) {
      log.info(`${decision.key === lastKey ? 'still not started' : 'not started'}: ${decision.reason}`);
      lastLoggedMs = nowMs;
    }
    lastKey = decision.key;
    const pollMs = config.get('plot_poll') * 1000;
    const retryMs = !decision.start && decision.retryAtMs !== undefined ? decision.retryAtMs - nowMs + 20 : Infinity;
    return Math.min(pollMs, retryMs);
  };
  try {
    while (!stop.aborted) {
      let pause: number;
      try {
        pause = await runPass();
      } catch (error) {
        // a full disk, a directory where a state file belongs: said, and tried again, never a dead loop
        pause = Math.max(5, config.get('plot_poll')) * 1000;
        log.error(`loop pass failed: ${errorMessage(error)}; trying again in ${pause / 1000} s`);
      }
      await waker.sleep(pause);
    }
  } finally {
    if (settle) clearTimeout(settle);
    await watcher.close();
    pidFile.release();
  }
  log.info('loop stopped; running plots keep running');
  return { ok: true };
}
