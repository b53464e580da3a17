// The idle suite under `node scripts/start.js`: CPU-seconds and peak RSS of its whole process tree
// over BENCH_IDLE_SECONDS (default 300), before (a built checkout from BENCH_BEFORE_ROOT, else commit
// BENCH_BEFORE_REF, default e81132b, checked out and built in a temp dir: diskhand and the three
// collectors spawned as fresh Node processes every minute)
// and after (this checkout: they run inside the supervisor), side by side in one run on two
// homes with the same config. Run: npm run bench -- idle-suite.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/config/home.js';

const TICK_S = 1 / 100; // USER_HZ is 100 on Linux
const SAMPLE_MS = 100;
const SETTLE_MS = 10_000;
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 300);
// the last commit before diskhand and the collectors ran inside the supervisor
const BEFORE_REF = process.env.BENCH_BEFORE_REF ?? 'e81132b';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli');

function makeHome(label: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `goplot-bench-idle-${label}-`));
  const home = path.join(root, 'home');
  fs.mkdirSync(path.join(home, 'config'), { recursive: true });
  for (const farm of ['farm1', 'farm2']) {
    for (const disk of ['disk1', 'disk2', 'disk3']) {
      for (const dir of ['plots', 'logs']) fs.mkdirSync(path.join(root, 'farm', farm, disk, dir), { recursive: true });
    }
  }
  fs.mkdirSync(path.join(root, 'plot_temp', '1'), { recursive: true });
  fs.mkdirSync(path.join(root, 'prom'));
  fs.writeFileSync(path.join(root, 'debug.log'), '');
  const values: Record<string, string | number> = {
    farm_root: path.join(root, 'farm'),
    temp_root: path.join(root, 'plot_temp'),
    chia_bin: path.join(PACKAGE_ROOT, 'test', 'fake-bin', 'chia'),
    k: 25,
    require_mount: 'no',
    on_toggle: 'off',
    prom_dir: path.join(root, 'prom'),
    chia_log: path.join(root, 'debug.log'),
  };
  for (const [name, value] of Object.entries(values))
    fs.writeFileSync(path.join(home, 'config', `${name}.goplot`), `${value}\n`);
  return home;
}

interface ProcStat {
  ppid: number;
  /** utime + stime + cutime + cstime: its own CPU and that of the children it has reaped. */
  cpuTicks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      cpuTicks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return null;
  }
}

function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The root and every live descendant. */
function tree(root: number): number[] {
  const stats = new Map<number, ProcStat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const members = [root];
  for (let i = 0; i < members.length; i++) {
    for (const [pid, stat] of stats) if (stat.ppid === members[i]) members.push(pid);
  }
  return members;
}

/** CPU of the tree so far: a part that exited was reaped by its parent, which counts it. */
const treeCpuSeconds = (root: number) =>
  tree(root).reduce((sum, pid) => sum + (readStat(pid)?.cpuTicks ?? 0), 0) * TICK_S;
const treeRssMiB = (root: number) => tree(root).reduce((sum, pid) => sum + rssKiB(pid), 0) / 1024;

interface Measured {
  label: string;
  startCpu: number;
  idleCpu: number;
  peakRss: number;
  idleRss: number;
  processes: number;
}

/** A built checkout of BEFORE_REF beside this one (its node_modules borrowed), removed by `cleanup`. */
function buildBefore(): { root: string; cleanup: () => void } {
  if (process.env.BENCH_BEFORE_ROOT) return { root: process.env.BENCH_BEFORE_ROOT, cleanup: () => {} };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-before-'));
  const git = (...args: string[]) => execFileSync('git', ['-C', PACKAGE_ROOT, ...args], { stdio: 'ignore' });
  git('worktree', 'add', '--detach', root, BEFORE_REF);
  fs.symlinkSync(path.join(PACKAGE_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  execFileSync(
    process.execPath,
    [path.join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')],
    { stdio: 'inherit' },
  );
  return { root, cleanup: () => git('worktree', 'remove', '--force', root) };
}

async function main(): Promise<void> {
  const { root: beforeRoot, cleanup } = buildBefore();
  const beforeScript = path.join(beforeRoot, 'scripts', 'start.js');
  if (!fs.existsSync(beforeScript))
    throw new Error(`no built ${beforeScript} to compare with (set BENCH_BEFORE_ROOT to a built checkout)`);
  const runs = [
    {
      label: `before: ${process.env.BENCH_BEFORE_ROOT ?? BEFORE_REF} (parts spawned)`,
      script: beforeScript,
      home: makeHome('before'),
    },
    {
      label: 'after: this checkout (parts in process)',
      script: path.join(PACKAGE_ROOT, 'scripts', 'start.js'),
      home: makeHome('after'),
    },
  ];
  const env = {
    ...process.env,
    FAKE_CHIA_SHOW_S: path.join(FIXTURES, 'show-s_2x_syncing.txt'),
    FAKE_CHIA_FARM_SUMMARY: path.join(FIXTURES, 'farm-summary_2x_farmer-down.txt'),
  };
  const children: ChildProcess[] = runs.map((run) =>
    spawn(process.execPath, [run.script], { env: { ...env, GOPLOT_HOME: run.home }, stdio: 'ignore', detached: true }),
  );
  try {
    await sleep(SETTLE_MS);
    const measured: Measured[] = runs.map((run, i) => ({
      label: run.label,
      startCpu: treeCpuSeconds(children[i]!.pid!),
      idleCpu: 0,
      peakRss: 0,
      idleRss: 0,
      processes: 0,
    }));
    const rssSamples: number[][] = runs.map(() => []);
    const deadline = Date.now() + idleSeconds * 1000;
    while (Date.now() < deadline) {
      children.forEach((child, i) => {
        const rss = treeRssMiB(child.pid!);
        rssSamples[i]!.push(rss);
        measured[i]!.peakRss = Math.max(measured[i]!.peakRss, rss);
        measured[i]!.processes = Math.max(measured[i]!.processes, tree(child.pid!).length);
      });
      await sleep(SAMPLE_MS);
    }
    children.forEach((child, i) => {
      measured[i]!.idleCpu = treeCpuSeconds(child.pid!) - measured[i]!.startCpu;
      const sorted = [...rssSamples[i]!].sort((a, b) => a - b);
      measured[i]!.idleRss = sorted[Math.floor(sorted.length / 2)] ?? 0;
    });
    const [before, after] = measured as [Measured, Measured];
    console.log(
      `### idle suite: ${idleSeconds} s side by side after ${SETTLE_MS / 1000} s of start-up (diskhand and collectors every minute; 6 disks; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)})\n`,
    );
    console.log(
      '| suite | CPU-seconds at start-up | CPU-seconds idle | CPU % of a core | peak RSS of the tree (MiB) | median RSS of the tree (MiB) | most processes at once |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const row of measured) {
      console.log(
        `| ${row.label} | ${row.startCpu.toFixed(2)} | ${row.idleCpu.toFixed(2)} | ${((row.idleCpu / idleSeconds) * 100).toFixed(2)} | ${row.peakRss.toFixed(0)} | ${row.idleRss.toFixed(0)} | ${row.processes} |`,
      );
    }
    console.log(
      `\nafter / before: idle CPU ${(after.idleCpu / before.idleCpu).toFixed(2)}, peak RSS ${(after.peakRss / before.peakRss).toFixed(2)}`,
    );
  } finally {
    for (const child of children) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // gone
      }
    }
    await sleep(1500);
    for (const run of runs) fs.rmSync(path.dirname(run.home), { recursive: true, force: true });
    cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exitCode = 1;
});
