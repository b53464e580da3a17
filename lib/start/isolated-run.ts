import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/error-message.js';

/** What a run reports: a failure the job noticed itself (a collector that kept its last good file). */
export type RunOutcome = { ok: true } | { ok: false; problem: string };

export interface IsolatedJob {
  /** For the log: `diskhand`, `the getfarm collector`. */
  name: string;
  run: () => Promise<RunOutcome>;
  /** A run still going after this long is left to finish on its own and said once. */
  timeoutMs: number;
}

export type IsolatedRun = (() => Promise<void>) & {
  /** Resolves when no run of this job is going (a hung one may keep it pending). */
  settled: () => Promise<void>;
};

/**
 * One job run inside the supervisor's process, isolated so that the suite outlives it: a run
 * that throws or reports a failure is logged when the job starts failing and when it works
 * again, not on every run; a run that hangs past its timeout is said once and left to finish
 * on its own (in-process work cannot be killed), and the job's next run waits until it has,
 * as `flock -n` keeps a hung cron job from piling up; ticks meanwhile are skipped quietly.
 */
export function isolateJob(job: IsolatedJob, log: Logger, now: () => number = Date.now): IsolatedRun {
  let failing: string | null = null;
  let pending: Promise<void> | null = null;
  let hungSince: number | null = null;

  const settle = (outcome: RunOutcome) => {
    if (outcome.ok) {
      if (failing !== null) log.info(`${job.name} works again`);
      failing = null;
      return;
    }
    if (failing !== null) return;
    failing = outcome.problem;
    log.warn(`${job.name} failed: ${outcome.problem} (said once until it works again)`);
  };

  const start = (): Promise<void> => {
    const startedAt = now();
    const run = (async () => {
      let outcome: RunOutcome;
      try {
        outcome = await job.run();
      } catch (error) {
        outcome = { ok: false, problem: errorMessage(error) };
      }
      if (hungSince !== null) {
        log.info(
          `${job.name}: the run that hung ended after ${Math.round((now() - startedAt) / 1000)} s; its runs go on`,
        );
        hungSince = null;
      }
      settle(outcome);
    })();
    pending = run.finally(() => {
      pending = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        hungSince = startedAt;
        log.error(
          `${job.name} did not finish within ${Math.round(job.timeoutMs / 1000)} s (a hung disk or command?); its next run waits until this one ends`,
        );
        resolve();
      }, job.timeoutMs);
    });
    return Promise.race([pending, timedOut]).finally(() => clearTimeout(timer));
  };

  const runOnce = (): Promise<void> => (pending ? Promise.resolve() : start());
  return Object.assign(runOnce, { settled: async () => void (await pending) });
}
