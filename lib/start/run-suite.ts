import path from 'node:path';
import { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { configLogSink, type Logger } from '../util/logger.js';
import { initValueFiles } from '../config/write-value.js';
import { isolateJob, type IsolatedRun } from './isolated-run.js';
import { scheduleLive, type LiveSchedules, type ScheduledJob, type ScheduleSetting } from './live-schedules.js';
import { packageScript, planSuite, type SuitePlan } from './suite-plan.js';
import { superviseScript, type Supervised } from './supervise.js';
import { errorMessage } from '../util/error-message.js';

export interface SuiteOptions {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  stop: AbortSignal;
  print: (line: string) => void;
}

/** A run hung in a dead disk may never end: stopping waits this long for runs, then goes. */
const STOP_WAIT_MS = 10_000;

/** What has started so far: all of it is stopped at the end, or when the start fails half-way. */
interface StartedParts {
  schedules: LiveSchedules | null;
  supervised: Supervised[];
  runs: IsolatedRun[];
}

/**
 * `node scripts/start.js`: the loop and harvesterlog kept alive as child processes, diskhand and
 * the collectors run inside this process on cron schedules from config (followed live), each
 * run isolated (lib/start/isolated-run.ts). The schedules are set up before any child starts:
 * a start that fails stops what it started, says why in start.log and rejects, rather than
 * leaving children behind a deaf parent.
 */
export async function runSuite(options: SuiteOptions): Promise<void> {
  const { paths, env, log, stop } = options;
  const started: StartedParts = { schedules: null, supervised: [], runs: [] };
  try {
    const { created } = initValueFiles(paths);
    if (created.length > 0)
      log.info(`first start: created ${created.length} value files with their defaults in ${paths.configDir}`);
    const config = new ConfigReader(paths, configLogSink(log), env);
    const plan = planSuite(paths, env, config);
    const { scheduled, schedules } = startParts(plan, config, started, options);
    sayStarted(plan, scheduled, schedules, config, options);
  } catch (error) {
    log.error(`cannot start: ${errorMessage(error)}; stopping what had started`);
    await stopAll(started);
    throw error;
  }

  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  await stopAll(started);
  log.info('suite stopped; running plots keep running');
}

/**
 * Schedules first, then the children, then the first scheduled runs; each part goes into `started`
 * as it starts, so a failure part-way stops exactly what had started.
 */
function startParts(
  plan: SuitePlan,
  config: ConfigReader,
  started: StartedParts,
  { paths, log, stop }: SuiteOptions,
): { scheduled: ScheduledJob[]; schedules: LiveSchedules } {
  const bySetting = (setting: ScheduleSetting) => {
    const isolated = plan.jobs.filter((job) => job.setting === setting).map((job) => isolateJob(job, log));
    started.runs.push(...isolated);
    return async () => {
      if (stop.aborted) return;
      await Promise.all(isolated.map((run) => run()));
    };
  };
  const scheduled = [
    { setting: 'diskhand_schedule' as const, what: 'diskhand', run: bySetting('diskhand_schedule') },
    { setting: 'collector_schedule' as const, what: 'the collectors', run: bySetting('collector_schedule') },
  ].filter((entry) => plan.jobs.some((job) => job.setting === entry.setting));
  const schedules = scheduleLive({ config, log, watchDir: paths.configDir, jobs: scheduled });
  started.schedules = schedules;
  for (const { part, pidFile } of plan.longRunning) {
    const name = path.basename(part, '.js');
    started.supervised.push(
      superviseScript({
        name,
        argv: [packageScript(part), '--home', paths.home],
        env: plan.childEnv,
        log,
        stop,
        instance: { pidFile: path.join(paths.logsDir, pidFile), marker: `${name}.js` },
      }),
    );
  }
  // Disk states and metrics exist from the first minute on, not only after the first tick.
  void (async () => {
    for (const entry of scheduled) await entry.run();
  })();
  return { scheduled, schedules };
}

/** The log's account of what runs and when, and the farmer's two lines on the terminal. */
function sayStarted(
  plan: SuitePlan,
  scheduled: ScheduledJob[],
  schedules: LiveSchedules,
  config: ConfigReader,
  { paths, log, print }: SuiteOptions,
): void {
  const { role, leftOut, jobs, longRunning } = plan;
  log.info(
    `role ${role}: ${leftOut.length === 0 ? 'every part runs' : `left out: ${leftOut.join(', ')}`} (config/role.goplot, read at start)`,
  );
  const when = (setting: ScheduleSetting, what: string) =>
    scheduled.some((entry) => entry.setting === setting) ? [`${what} at "${schedules.expression(setting)}"`] : [];
  const collectors = jobs
    .filter((job) => job.setting === 'collector_schedule')
    .map((job) => path.basename(job.script, '.js'))
    .join(', ');
  const timed = [...when('diskhand_schedule', 'diskhand'), ...when('collector_schedule', `collectors (${collectors})`)];
  log.info(
    `suite started: ${longRunning.map(({ part }) => part).join(', ') || 'no long-running part'}; ${timed.join(', ') || 'nothing scheduled'}` +
      `${timed.length > 0 ? ', in this process (a change to a schedule takes effect without a restart)' : ''}`,
  );
  print(`goplot-ts running for home ${paths.home} (logs in ${paths.logsDir}); Ctrl-C stops it, plots keep running`);
  if (plan.roles.has('plotter') && config.get('on_toggle') !== 'run') {
    print(
      `on_toggle is ${JSON.stringify(config.get('on_toggle'))}: nothing will plot until you run \`npx goplot start\` (or echo run > ${config.inspect('on_toggle').file})`,
    );
  }
}

async function stopAll({ schedules, supervised, runs }: StartedParts): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const runsEnded = Promise.race([
    Promise.all(runs.map((run) => run.settled())),
    new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS))),
  ]).finally(() => clearTimeout(timer));
  await Promise.all([schedules?.stop(), ...supervised.map((child) => child.stop()), runsEnded]);
}
