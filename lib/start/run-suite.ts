import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '../config/config-reader.js';
import { PACKAGE_ROOT, type HomePaths } from '../config/home.js';
import { configLogSink, createLogger, type Logger } from '../util/logger.js';
import { initValueFiles } from '../config/write-value.js';
import { rolesOf, type Role } from '../config/value-parsers.js';
import { isolateJob, type IsolatedRun } from './isolated-run.js';
import { scheduleLive, type LiveSchedules, type ScheduleSetting } from './live-schedules.js';
import { suiteJobs } from './suite-jobs.js';
import { superviseScript, type Supervised } from './supervise.js';
import { errorMessage } from '../util/error-message.js';

export interface SuiteOptions {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  stop: AbortSignal;
  print: (line: string) => void;
}

const script = (relative: string) => path.join(PACKAGE_ROOT, relative);
/** Each long-running script, the role that needs it, and the pid file that makes it one per home. */
const LONG_RUNNING: { part: string; role: Role; pidFile: string; wanted?: (config: ConfigReader) => boolean }[] = [
  { part: 'scripts/goplot.js', role: 'plotter', pidFile: 'goplot.pid' },
  { part: 'scripts/harvesterlog.js', role: 'harvester', pidFile: 'harvesterlog.pid' },
  // an archiver with nothing to empty would only idle: it runs once archive_staging names a farm or disk
  {
    part: 'scripts/archiver.js',
    role: 'plotter',
    pidFile: 'archiver.pid',
    wanted: (config) => config.get('archive_staging') !== '',
  },
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
    if (created.length > 0)
      log.info(`first start: created ${created.length} value files with their defaults in ${paths.configDir}`);
    const config = new ConfigReader(paths, configLogSink(log), env);
    const childEnv = { UV_THREADPOOL_SIZE: '64', ...env, GOPLOT_HOME: paths.home };
    let diskhandLogger: Logger | null = null;
    // config/role.goplot: a harvester host runs no loop and no getfarm, which would only fail there
    const role = config.get('role');
    const roles = rolesOf(role);
    const allJobs = suiteJobs(
      paths,
      childEnv,
      () => (diskhandLogger ??= createLogger(paths, 'diskhand', 'diskhand.log')),
    );
    const jobs = allJobs.filter((job) => roles.has(job.role));
    const longRunning = LONG_RUNNING.filter(
      (candidate) =>
        roles.has(candidate.role) && (candidate.wanted?.(config) ?? true) && fs.existsSync(script(candidate.part)),
    );
    const bySetting = (setting: ScheduleSetting) => {
      const isolated = jobs.filter((job) => job.setting === setting).map((job) => isolateJob(job, log));
      runs.push(...isolated);
      return async () => {
        if (stop.aborted) return;
        await Promise.all(isolated.map((run) => run()));
      };
    };
    const scheduled = [
      { setting: 'diskhand_schedule' as const, what: 'diskhand', run: bySetting('diskhand_schedule') },
      { setting: 'collector_schedule' as const, what: 'the collectors', run: bySetting('collector_schedule') },
    ].filter((entry) => jobs.some((job) => job.setting === entry.setting));
    schedules = scheduleLive({ config, log, watchDir: paths.configDir, jobs: scheduled });
    for (const { part, pidFile } of longRunning) {
      const name = path.basename(part, '.js');
      supervised.push(
        superviseScript({
          name,
          argv: [script(part), '--home', paths.home],
          env: childEnv,
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

    const leftOut = [
      ...LONG_RUNNING.filter((candidate) => !roles.has(candidate.role)).map(({ part }) => part),
      ...allJobs.filter((job) => !roles.has(job.role)).map((job) => job.script),
    ];
    log.info(
      `role ${role}: ${leftOut.length === 0 ? 'every part runs' : `left out: ${leftOut.join(', ')}`} (config/role.goplot, read at start)`,
    );
    const when = (setting: ScheduleSetting, what: string) =>
      scheduled.some((entry) => entry.setting === setting) ? [`${what} at "${schedules!.expression(setting)}"`] : [];
    const timed = [
      ...when('diskhand_schedule', 'diskhand'),
      ...when(
        'collector_schedule',
        `collectors (${jobs
          .filter((job) => job.setting === 'collector_schedule')
          .map((job) => path.basename(job.script, '.js'))
          .join(', ')})`,
      ),
    ];
    log.info(
      `suite started: ${longRunning.map(({ part }) => part).join(', ') || 'no long-running part'}; ${timed.join(', ') || 'nothing scheduled'}` +
        `${timed.length > 0 ? ', in this process (a change to a schedule takes effect without a restart)' : ''}`,
    );
    print(`goplot-ts running for home ${paths.home} (logs in ${paths.logsDir}); Ctrl-C stops it, plots keep running`);
    if (roles.has('plotter') && config.get('on_toggle') !== 'run') {
      print(
        `on_toggle is ${JSON.stringify(config.get('on_toggle'))}: nothing will plot until you run \`npx goplot start\` (or echo run > ${config.inspect('on_toggle').file})`,
      );
    }
  } catch (error) {
    log.error(`cannot start: ${errorMessage(error)}; stopping what had started`);
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
