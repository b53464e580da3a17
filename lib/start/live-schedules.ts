import fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as NodeCron from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import type { ConfigReader } from '../config/config-reader.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/error-message.js';

export type ScheduleSetting = 'diskhand_schedule' | 'collector_schedule';

export interface ScheduledJob {
  setting: ScheduleSetting;
  /** For the log: `diskhand`, `the collectors`. */
  what: string;
  run: () => Promise<void>;
}

export interface LiveSchedulesOptions {
  config: ConfigReader;
  jobs: ScheduledJob[];
  log: Logger;
  /** config/: a change there is looked at within a moment. */
  watchDir: string;
  /** The schedules are read again this often too, where the dir cannot be watched (NFS). */
  checkEveryMs?: number;
}

export interface LiveSchedules {
  /** The schedule each setting runs at now. */
  expression(setting: ScheduleSetting): string;
  stop(): Promise<void>;
}

interface Entry {
  job: ScheduledJob;
  expression: string;
  task: ScheduledTask;
}

/** Required when the schedules start, not imported at the top: a bundled entry would load it with every --help. */
const nodeCron = () => createRequire(import.meta.url)('node-cron') as typeof NodeCron;

/**
 * Cron tasks for diskhand and the collectors that follow their value files: `goplot set
 * collector_schedule '*\/5 * * * *'` takes effect within a second, without a restart, and the
 * change is logged. A job never overlaps itself, not even across a reschedule. Throws at start
 * when a schedule cannot be scheduled, so nothing else has started yet.
 */
export function scheduleLive(options: LiveSchedulesOptions): LiveSchedules {
  const { config, log } = options;
  const cron = nodeCron();
  const schedule = (job: ScheduledJob, expression: string): ScheduledTask => {
    if (!cron.validate(expression))
      throw new Error(`config/${job.setting}.goplot: node-cron cannot schedule ${JSON.stringify(expression)}`);
    let busy = false;
    const runAlone = async () => {
      if (busy) return;
      busy = true;
      try {
        await job.run();
      } finally {
        busy = false;
      }
    };
    return cron.schedule(expression, runAlone, { name: job.setting });
  };

  const entries: Entry[] = [];
  try {
    for (const job of options.jobs) {
      const expression = config.get(job.setting);
      entries.push({ job, expression, task: schedule(job, expression) });
    }
  } catch (error) {
    for (const entry of entries) void entry.task.destroy();
    throw error;
  }

  const recheck = () => {
    for (const entry of entries) {
      const expression = config.get(entry.job.setting);
      if (expression === entry.expression) continue;
      try {
        const task = schedule(entry.job, expression);
        void entry.task.destroy();
        log.info(
          `${entry.job.setting} changed from "${entry.expression}" to "${expression}": ${entry.job.what} now run at "${expression}"`,
        );
        Object.assign(entry, { expression, task });
      } catch (error) {
        log.error(`${errorMessage(error)}; ${entry.job.what} keep running at "${entry.expression}"`);
      }
    }
  };

  const checkEveryMs = options.checkEveryMs ?? 60_000;
  const cannotWatch = (error: unknown) =>
    log.warn(
      `cannot watch ${options.watchDir} (${errorMessage(error)}); schedule changes are seen within ${Math.round(checkEveryMs / 1000)} s`,
    );
  let debounce: NodeJS.Timeout | null = null;
  const soon = () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(recheck, 200);
  };
  let watcher: fs.FSWatcher | null = null;
  try {
    watcher = fs.watch(options.watchDir, soon);
    watcher.on('error', (error) => {
      cannotWatch(error);
      watcher?.close();
      watcher = null;
    });
  } catch (error) {
    cannotWatch(error);
  }
  const poll = setInterval(recheck, checkEveryMs);

  return {
    expression: (setting) => entries.find((entry) => entry.job.setting === setting)?.expression ?? '',
    async stop() {
      clearInterval(poll);
      if (debounce) clearTimeout(debounce);
      watcher?.close();
      await Promise.all(entries.map((entry) => entry.task.destroy()));
    },
  };
}
