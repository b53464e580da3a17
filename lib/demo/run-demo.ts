import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
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
  // imported here: a bundled entry imports a package at its top only if the code does
  const { execa } = await import('execa');
  for (const part of parts) await execa('node', [script(part)], { env, reject: false, timeout: 30_000 });
}

/** The pos1 (.plot) and pos2 (.plot2) files on the sandbox's disks. */
export function countPlotFiles(farmRoot: string): { pos1: number; pos2: number } {
  const count = { pos1: 0, pos2: 0 };
  for (const farm of fs.readdirSync(farmRoot))
    for (const disk of fs.readdirSync(path.join(farmRoot, farm)))
      for (const name of fs.readdirSync(path.join(farmRoot, farm, disk, 'plots'))) {
        if (name.endsWith('.plot')) count.pos1++;
        else if (name.endsWith('.plot2')) count.pos2++;
      }
  return count;
}

async function readFarm(sandbox: Sandbox) {
  const snapshot = await readFarmSnapshot({
    config: new ConfigReader(sandbox.paths, () => {}, process.env),
    now: Date.now,
  });
  return { plots: snapshot.plots, files: countPlotFiles(sandbox.farmRoot) };
}

async function progressLine(sandbox: Sandbox, elapsedS: number): Promise<string> {
  const farm = await readFarm(sandbox);
  const plots = farm.plots.map(
    (plot) => `#${plot.index ?? '?'} ${plot.job} p${plot.phase || '-'} ${Math.floor(plot.progress * 100)}%`,
  );
  return `[${formatDuration(elapsedS).padStart(7)}] running ${farm.plots.length}${plots.length ? ` (${plots.join(', ')})` : ''} | on disk: ${farm.files.pos1} pos1, ${farm.files.pos2} pos2 plots`;
}

function summarise(
  sandbox: Sandbox,
  before: { pos1: number; pos2: number },
  out: (line: string) => void,
): { made: number; failed: number; replaced: number } {
  const log = fs.readFileSync(path.join(sandbox.paths.logsDir, 'goplot.log'), 'utf8');
  const finished = [...log.matchAll(/plot (\d+) finished in (.+?) \((.+?)\)$/gm)];
  const jobOf = new Map([...log.matchAll(/plot (\d+) started for job (\S+):/gm)].map(([, index, job]) => [index, job]));
  const failed = [...log.matchAll(/plot (\d+) failed: (.+?);/gm)];
  const groups = [...log.matchAll(/group (\d+) finished: (\d+)\/(\d+) plots in (\S+) \((\S+), meta group (\d+)\)$/gm)];
  // a group's plots count one by one, as the plots made alone do
  const made = finished.length + groups.reduce((sum, group) => sum + Number(group[2]), 0);
  out('');
  out(`summary: ${made} plots made, ${failed.length} failed`);
  for (const [, index, took, where] of finished)
    out(`  plot ${index.padStart(2)}  ${(jobOf.get(index) ?? 'default').padEnd(5)}  ${took.padEnd(8)}  -> ${where}`);
  for (const [, index, why] of failed) out(`  plot ${index.padStart(2)}  failed: ${why}`);
  for (const [, index, done, size, took, where, meta] of groups)
    out(
      `  group ${index!.padStart(2)}  pos2   ${took!.padEnd(8)}  -> ${where} (${done}/${size} pos2 plots, meta group ${meta})`,
    );
  // what each group's room cost: the pos1 plots replot removed as its plots landed
  const removals = [...log.matchAll(/^.*?(group \d+: replot removed .*)$/gm)].map((match) => match[1]!);
  for (const line of removals) out(`  ${line}`);
  const after = countPlotFiles(sandbox.farmRoot);
  out(
    `migrated: ${before.pos1 - after.pos1} pos1 plots replaced by ${after.pos2 - before.pos2} pos2 plots; on disk now ${after.pos1} pos1 and ${after.pos2} pos2 plots`,
  );
  out('');
  out('look at:');
  out(`  tail -f ${path.join(sandbox.paths.logsDir, 'goplot.log')}`);
  out(`  ls ${sandbox.farmRoot}/*/*/plots`);
  out(`  cat ${sandbox.paths.disksDir}/*/*.goplot       (diskhand's disk states)`);
  out(`  ls ${sandbox.promDir}                           (Prometheus textfiles; getfarm needs a real chia)`);
  out(`  GOPLOT_HOME=${sandbox.paths.home} npx goplot status   (or view, config, analyze)`);
  out(`  rm -rf ${sandbox.root}                         (when done)`);
  return { made, failed: failed.length, replaced: before.pos1 - after.pos1 };
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
  const sandbox = makeSandbox(options.dir);
  // full disks: the sandbox's df declares each disk's size (demo-df.ts), first on the PATH of
  // this process's own reads of the farm as of every part it runs
  setValue(sandbox.paths, 'disk_space', 'df');
  const savedPath = process.env.PATH;
  process.env.PATH = `${sandbox.binDir}:${savedPath ?? ''}`;
  try {
    return await runSandbox(sandbox, options);
  } finally {
    process.env.PATH = savedPath;
  }
}

async function runSandbox(sandbox: Sandbox, options: DemoOptions): Promise<number> {
  const { out } = options;
  const env = { ...process.env, GOPLOT_HOME: sandbox.paths.home, SIMPLOTTER_SECONDS: String(options.plotSeconds) };
  out(`goplot demo in ${sandbox.root}`);
  out(`  2 farms x 3 disks under ${sandbox.farmRoot}, temp dirs ${sandbox.tempRoot}_pos2/1 and /2`);
  out(`  the simulated plotter (${options.plotSeconds} s a plot); plots start for ${options.seconds} s`);
  for (const line of addDemoJobs(sandbox)) out(line);
  for (const line of sandbox.seeded) out(line);
  out('');
  const before = countPlotFiles(sandbox.farmRoot);
  await runPeriodicParts(env);
  const loop = spawn('node', [script('scripts/goplot.js')], { env, stdio: 'ignore' });
  // no chia here: a simulated harvester writes challenge lines for harvesterlog to follow
  fs.writeFileSync(sandbox.chiaLog, '');
  const harvesterlog = spawn('node', [script('scripts/harvesterlog.js')], { env, stdio: 'ignore' });
  const stopHarvester = simulateHarvester(sandbox.chiaLog, 2000);
  try {
    await watchRun(sandbox, options, env);
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
  const { made, replaced } = summarise(sandbox, before, out);
  await printMigration(sandbox, env, out);
  return made > 0 && replaced > 0 ? 0 : 1;
}

/** Progress every 2 s while plots may start, then until the running ones end. */
async function watchRun(sandbox: Sandbox, options: DemoOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const { out } = options;
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  let nextPeriodic = Date.now() + 10_000;
  while (elapsed() < options.seconds) {
    await sleep(2000);
    out(await progressLine(sandbox, elapsed()));
    if (Date.now() >= nextPeriodic) {
      await runPeriodicParts(env);
      nextPeriodic = Date.now() + 10_000;
    }
  }
  setValue(sandbox.paths, 'on_toggle', 'off');
  out('time is up: on_toggle is off, waiting for the running plots to finish');
  // a group of 2 plots, one after the other
  const deadline = Date.now() + (options.plotSeconds * 4 + 30) * 1000;
  while (Date.now() < deadline && (await readFarm(sandbox)).plots.length > 0) {
    await sleep(2000);
    out(await progressLine(sandbox, elapsed()));
  }
}
