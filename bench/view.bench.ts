// goplot view's CPU use while it refreshes: the built CLI runs in a real pseudo-terminal (tmux,
// 120x40) on a sandbox farm with running simulated plots, and its utime+stime from /proc are read
// after the first frame (startup excluded) and again after the measured span.
// Run: npx tsc -p tsconfig.json && node bench/view.bench.js [--seconds 40] [--plots 3] [--disks 12]
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGE_ROOT } from '../lib/config/home.js';
import { spawnSimPlot } from '../lib/sim/spawn-sim-plot.js';

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got ${process.argv[at + 1]}`);
  return value;
}

const SECONDS = numberArg('--seconds', 40);
const PLOTS = numberArg('--plots', 3);
const DISKS = numberArg('--disks', 12);
const CLOCK_TICKS_PER_SECOND = 100;
const CLI = path.join(PACKAGE_ROOT, 'scripts', 'goplot-cli.js');
const SIM = path.join(PACKAGE_ROOT, 'scripts', 'simplotter.js');
const SOCKET = `goplot-bench-view-${process.pid}`;

const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** utime + stime of one process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function makeFarm(root: string): { home: string; plots: ChildProcess[] } {
  const home = path.join(root, 'home');
  const farmRoot = path.join(root, 'farm');
  const tempRoot = path.join(root, 'plot_temp');
  const config = path.join(home, 'config');
  fs.mkdirSync(config, { recursive: true });
  const values: Record<string, string> = {
    farm_root: farmRoot,
    temp_root: tempRoot,
    chia_bin: SIM,
    require_mount: 'no',
    on_toggle: 'run',
    max_plots: String(PLOTS),
  };
  for (const [name, value] of Object.entries(values))
    fs.writeFileSync(path.join(config, `${name}.goplot`), `${value}\n`);
  for (let i = 1; i <= DISKS; i++) {
    const farm = `farm${1 + (i % 2)}`;
    for (const sub of ['plots', 'logs']) fs.mkdirSync(path.join(farmRoot, farm, `disk${i}`, sub), { recursive: true });
    fs.mkdirSync(path.join(home, 'disks', farm), { recursive: true });
    fs.writeFileSync(path.join(home, 'disks', farm, `disk${i}.goplot`), `${i * 1000}\n`);
  }
  const plots: ChildProcess[] = [];
  for (let i = 1; i <= PLOTS; i++) {
    const temp = path.join(tempRoot, String(i));
    fs.mkdirSync(temp, { recursive: true });
    const disk = path.join(farmRoot, `farm${1 + (i % 2)}`, `disk${i}`);
    // slower than the measured span, so every plot is still running (and logging) at the end
    plots.push(
      spawnSimPlot({
        tempDir: temp,
        plotsDir: path.join(disk, 'plots'),
        logFile: path.join(disk, 'logs', `plot.${i}.log`),
        seconds: SECONDS * 3,
      }),
    );
  }
  return { home, plots };
}

async function measure(home: string, intervalSeconds: number): Promise<{ cpu: number; wall: number; frames: number }> {
  const session = `view${String(intervalSeconds).replace('.', '_')}`;
  tmux(
    'new-session',
    '-d',
    '-x',
    '120',
    '-y',
    '40',
    '-s',
    session,
    `exec node ${CLI} --home ${home} view --interval ${intervalSeconds}`,
  );
  const pid = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim());
  const deadline = Date.now() + 15_000;
  while (!tmux('capture-pane', '-p', '-t', session).includes(`plots: ${PLOTS} running`)) {
    if (Date.now() > deadline)
      throw new Error(
        `the view did not show ${PLOTS} plots within 15 s:\n${tmux('capture-pane', '-p', '-t', session)}`,
      );
    await sleep(100);
  }
  const cpuBefore = cpuSeconds(pid);
  const started = process.hrtime.bigint();
  await sleep(SECONDS * 1000);
  const cpu = cpuSeconds(pid) - cpuBefore;
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  tmux('send-keys', '-t', session, 'q');
  return { cpu, wall, frames: Math.round(wall / intervalSeconds) };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-view-'));
  const { home, plots } = makeFarm(root);
  try {
    const rows: string[] = [];
    for (const interval of [2, 1]) {
      const { cpu, wall, frames } = await measure(home, interval);
      rows.push(
        `| ${interval} s | ${wall.toFixed(0)} s | ${cpu.toFixed(2)} | ${((cpu / wall) * 100).toFixed(2)} % | ${((cpu / frames) * 1000).toFixed(1)} |`,
      );
    }
    console.log('### goplot view: CPU while refreshing\n');
    console.log(
      `The built CLI in tmux (120x40), ${PLOTS} simulated plots running and logging, ${DISKS} disks, ` +
        'startup excluded; CPU is utime+stime from /proc/<pid>/stat. Target: under 2 % of one core at the default 2 s.\n',
    );
    console.log('| refresh | measured | CPU s | % of one core | CPU ms per frame |');
    console.log('|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // the server ended with its last session
    }
    for (const plot of plots) plot.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`view bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
