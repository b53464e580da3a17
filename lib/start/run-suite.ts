import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '../config/config-reader.js';
import { PACKAGE_ROOT, type HomePaths } from '../config/home.js';
import { configLogSink, createLogger, type Logger } from '../util/logger.js';
import { initValueFiles } from '../config/write-value.js';
import { isolateJob, type IsolatedRun } from './isolated-run.js';
import { scheduleLive, type LiveSchedules, type ScheduleSetting } from './live-schedules.js';
import { suiteJobs } from './suite-jobs.js';
import { superviseScript, type Supervised } from './supervise.js';

export interface SuiteOptions {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  stop: AbortSignal;
  print: (line: string) => void;
}

const script = (relative: string) => path.join(PACKAGE_ROOT, relative);
/** Each long-running script and the pid file that makes it one per home. */
const LONG_RUNNING = [
  { part: 'scripts/goplot.js', pidFile: 'goplot.pid' },
  { part: 'scripts/harvesterlog.js', pidFile: 'harvesterlog.pid' },
];
/** A run hung in a dead disk may never end: stopping waits this long for runs, then goes. */
const STOP_WAIT_MS = 10_000;

/**
 * `node scripts/start.js`: the loop and harvesterlog kept alive as child processes, diskhand and
 * the collectors run inside this process on cron schedules from config (followed live), each
 * run isolated (lib/start/isolated-run.ts). The schedules are set up before any child starts:
 * a start that fails stops what it started, says why in start.log and rejects, rather than
 * leaving children behind a deaf parent.
 */
export async function runSuite({ paths, env, log, stop, print }: SuiteOptions): Promise<void> {
  const supervised: Supervised[] = [];
  let schedules: LiveSchedules | null = null;
  const runs: IsolatedRun[] = [];
  try {
    const { created } = initValueFiles(paths);
    if (created.length > 0) log.info(`first start: created ${created.length} value files with their defaults in ${paths.configDir}`);
    const config = new ConfigReader(paths, configLogSink(log), env);
    const childEnv = { ...env, GOPLOT_HOME: paths.home };
    let diskhandLogger: Logger | null = null;
    const jobs = suiteJobs(paths, childEnv, () => (diskhandLogger ??= createLogger(paths, 'diskhand', 'diskhand.log')));
    const bySetting = (setting: ScheduleSetting) => {
      const isolated = jobs.filter((job) => job.setting === setting).map((job) => isolateJob(job, log));
      runs.push(...isolated);
      return async () => {
        if (stop.aborted) return;
        await Promise.all(isolated.map((run) => run()));
      };
    };
    const runDiskhand = bySetting('diskhand_schedule');
    const runCollectors = bySetting('collector_schedule');
    schedules = scheduleLive({
      config,
      log,
      watchDir: paths.configDir,
      jobs: [
        { setting: 'diskhand_schedule', what: 'diskhand', run: runDiskhand },
        { setting: 'collector_schedule', what: 'the collectors', run: runCollectors },
      ],
    });
    for (const { part, pidFile } of LONG_RUNNING.filter((candidate) => fs.existsSync(script(candidate.part)))) {
      const name = path.basename(part, '.js');
      supervised.push(superviseScript({
        name, argv: [script(part), '--home', paths.home], env: childEnv, log, stop,
        instance: { pidFile: path.join(paths.logsDir, pidFile), marker: `${name}.js` },
      }));
    }
    // Disk states and metrics exist from the first minute on, not only after the first tick.
    void runDiskhand().then(runCollectors);

    log.info(`suite started: ${LONG_RUNNING.map(({ part }) => part).join(', ')}; diskhand at "${schedules.expression('diskhand_schedule')}", ` +
      `collectors at "${schedules.expression('collector_schedule')}", both in this process (a change to either schedule takes effect without a restart)`);
    print(`goplot-ts running for home ${paths.home} (logs in ${paths.logsDir}); Ctrl-C stops it, plots keep running`);
    if (config.get('on_toggle') !== 'run') {
      print(`on_toggle is ${JSON.stringify(config.get('on_toggle'))}: nothing will plot until you run \`npx goplot start\` (or echo run > ${config.inspect('on_toggle').file})`);
    }
  } catch (error) {
    log.error(`cannot start: ${error instanceof Error ? error.message : String(error)}; stopping what had started`);
    await stopAll(schedules, supervised, runs);
    throw error;
  }

  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  await stopAll(schedules, supervised, runs);
  log.info('suite stopped; running plots keep running');
}

async function stopAll(schedules: LiveSchedules | null, supervised: Supervised[], runs: IsolatedRun[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const runsEnded = Promise.race([
    Promise.all(runs.map((run) => run.settled())),
    new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS))),
  ]).finally(() => clearTimeout(timer));
  await Promise.all([schedules?.stop(), ...supervised.map((child) => child.stop()), runsEnded]);
}
