import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { ConfigReader } from '../config/config-reader.js';
import { readFarmSnapshot } from '../farm/farm-snapshot.js';
import { formatDuration } from '../util/format-duration.js';
import { PACKAGE_ROOT } from '../config/home.js';
import { setValue } from '../config/write-value.js';
import { makeSandbox, type Sandbox } from './make-sandbox.js';
import { addDemoJobs } from './demo-jobs.js';
import { simulateHarvester } from './simulated-harvester.js';
import { formatMigration } from '../migrate/format-migration.js';
import { readMigration } from '../migrate/read-migration.js';

export interface DemoOptions {
  /** How long new plots may start; running ones are then waited for. */
  seconds: number;
  /** Wall time of one simulated plot. */
  plotSeconds: number;
  dir?: string;
  out: (line: string) => void;
}

const script = (relative: string) => path.join(PACKAGE_ROOT, relative);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the cron-style parts once: diskhand and whichever collectors exist. */
async function runPeriodicParts(env: NodeJS.ProcessEnv): Promise<void> {
  const parts = [
    'scripts/diskhand.js',
    'collectors/goplot_collector.js',
    'collectors/getharvester_collector.js',
  ].filter((part) => fs.existsSync(script(part)));
  for (const part of parts) await execa('node', [script(part)], { env, reject: false, timeout: 30_000 });
}

async function readFarm(sandbox: Sandbox) {
  const snapshot = await readFarmSnapshot({
    config: new ConfigReader(sandbox.paths, () => {}, process.env),
    now: Date.now,
  });
  return { plots: snapshot.plots, made: snapshot.disks.reduce((sum, disk) => sum + (disk.plotFiles?.count ?? 0), 0) };
}

async function progressLine(sandbox: Sandbox, elapsedS: number, seeded: number): Promise<string> {
  const farm = await readFarm(sandbox);
  const plots = farm.plots.map(
    (plot) => `#${plot.index ?? '?'} ${plot.job} p${plot.phase || '-'} ${Math.floor(plot.progress * 100)}%`,
  );
  return `[${formatDuration(elapsedS).padStart(7)}] running ${farm.plots.length}${plots.length ? ` (${plots.join(', ')})` : ''} | plots made ${farm.made - seeded}`;
}

function summarise(sandbox: Sandbox, out: (line: string) => void): { made: number; failed: number } {
  const log = fs.readFileSync(path.join(sandbox.paths.logsDir, 'goplot.log'), 'utf8');
  const finished = [...log.matchAll(/plot (\d+) finished in (.+?) \((.+?)\)$/gm)];
  const jobOf = new Map([...log.matchAll(/plot (\d+) started for job (\S+):/gm)].map(([, index, job]) => [index, job]));
  const failed = [...log.matchAll(/plot (\d+) failed: (.+?);/gm)];
  out('');
  out(`summary: ${finished.length} plots made, ${failed.length} failed`);
  for (const [, index, took, where] of finished)
    out(`  plot ${index.padStart(2)}  ${(jobOf.get(index) ?? 'default').padEnd(5)}  ${took.padEnd(8)}  -> ${where}`);
  for (const [, index, why] of failed) out(`  plot ${index.padStart(2)}  failed: ${why}`);
  const groups = [...log.matchAll(/group (\d+) finished: (\d+)\/(\d+) plots in (\S+) \((\S+), meta group (\d+)\)$/gm)];
  for (const [, index, done, size, took, where, meta] of groups)
    out(
      `  group ${index!.padStart(2)}  pos2   ${took!.padEnd(8)}  -> ${where} (${done}/${size} pos2 plots, meta group ${meta})`,
    );
  out('');
  out('look at:');
  out(`  tail -f ${path.join(sandbox.paths.logsDir, 'goplot.log')}`);
  out(`  ls ${sandbox.farmRoot}/*/*/plots`);
  out(`  cat ${sandbox.paths.disksDir}/*/*.goplot       (diskhand's disk states)`);
  out(`  ls ${sandbox.promDir}                           (Prometheus textfiles; getfarm needs a real chia)`);
  out(`  GOPLOT_HOME=${sandbox.paths.home} npx goplot status   (or view, config, analyze)`);
  out(`  rm -rf ${sandbox.root}                         (when done)`);
  return { made: finished.length, failed: failed.length };
}

/** The summary `goplot migrate` gives for the sandbox's farm, as it stands after the run. */
async function printMigration(sandbox: Sandbox, env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> {
  const { height, plan } = await readMigration(new ConfigReader(sandbox.paths, () => {}, env), env, Date.now());
  out('');
  out(`migration (GOPLOT_HOME=${sandbox.paths.home} npx goplot migrate):`);
  if (plan === null) out(`  the chain height is unknown: ${height.problems.join('; ')}`);
  else for (const line of formatMigration(plan, height).split('\n')) out(line === '' ? '' : `  ${line}`);
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const { out } = options;
  const sandbox = makeSandbox(options.dir);
  const env = { ...process.env, GOPLOT_HOME: sandbox.paths.home, SIMPLOTTER_SECONDS: String(options.plotSeconds) };
  out(`goplot demo in ${sandbox.root}`);
  out(`  2 farms x 3 disks under ${sandbox.farmRoot}, temp dirs ${sandbox.tempRoot}/1 and /2`);
  out(
    `  the simulated plotter (k25, ${options.plotSeconds} s a plot), max_plots 4 for all jobs; plots start for ${options.seconds} s`,
  );
  // room for the pos2 job beside the two pos1 ones
  setValue(sandbox.paths, 'max_plots', '4');
  for (const line of addDemoJobs(sandbox)) out(line);
  for (const line of sandbox.seeded) out(line);
  out('');
  await runPeriodicParts(env);
  // the seeded plots are not made by this run
  const seeded = (await readFarm(sandbox)).made;
  const loop = spawn('node', [script('scripts/goplot.js')], { env, stdio: 'ignore' });
  // no chia here: a simulated harvester writes challenge lines for harvesterlog to follow
  fs.writeFileSync(sandbox.chiaLog, '');
  const harvesterlog = spawn('node', [script('scripts/harvesterlog.js')], { env, stdio: 'ignore' });
  const stopHarvester = simulateHarvester(sandbox.chiaLog, 2000);
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  let nextPeriodic = Date.now() + 10_000;
  try {
    while (elapsed() < options.seconds) {
      await sleep(2000);
      out(await progressLine(sandbox, elapsed(), seeded));
      if (Date.now() >= nextPeriodic) {
        await runPeriodicParts(env);
        nextPeriodic = Date.now() + 10_000;
      }
    }
    setValue(sandbox.paths, 'on_toggle', 'off');
    out('time is up: on_toggle is off, waiting for the running plots to finish');
    const deadline = Date.now() + (options.plotSeconds * 2 + 30) * 1000;
    while (Date.now() < deadline && (await readFarm(sandbox)).plots.length > 0) {
      await sleep(2000);
      out(await progressLine(sandbox, elapsed(), seeded));
    }
  } finally {
    stopHarvester();
    for (const child of [loop, harvesterlog]) child.kill('SIGTERM');
    await Promise.all(
      [loop, harvesterlog].map(
        (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
      ),
    );
  }
  await runPeriodicParts(env);
  const { made } = summarise(sandbox, out);
  await printMigration(sandbox, env, out);
  return made > 0 ? 0 : 1;
}
