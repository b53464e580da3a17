// The archiver at pos2 rates, against what a farmer would run instead, in the same run:
// (1) 200 plots of 10 MiB, and one plot of 2 GiB, moved by the archiver (`node scripts/archiver.js`
// until staging is empty: survey, lease, one rsync per disk over the host's master connection,
// verify, rename, remove) and by plain `rsync -a` of the same files over ssh to the same sshd on
// 127.0.0.1 (goal: within 1.2x for both), and by rsync -a whose ssh asks for the ciphers the
// archiver asks for (archive_cipher auto), to show what the archiver itself costs. (2) The same
// plots to 4 target disks of one host against 1 disk, each disk taking at most --disk-mib MiB/s
// (rsync's --bwlimit per stream, archive_bwlimit: a disk's write rate, so that disks and not the
// 2 shared CPUs are the limit): the aggregate rate should grow with the disks. (3) With
// `--only ciphers`: ssh's ciphers alone, 2 GB through one session each.
// Run: npm run bench -- archive-streams (builds, then prints the markdown tables), or after
// npx tsc -p tsconfig.json: node bench/archive-streams.bench.js [--runs 3] [--disk-mib 1]
// [--disk-plot-mib 4] [--only small|big|disks|ciphers]
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, resolveHome, type HomePaths } from '../lib/config/home.js';
import { buildPlotHeader } from '../lib/plot-file/build-plot-header.js';
import { makeSshWorld, type SshWorld } from './loopback-sshd.js';
import { median } from './timing.js';
import { bulkCiphers, localAesGcm } from '../lib/archive/bulk-cipher.js';

const arg = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
const RUNS = arg('--runs', 3);
const DISK_MIB = arg('--disk-mib', 1);
const DISK_PLOT_MIB = arg('--disk-plot-mib', 4);
const MiB = 1024 ** 2;
/** What archive_cipher auto asks for here (this machine is the harvester too); ssh's own when null. */
const ARCHIVER_CIPHERS = bulkCiphers('auto', localAesGcm(), localAesGcm());

/** `--only small|big|disks|ciphers` (repeatable): only those cases, for quick runs while iterating. */
const ONLY = process.argv.flatMap((word, i) => (process.argv[i - 1] === '--only' ? [word] : []));
const wanted = (name: string) => ONLY.length === 0 || ONLY.includes(name);

/** Plot files with a valid header and random bytes, an hour old. */
function makePlots(dir: string, count: number, bytes: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const past = (Date.now() - 3_600_000) / 1000;
  const chunk = crypto.randomBytes(Math.min(bytes, 16 * MiB));
  return Array.from({ length: count }, () => {
    const id = crypto.randomBytes(32).toString('hex');
    const file = path.join(dir, `plot-k25-2026-11-30-08-00-${id}.plot`);
    const fd = fs.openSync(file, 'w');
    const header = buildPlotHeader({ format: 'v1', plotId: id, k: 25, compression: 0, kind: 'solo' });
    fs.writeSync(fd, header);
    for (let left = bytes - header.length; left > 0; left -= chunk.length)
      fs.writeSync(fd, chunk, 0, Math.min(left, chunk.length));
    fs.closeSync(fd);
    fs.utimesSync(file, past, past);
    return file;
  });
}

function makeHome(root: string, target: string, values: Record<string, string | number>) {
  const paths = resolveHome({ home: path.join(root, 'home') });
  const farmRoot = path.join(root, 'farm');
  const staging = path.join(farmRoot, 'staging', 'ssd1', 'plots');
  for (const dir of [paths.configDir, paths.logsDir, staging, path.join(farmRoot, 'staging', 'ssd1', 'logs')])
    fs.mkdirSync(dir, { recursive: true });
  const all = { farm_root: farmRoot, require_mount: 'no', archive_staging: 'staging', prom_dir: paths.logsDir };
  for (const [name, value] of Object.entries({ ...all, ...values }))
    fs.writeFileSync(path.join(paths.configDir, `${name}.goplot`), `${value}\n`);
  fs.mkdirSync(path.join(paths.configDir, 'archive', 'targets'), { recursive: true });
  fs.writeFileSync(path.join(paths.configDir, 'archive', 'targets', 't.goplot'), `${target}\n`);
  return { paths, staging };
}

/** Seconds from the archiver's start until it has emptied staging (it keeps running, as a farmer runs it). */
async function timeArchiver(paths: HomePaths, staging: string, pristine: string[]): Promise<number> {
  for (const file of pristine) fs.linkSync(file, path.join(staging, path.basename(file)));
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'scripts', 'archiver.js'), '--home', paths.home], {
    stdio: 'ignore',
  });
  try {
    while (fs.readdirSync(staging).length > 0) {
      // a child killed by a signal has no exit code, only its signal
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the archiver exited with ${child.exitCode ?? child.signalCode}`);
      if (performance.now() - started > 900_000) throw new Error('the archiver did not empty staging in 15 minutes');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return (performance.now() - started) / 1000;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

function emptyPlots(root: string): void {
  for (const farm of fs.readdirSync(root))
    for (const disk of fs.readdirSync(path.join(root, farm))) {
      const plots = path.join(root, farm, disk, 'plots');
      for (const name of fs.readdirSync(plots)) fs.rmSync(path.join(plots, name), { force: true });
    }
  execFileSync('sync');
}

function targetDisks(root: string, count: number): void {
  for (let i = 1; i <= count; i++)
    for (const sub of ['plots', 'logs']) fs.mkdirSync(path.join(root, 'farm1', `disk${i}`, sub), { recursive: true });
}

/**
 * Plain `rsync -a` of the files over a fresh ssh to the same server: what a farmer would type;
 * with `ciphers`, its ssh asks for those (the archiver's choice, to show the archiver's own cost).
 */
function timePlainRsync(files: string[], world: SshWorld, port: number, into: string, ciphers?: string | null): number {
  const started = performance.now();
  const ssh = `ssh -F ${world.clientConfig} -p ${port} -o BatchMode=yes${ciphers ? ` -o Ciphers=${ciphers}` : ''}`;
  execFileSync('rsync', ['-a', '-e', ssh, '--', ...files, `127.0.0.1:${into}/`], { stdio: 'ignore' });
  const seconds = (performance.now() - started) / 1000;
  for (const name of fs.readdirSync(into)) fs.rmSync(path.join(into, name), { force: true });
  execFileSync('sync');
  return seconds;
}

/** The sshd's login shells the archiver and rsync are measured against. */
interface Shell {
  name: string;
  port: number;
}

async function againstRsync(root: string, world: SshWorld, shells: Shell[]): Promise<string[]> {
  const rows: string[] = [];
  const cases = [
    ...(wanted('small')
      ? [{ label: '200 × 10 MiB', files: makePlots(path.join(root, 'pristine-small'), 200, 10 * MiB) }]
      : []),
    ...(wanted('big')
      ? [{ label: '1 × 2 GiB', files: makePlots(path.join(root, 'pristine-big'), 1, 2048 * MiB) }]
      : []),
  ];
  for (const { label, files } of cases)
    for (const shell of shells) {
      const caseRoot = path.join(root, `vs-${files.length}-${shell.port}`);
      const remoteRoot = path.join(caseRoot, 'remote');
      targetDisks(remoteRoot, 1);
      const plain = path.join(caseRoot, 'plain');
      fs.mkdirSync(plain, { recursive: true });
      const home = makeHome(caseRoot, `127.0.0.1:${shell.port}:${remoteRoot}`, {
        archive_ssh_config: world.clientConfig,
      });
      const archiver: number[] = [];
      const rsync: number[] = [];
      const same: number[] = [];
      execFileSync('sync');
      for (let run = 0; run < RUNS; run++) {
        // alternate the order, so none always runs on a cache another warmed or dirtied
        const steps = [
          () => rsync.push(timePlainRsync(files, world, shell.port, plain)),
          async () => {
            archiver.push(await timeArchiver(home.paths, home.staging, files));
            emptyPlots(remoteRoot);
          },
          () => same.push(timePlainRsync(files, world, shell.port, plain, ARCHIVER_CIPHERS)),
        ];
        for (const step of run % 2 === 0 ? steps : steps.reverse()) await step();
      }
      const bytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
      const rate = (seconds: number) => (bytes / MiB / seconds).toFixed(0);
      const runs = (times: number[]) => times.map((s) => s.toFixed(1)).join(', ');
      rows.push(
        `| ${label} | ${shell.name} | ${median(rsync).toFixed(2)} (${rate(median(rsync))} MiB/s) | ${median(same).toFixed(2)} (${rate(median(same))} MiB/s) | ${median(archiver).toFixed(2)} (${rate(median(archiver))} MiB/s) | ${(median(archiver) / median(rsync)).toFixed(2)} | ${(median(archiver) / median(same)).toFixed(2)} | ${runs(rsync)} / ${runs(same)} / ${runs(archiver)} |`,
      );
      fs.rmSync(caseRoot, { recursive: true, force: true });
    }
  return rows;
}

/** Seconds one ssh session takes to run `true` on the server (a fresh connection each), median of 5. */
function sessionSeconds(world: SshWorld, port: number): number {
  const times = Array.from({ length: 5 }, () => {
    const started = performance.now();
    execFileSync('ssh', ['-F', world.clientConfig, '-p', String(port), '-o', 'BatchMode=yes', '127.0.0.1', 'true']);
    return (performance.now() - started) / 1000;
  });
  return median(times);
}

/**
 * A second server whose sessions get SHLVL=1 (sshd's SetEnv), so bash skips ~/.bashrc: the user's
 * rc file (on the machine this was first run on, root's runs `pyenv init`, about a second and more
 * per session under load) is paid once by plain rsync and once per ssh command by the archiver,
 * and this server shows the archiver's own cost without it. sshd re-reads its config on SIGHUP.
 */
async function quickShellServer(world: SshWorld): Promise<number> {
  const server = await world.start();
  fs.appendFileSync(path.join(world.dir, `sshd_config.${server.port}`), 'SetEnv SHLVL=1\n');
  server.child.kill('SIGHUP');
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      const level = execFileSync(
        'ssh',
        ['-F', world.clientConfig, '-p', String(server.port), '-o', 'BatchMode=yes', '127.0.0.1', 'echo $SHLVL'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      if (level.trim() === '2') return server.port;
    } catch {
      // re-executing: not listening yet
    }
    if (performance.now() > deadline) throw new Error('sshd did not take SetEnv SHLVL=1 within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function disksAtOnce(root: string, world: SshWorld, port: number): Promise<string[]> {
  const files = makePlots(path.join(root, 'pristine-disks'), 16, DISK_PLOT_MIB * MiB);
  const bytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  const rows: string[] = [];
  const times = new Map<number, number[]>([
    [1, []],
    [4, []],
  ]);
  for (let run = 0; run < RUNS; run++) {
    for (const disks of run % 2 === 0 ? [1, 4] : [4, 1]) {
      const caseRoot = path.join(root, `disks-${disks}-${run}`);
      const remoteRoot = path.join(caseRoot, 'remote');
      targetDisks(remoteRoot, disks);
      const home = makeHome(caseRoot, `127.0.0.1:${port}:${remoteRoot}`, {
        archive_ssh_config: world.clientConfig,
        archive_bwlimit: DISK_MIB * 1024,
      });
      times.get(disks)!.push(await timeArchiver(home.paths, home.staging, files));
      fs.rmSync(caseRoot, { recursive: true, force: true });
    }
  }
  for (const [disks, seconds] of times)
    rows.push(
      `| ${disks} | 16 × ${DISK_PLOT_MIB} MiB | ${median(seconds).toFixed(2)} | ${(bytes / MiB / median(seconds)).toFixed(1)} | ${seconds.map((s) => s.toFixed(1)).join(', ')} |`,
    );
  return rows;
}

/** The ssh ciphers alone: 2 GB through one ssh session into `cat > /dev/null` on the same sshd, alternating. */
function cipherRates(world: SshWorld, port: number): string[] {
  const ciphers = ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'];
  const times = new Map(ciphers.map((cipher) => [cipher, [] as number[]]));
  const ssh = `ssh -F ${world.clientConfig} -p ${port} -o BatchMode=yes`;
  for (let run = 0; run < RUNS; run++)
    for (const cipher of run % 2 === 0 ? ciphers : [...ciphers].reverse()) {
      const started = performance.now();
      execFileSync('sh', ['-c', `head -c 2000000000 /dev/zero | ${ssh} -c ${cipher} 127.0.0.1 'cat > /dev/null'`]);
      times.get(cipher)!.push((performance.now() - started) / 1000);
    }
  return ciphers.map((cipher) => {
    const seconds = times.get(cipher)!;
    return `| ${cipher} | ${median(seconds).toFixed(2)} | ${(2000 / 1.048576 / median(seconds)).toFixed(0)} | ${seconds.map((t) => t.toFixed(2)).join(', ')} |`;
  });
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-streams-'));
  const world = makeSshWorld();
  try {
    const server = await world.start();
    const rsyncVersion = execFileSync('rsync', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    const quick = await quickShellServer(world);
    const shells = [
      {
        name: `login shell as it is (${sessionSeconds(world, server.port).toFixed(2)} s a session)`,
        port: server.port,
      },
      { name: `shell without rc files (${sessionSeconds(world, quick).toFixed(2)} s a session)`, port: quick },
    ];
    if (wanted('ciphers')) {
      console.log(
        `### ssh's ciphers alone: 2 GB through one session into \`cat > /dev/null\` (load ${os.loadavg()[0].toFixed(1)})`,
      );
      console.log('');
      console.log(`| cipher | seconds, median of ${RUNS} | MiB/s | every run |`);
      console.log('|---|---:|---:|---|');
      for (const row of cipherRates(world, server.port)) console.log(row);
      console.log('');
    }
    const loadBefore = os.loadavg()[0].toFixed(1);
    const vs = await againstRsync(root, world, shells);
    if (vs.length > 0) {
      console.log(
        `### the archiver against plain \`rsync -a\` over the same ssh to 127.0.0.1 (${rsyncVersion}, ${os.cpus().length} CPUs × ${os.cpus()[0]?.model ?? '?'}, load ${loadBefore} before, ${os.loadavg()[0].toFixed(1)} after; the archiver's ciphers: ${ARCHIVER_CIPHERS ?? "ssh's own"})`,
      );
      console.log('');
      console.log(
        `| plots | sshd's shell (one ssh session to run \`true\`, median of 5) | plain rsync -a (s), median of ${RUNS} | rsync -a with the archiver's ciphers (s) | archiver until staging is empty (s), median of ${RUNS} | ratio to plain rsync | ratio to rsync with its ciphers | every run (plain / its ciphers / archiver) |`,
      );
      console.log('|---|---|---:|---:|---:|---:|---:|---|');
      for (const row of vs) console.log(row);
      console.log('');
    }
    if (!wanted('disks')) return;
    const disks = await disksAtOnce(root, world, server.port);
    console.log(
      `### one host, 1 target disk against 4, each disk taking ${DISK_MIB} MiB/s (archive_bwlimit ${DISK_MIB * 1024}), load ${os.loadavg()[0].toFixed(1)}`,
    );
    console.log('');
    console.log(`| disks | plots | seconds until staging is empty, median of ${RUNS} | MiB/s in all | every run |`);
    console.log('|---:|---|---:|---:|---|');
    for (const row of disks) console.log(row);
  } finally {
    await world.cleanup();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`archive streams bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
