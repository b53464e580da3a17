import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { ConfigReader } from '../config/config-reader.js';
import { PACKAGE_ROOT, type HomePaths } from '../config/home.js';
import { configLogSink, type Logger } from '../util/logger.js';
import { initValueFiles } from '../config/write-value.js';
import { scheduleLive, type LiveSchedules } from './live-schedules.js';
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
const COLLECTORS = ['collectors/goplot_collector.js', 'collectors/getfarm_collector.js', 'collectors/getharvester_collector.js'];

/**
 * `npm start`: the loop and harvesterlog kept alive, diskhand and the collectors on cron
 * schedules from config (followed live). Each part is the same script a crontab would run.
 * The schedules are set up before any child starts: a start that fails stops what it started,
 * says why in start.log and rejects, rather than leaving children behind a deaf parent.
 */
export async function runSuite({ paths, env, log, stop, print }: SuiteOptions): Promise<void> {
  const supervised: Supervised[] = [];
  let schedules: LiveSchedules | null = null;
  let runParts: PartRunner | null = null;
  try {
    const { created } = initValueFiles(paths);
    if (created.length > 0) log.info(`first start: created ${created.length} value files with their defaults in ${paths.configDir}`);
    const config = new ConfigReader(paths, configLogSink(log), env);
    const childEnv = { ...env, GOPLOT_HOME: paths.home };
    const runner = partRunner(paths, childEnv, log, stop);
    runParts = runner;
    const collectors = COLLECTORS.filter((part) => fs.existsSync(script(part)));
    schedules = scheduleLive({
      config,
      log,
      watchDir: paths.configDir,
      jobs: [
        { setting: 'diskhand_schedule', what: 'diskhand', run: () => runner(['scripts/diskhand.js']) },
        { setting: 'collector_schedule', what: 'the collectors', run: () => runner(collectors) },
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
    void runner(['scripts/diskhand.js', ...collectors]);

    log.info(`suite started: ${LONG_RUNNING.map(({ part }) => part).join(', ')}; diskhand at "${schedules.expression('diskhand_schedule')}", ` +
      `collectors at "${schedules.expression('collector_schedule')}" (a change to either takes effect without a restart)`);
    print(`goplot-ts running for home ${paths.home} (logs in ${paths.logsDir}); Ctrl-C stops it, plots keep running`);
    if (config.get('on_toggle') !== 'run') {
      print(`on_toggle is ${JSON.stringify(config.get('on_toggle'))}: nothing will plot until you run \`npx goplot start\` (or echo run > ${config.inspect('on_toggle').file})`);
    }
  } catch (error) {
    log.error(`cannot start: ${error instanceof Error ? error.message : String(error)}; stopping what had started`);
    await stopAll(schedules, supervised, runParts);
    throw error;
  }

  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  await stopAll(schedules, supervised, runParts);
  log.info('suite stopped; running plots keep running');
}

async function stopAll(schedules: LiveSchedules | null, supervised: Supervised[], runParts: PartRunner | null): Promise<void> {
  await Promise.all([schedules?.stop(), ...supervised.map((child) => child.stop()), runParts?.settled()]);
}

/**
 * Runs parts one after another, as cron would. A part that fails is logged when it starts
 * failing and when it works again, not on every run: its own log says the details each time
 * they change (collectors.log, diskhand.log).
 */
function partRunner(paths: HomePaths, env: NodeJS.ProcessEnv, log: Logger, stop: AbortSignal): PartRunner {
  const failing = new Set<string>();
  const running = new Set<Promise<void>>();
  const runOnce = async (part: string) => {
    if (stop.aborted) return;
    // a part still running when the suite stops is ended with it; its exit is no failure
    const result = await execa(process.execPath, [script(part), '--home', paths.home], { env, reject: false, timeout: 120_000, cancelSignal: stop });
    if (stop.aborted) return;
    if (result.exitCode === 0) {
      if (failing.delete(part)) log.info(`${part} works again`);
      return;
    }
    if (failing.has(part)) return;
    failing.add(part);
    const how = result.timedOut ? 'a timeout' : result.exitCode === undefined ? (result.signal ?? 'a signal') : `code ${result.exitCode}`;
    log.warn(`${part} exited with ${how}: ${String(result.stderr).split('\n').at(-1) ?? ''} (said once until it works again)`);
  };
  const run = async (parts: string[]) => {
    const done = (async () => {
      for (const part of parts) await runOnce(part);
    })();
    running.add(done);
    await done.finally(() => running.delete(done));
  };
  return Object.assign(run, { settled: () => Promise.all(running).then(() => undefined) });
}

type PartRunner = ((parts: string[]) => Promise<void>) & { settled: () => Promise<void> };
