import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import cron from 'node-cron';
import { ConfigReader } from '../config-reader.js';
import { PACKAGE_ROOT, type HomePaths } from '../home.js';
import { configLogSink, type Logger } from '../logger.js';
import { initValueFiles } from '../write-value.js';
import { superviseScript, type Supervised } from './supervise.js';

export interface SuiteOptions {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  stop: AbortSignal;
  print: (line: string) => void;
}

const script = (relative: string) => path.join(PACKAGE_ROOT, relative);
const LONG_RUNNING = ['scripts/goplot.js', 'scripts/harvesterlog.js'];
const COLLECTORS = ['collectors/goplot_collector.js', 'collectors/getfarm_collector.js', 'collectors/getharvester_collector.js'];

/**
 * `npm start`: the loop and harvesterlog kept alive, diskhand and the collectors on cron
 * schedules from config. Each part is the same script a crontab would run.
 */
export async function runSuite({ paths, env, log, stop, print }: SuiteOptions): Promise<void> {
  const { created } = initValueFiles(paths);
  if (created.length > 0) log.info(`first start: created ${created.length} value files with their defaults in ${paths.configDir}`);
  const config = new ConfigReader(paths, configLogSink(log), env);
  const childEnv = { ...env, GOPLOT_HOME: paths.home };
  const supervised: Supervised[] = LONG_RUNNING.filter((part) => fs.existsSync(script(part))).map((part) =>
    superviseScript(path.basename(part, '.js'), [script(part), '--home', paths.home], childEnv, log),
  );

  const runOnce = async (part: string) => {
    const result = await execa(process.execPath, [script(part), '--home', paths.home], { env: childEnv, reject: false, timeout: 120_000 });
    if (result.exitCode !== 0) log.warn(`${part} exited with ${result.timedOut ? 'a timeout' : `code ${result.exitCode}`}: ${result.stderr.split('\n').at(-1) ?? ''}`);
  };
  const schedules: [string, string[]][] = [
    [config.get('diskhand_schedule'), ['scripts/diskhand.js']],
    [config.get('collector_schedule'), COLLECTORS.filter((part) => fs.existsSync(script(part)))],
  ];
  const tasks = schedules.map(([expression, parts]) =>
    cron.schedule(expression, async () => {
      for (const part of parts) await runOnce(part);
    }, { noOverlap: true, name: parts.join(',') }),
  );
  // Disk states and metrics exist from the first minute on, not only after the first tick.
  void runOnce('scripts/diskhand.js').then(() => Promise.all(schedules[1]![1].map(runOnce)));

  log.info(`suite started: ${LONG_RUNNING.join(', ')}; diskhand at "${schedules[0]![0]}", collectors at "${schedules[1]![0]}"`);
  print(`goplot-ts running for home ${paths.home} (logs in ${paths.logsDir}); Ctrl-C stops it, plots keep running`);
  if (config.get('on_toggle') !== 'run') {
    print(`on_toggle is ${JSON.stringify(config.get('on_toggle'))}: nothing will plot until you run \`npx goplot start\` (or echo run > ${config.inspect('on_toggle').file})`);
  }

  await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  for (const task of tasks) await task.stop();
  await Promise.all(supervised.map((child) => child.stop()));
  log.info('suite stopped; running plots keep running');
}
