import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { acquirePidFile } from '../farm/pid-file.js';
import type { Logger } from '../util/logger.js';

/** How often a waiting suite looks whether the other one is gone. */
const CHECK_MS = 2000;

/**
 * One suite per home: logs/start.pid. A second `node scripts/start.js` (an `npm start` whose npm
 * was killed left its suite running; a second service) says once that it waits and takes the home
 * over as soon as the other suite is gone, instead of running diskhand and the collectors twice.
 * Resolves with the release function, or null when stopped while waiting.
 */
export async function takeHome(
  paths: HomePaths,
  log: Logger,
  print: (line: string) => void,
  stop: AbortSignal,
  checkMs = CHECK_MS,
): Promise<(() => void) | null> {
  const file = path.join(paths.logsDir, 'start.pid');
  let waitingFor: number | null = null;
  while (!stop.aborted) {
    const result = acquirePidFile(file, {
      marker: 'start.js',
      what: 'goplot suite',
      onReplaced: (message) => log.warn(message),
    });
    if (result.ok) {
      if (waitingFor !== null) log.info(`the other suite (pid ${waitingFor}) is gone: this one takes the home over`);
      return result.release;
    }
    if (result.pid !== waitingFor) {
      const message = `another suite (pid ${result.pid}) runs for this home: this one waits and takes over when it stops (to stop it: kill ${result.pid})`;
      log.warn(message);
      print(message);
      waitingFor = result.pid;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, checkMs);
      stop.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  return null;
}
