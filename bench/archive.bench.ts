// The archiver against what a farmer would run instead. (1) Throughput: the same plots moved by
// the archiver (`node scripts/archiver.js`, one transfer at a time, survey, rsync, verify, rename,
// remove) and by one plain `rsync --times` of the files, over ssh to a real sshd on 127.0.0.1 and
// between two local folders; the ratio is the archiver's overhead (goal: within 10 %). (2) One
// pass over 100 remote disks: the archiver's survey (one ssh command per host, counted by an ssh
// wrapper) against one `ssh host df` per disk (goal: one round trip per host, under 1 s).
// Run: npx tsc -p tsconfig.json && node bench/archive.bench.js [--mib 256] [--plots 3] [--runs 3] [--survey-only]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planPass } from '../lib/archive/archive-pass.js';
import { TargetReader } from '../lib/archive/archive-targets.js';
import { ownStartTicks } from '../lib/archive/reservations.js';
import { sshArgs } from '../lib/archive/ssh-args.js';
import { ConfigReader } from '../lib/config/config-reader.js';
import { PACKAGE_ROOT, resolveHome, type HomePaths } from '../lib/config/home.js';
import { buildPlotHeader } from '../lib/plot-file/build-plot-header.js';
import { makeSshWorld } from './loopback-sshd.js';
import { median } from './timing.js';

const arg = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
const MIB = arg('--mib', 256);
const PLOTS = arg('--plots', 3);
const RUNS = arg('--runs', 3);

function makePristine(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const past = (Date.now() - 3_600_000) / 1000;
  return Array.from({ length: PLOTS }, () => {
    const id = crypto.randomBytes(32).toString('hex');
    const file = path.join(dir, `plot-k25-2026-11-30-08-00-${id}.plot`);
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, buildPlotHeader({ format: 'v1', plotId: id, k: 25, compression: 0, kind: 'solo' }));
    const chunk = crypto.randomBytes(16 * 1024 * 1024);
    for (let left = MIB * 1024 * 1024; left > 0; left -= chunk.length)
      fs.writeSync(fd, chunk, 0, Math.min(left, chunk.length));
    fs.closeSync(fd);
    fs.utimesSync(file, past, past);
    return file;
  });
}

function makeHome(
  root: string,
  name: string,
  target: string,
  sshConfig: string,
): { paths: HomePaths; staging: string; dest: string } {
  const paths = resolveHome({ home: path.join(root, name, 'home') });
  const farmRoot = path.join(root, name, 'farm');
  const staging = path.join(farmRoot, 'staging', 'ssd1', 'plots');
  for (const dir of [paths.configDir, paths.logsDir, staging, path.join(farmRoot, 'staging', 'ssd1', 'logs')])
    fs.mkdirSync(dir, { recursive: true });
  const set = (file: string, value: string | number) =>
    fs.writeFileSync(path.join(paths.configDir, `${file}.goplot`), `${value}\n`);
  set('farm_root', farmRoot);
  set('require_mount', 'no');
  set('archive_staging', 'staging');
  set('archive_ssh_config', sshConfig);
  set('prom_dir', paths.logsDir);
  fs.mkdirSync(path.join(paths.configDir, 'archive', 'targets'), { recursive: true });
  fs.writeFileSync(path.join(paths.configDir, 'archive', 'targets', 't.goplot'), `${target}\n`);
  return { paths, staging, dest: '' };
}

/** Seconds until the archiver (kept running, one transfer at a time) has emptied staging. */
async function timeArchiver(paths: HomePaths, staging: string, pristine: string[]): Promise<number> {
  for (const file of pristine) fs.linkSync(file, path.join(staging, path.basename(file)));
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'scripts', 'archiver.js'), '--home', paths.home], {
    stdio: 'ignore',
  });
  while (fs.readdirSync(staging).length > 0) {
    if (child.exitCode !== null)
      throw new Error(`the archiver exited with ${child.exitCode}; see ${paths.logsDir}/archiver.log`);
    if (performance.now() - started > 600_000) {
      child.kill('SIGKILL');
      throw new Error(
        `the archiver did not empty staging within 10 minutes: ${fs.readFileSync(path.join(paths.logsDir, 'archiver.log'), 'utf8').slice(-1500)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return seconds;
}

function timeRsync(pristine: string[], destination: string, ssh: string[] | null): number {
  const started = performance.now();
  const args = ['--times', ...(ssh ? ['-e', ssh.join(' ')] : []), '--', ...pristine, destination];
  execFileSync('rsync', args, { stdio: 'ignore' });
  return (performance.now() - started) / 1000;
}

function clear(dir: string): void {
  for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { force: true });
}

async function throughput(
  root: string,
  world: Awaited<ReturnType<typeof makeSshWorld>>,
  port: number,
): Promise<string[]> {
  const pristine = makePristine(path.join(root, 'pristine'));
  const remoteRoot = path.join(root, 'remote');
  const remotePlots = path.join(remoteRoot, 'farm1', 'disk1', 'plots');
  fs.mkdirSync(remotePlots, { recursive: true });
  fs.mkdirSync(path.join(remoteRoot, 'farm1', 'disk1', 'logs'));
  const plainDir = path.join(root, 'plain');
  fs.mkdirSync(plainDir);
  const rows: string[] = [];
  const bytes = pristine.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  for (const mode of ['ssh', 'local'] as const) {
    const home =
      mode === 'ssh'
        ? makeHome(root, 'ssh', `127.0.0.1:${port}:${remoteRoot}`, world.clientConfig)
        : makeHome(root, 'local', remoteRoot, world.clientConfig);
    const sshCommand = ['ssh', '-F', world.clientConfig, '-p', String(port), '-o', 'BatchMode=yes'];
    const archiver: number[] = [];
    const plain: number[] = [];
    const runPlain = () => {
      plain.push(
        timeRsync(
          pristine,
          mode === 'ssh' ? `127.0.0.1:${plainDir}/` : `${plainDir}/`,
          mode === 'ssh' ? sshCommand : null,
        ),
      );
      clear(plainDir);
      // the next run must not pay for this one's dirty pages
      execFileSync('sync');
    };
    const runArchiver = async () => {
      archiver.push(await timeArchiver(home.paths, home.staging, pristine));
      clear(remotePlots);
      execFileSync('sync');
    };
    execFileSync('sync');
    for (let run = 0; run < RUNS; run++) {
      // alternate which goes first, so neither always runs on a cache the other warmed or dirtied
      if (run % 2 === 0) {
        runPlain();
        await runArchiver();
      } else {
        await runArchiver();
        runPlain();
      }
    }
    const mb = (seconds: number) => (bytes / 1024 ** 2 / seconds).toFixed(0);
    rows.push(
      `| ${mode === 'ssh' ? 'over ssh to 127.0.0.1' : 'local folder to folder'} | ${PLOTS} × ${MIB} MiB | ${median(plain).toFixed(2)} (${mb(median(plain))} MiB/s) | ${median(archiver).toFixed(2)} (${mb(median(archiver))} MiB/s) | ${(median(archiver) / median(plain)).toFixed(2)} |`,
    );
  }
  return rows;
}

async function surveyPass(
  root: string,
  world: Awaited<ReturnType<typeof makeSshWorld>>,
  port: number,
): Promise<string[]> {
  const remoteRoot = path.join(root, 'remote100');
  const disks: string[] = [];
  for (let i = 0; i < 100; i++) {
    const plots = path.join(remoteRoot, `farm${Math.floor(i / 10) + 1}`, `disk${(i % 10) + 1}`, 'plots');
    fs.mkdirSync(plots, { recursive: true });
    disks.push(plots);
  }
  // an ssh wrapper first on PATH counts the connections the pass makes
  const bin = path.join(root, 'bin');
  const counter = path.join(root, 'ssh-count');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'ssh'),
    `#!/bin/sh\necho >> ${counter}\nexec ${execFileSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).trim()} "$@"\n`,
    { mode: 0o755 },
  );
  process.env.PATH = `${bin}:${process.env.PATH}`;
  const home = makeHome(root, 'survey', `127.0.0.1:${port}:${remoteRoot}`, world.clientConfig);
  const config = new ConfigReader(home.paths, () => {});
  const targets = new TargetReader(home.paths, () => {}).read();
  const pass = async (expected: 'ok' | 'full' = 'ok') => {
    fs.writeFileSync(counter, '');
    const started = performance.now();
    const result = await planPass(targets, {
      paths: home.paths,
      config,
      now: Date.now,
      procDir: '/proc',
      mountinfoPath: '/proc/self/mountinfo',
      pid: process.pid,
      pidStart: ownStartTicks(),
      sayOnce: () => {},
    });
    const ms = performance.now() - started;
    if (result.statuses[0]?.state !== expected)
      throw new Error(`the survey failed: ${JSON.stringify(result.statuses)}`);
    return { ms, ssh: fs.readFileSync(counter, 'utf8').length };
  };
  const cold = await pass();
  const warm: number[] = [];
  let sshPerPass = 0;
  for (let i = 0; i < RUNS; i++) {
    const result = await pass();
    warm.push(result.ms);
    sshPerPass = Math.max(sshPerPass, result.ssh);
  }
  // no disk has room for the 2 TiB plot, and replot may remove none of the plots there: full
  const replot = await replotPasses(home, disks, () => pass('full'));
  const place = targets[0]!.place as Extract<(typeof targets)[0]['place'], { kind: 'remote' }>;
  const started = performance.now();
  for (const disk of disks)
    spawnSync('ssh', [...sshArgs(place, world.clientConfig), 'df', '-Pk', disk], { stdio: 'ignore' });
  const perDisk = performance.now() - started;
  spawnSync('ssh', [...sshArgs(place, world.clientConfig).slice(0, -1), '-O', 'exit', '127.0.0.1'], {
    stdio: 'ignore',
  });
  return [
    `| archiver pass (survey + choice), first (new connection) | ${(cold.ms / 1000).toFixed(2)} | ${cold.ssh} |`,
    `| archiver pass, later passes (median of ${RUNS}, shared connection) | ${(median(warm) / 1000).toFixed(2)} | ${sshPerPass} |`,
    `| one \`ssh host df -Pk <disk>\` per disk (shared connection) | ${(perDisk / 1000).toFixed(2)} | 100 |`,
    ...replot,
  ];
}

const REPLOT_PLOTS_PER_DISK = 10;

/**
 * The same pass with replot on and every disk "full" for the waiting plot (sparse files: a staged
 * plot of 2 TiB apparent size, ten old plots of 1 TiB on each disk, so every disk may need the
 * credit): the first pass lists the plots and reads their headers (a second ssh command), later
 * ones find them in the cache. replot_match matches none of them, so nothing is removed and the
 * passes stay alike.
 */
async function replotPasses(
  home: { paths: HomePaths; staging: string },
  disks: string[],
  pass: () => Promise<{ ms: number; ssh: number }>,
): Promise<string[]> {
  const TiB = 1024 ** 4;
  const sparsePlot = (dir: string, size: number): void => {
    const id = crypto.randomBytes(32).toString('hex');
    const file = path.join(dir, `plot-k25-2026-01-01-00-00-${id}.plot`);
    fs.writeFileSync(file, buildPlotHeader({ format: 'v1', plotId: id, k: 25, compression: 0, kind: 'solo' }));
    fs.truncateSync(file, size);
    const past = (Date.now() - 3_600_000) / 1000;
    fs.utimesSync(file, past, past);
  };
  for (const disk of disks) for (let i = 0; i < REPLOT_PLOTS_PER_DISK; i++) sparsePlot(disk, TiB);
  sparsePlot(home.staging, 2 * TiB);
  const set = (file: string, value: string) =>
    fs.writeFileSync(path.join(home.paths.configDir, `${file}.goplot`), `${value}\n`);
  set('replot', 'on');
  set('replot_match', 'kind=pool');
  const cold = await pass();
  const warm: number[] = [];
  let sshPerPass = 0;
  for (let i = 0; i < RUNS; i++) {
    const result = await pass();
    warm.push(result.ms);
    sshPerPass = Math.max(sshPerPass, result.ssh);
  }
  const plots = disks.length * REPLOT_PLOTS_PER_DISK;
  return [
    `| with replot on, ${plots} plots on the disks: first pass (lists them, reads every header) | ${(cold.ms / 1000).toFixed(2)} | ${cold.ssh} |`,
    `| with replot on, later passes (median of ${RUNS}; headers from the cache) | ${(median(warm) / 1000).toFixed(2)} | ${sshPerPass} |`,
  ];
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-archive-'));
  const world = makeSshWorld();
  try {
    const server = await world.start();
    // --survey-only: the 100-disk passes alone (the throughput part moves gigabytes)
    const rows = process.argv.includes('--survey-only') ? [] : await throughput(root, world, server.port);
    if (rows.length > 0) {
      const rsyncVersion = execFileSync('rsync', ['--version'], { encoding: 'utf8' }).split('\n')[0];
      console.log(
        `### archive throughput: the archiver against one plain rsync of the same plots (${rsyncVersion}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)})`,
      );
      console.log('');
      console.log(
        `| path | plots | plain rsync (s), median of ${RUNS} | archiver until staging is empty (s), median of ${RUNS} | ratio |`,
      );
      console.log('|---|---|---:|---:|---:|');
      for (const row of rows) console.log(row);
      console.log('');
    }
    const survey = await surveyPass(root, world, server.port);
    console.log(`### one archiver pass over 100 remote disks on one host (load ${os.loadavg()[0].toFixed(1)})`);
    console.log('');
    console.log('| what | seconds | ssh processes |');
    console.log('|---|---:|---:|');
    for (const row of survey) console.log(row);
  } finally {
    await world.cleanup();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`archive bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
