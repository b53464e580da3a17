// The loop and the tractor: config change to loop reaction (target < 1 s; goplot waited up to
// plot_poll), tractor start to plotter spawn (target < 300 ms), and the idle loop's RSS (target
// < 80 MB) and CPU over 60 s (target < 1 % of a core). Run: npm run bench (or node bench/loop.bench.js).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/config/home.js';
import { median } from './timing.js';

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);

function makeHome(): { root: string; home: string; set: (name: string, value: string | number) => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-loop-'));
  const home = path.join(root, 'home');
  fs.mkdirSync(path.join(home, 'config'), { recursive: true });
  for (const farm of ['farm1', 'farm2']) {
    for (const dir of ['plots', 'logs']) fs.mkdirSync(path.join(root, 'farm', farm, 'disk1', dir), { recursive: true });
  }
  fs.mkdirSync(path.join(root, 'plot_temp', '1'), { recursive: true });
  const set = (name: string, value: string | number) =>
    fs.writeFileSync(path.join(home, 'config', `${name}.goplot`), `${value}\n`);
  const values: Record<string, string | number> = {
    farm_root: path.join(root, 'farm'),
    temp_root: path.join(root, 'plot_temp'),
    chia_bin: path.join(PACKAGE_ROOT, 'scripts', 'simplotter.js'),
    k: 25,
    require_mount: 'no',
    load_max: 100_000,
    max_plots: 1000,
    plot_gap: 1,
    plot_poll: 600,
    on_toggle: 'off',
    prom_dir: path.join(root, 'prom'),
  };
  for (const [name, value] of Object.entries(values)) set(name, value);
  return { root, home, set };
}

function logLines(home: string): string[] {
  const file = path.join(home, 'logs', 'goplot.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
}

async function waitForLine(home: string, pattern: RegExp, count: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (logLines(home).filter((line) => pattern.test(line)).length >= count) return Date.now();
    await sleep(5);
  }
  throw new Error(`no ${pattern} in ${timeoutMs} ms; the log ends:\n${logLines(home).slice(-8).join('\n')}`);
}

function procTicks(pid: number): { start: number; cpu: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { start: Number(fields[19]), cpu: Number(fields[11]) + Number(fields[12]) };
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function simPlotterPidsUnder(root: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes('simplotter') && cmdline.includes(`${root}/`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function startLoop(home: string, plotSeconds = 1): ChildProcess {
  return spawn('node', [path.join(PACKAGE_ROOT, 'scripts', 'goplot.js')], {
    env: { ...process.env, GOPLOT_HOME: home, SIMPLOTTER_SECONDS: String(plotSeconds) },
    stdio: 'ignore',
  });
}

async function measureReaction(): Promise<{ on: number[]; off: number[] }> {
  const { root, home, set } = makeHome();
  const loop = startLoop(home);
  const on: number[] = [];
  const off: number[] = [];
  try {
    await waitForLine(home, /not started: on_toggle/, 1);
    const countOf = (pattern: RegExp) => logLines(home).filter((line) => pattern.test(line)).length;
    for (let i = 1; i <= 10; i++) {
      const starts = countOf(/starting a plot: /);
      let at = Date.now();
      set('on_toggle', 'run');
      on.push((await waitForLine(home, /starting a plot: /, starts + 1)) - at);
      await sleep(300);
      const offs = countOf(/not started: on_toggle/);
      at = Date.now();
      set('on_toggle', 'off');
      off.push((await waitForLine(home, /not started: on_toggle/, offs + 1)) - at);
      await sleep(1200);
    }
  } finally {
    loop.kill('SIGTERM');
    await sleep(1500);
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { on, off };
}

/** `echo N+1 > max_plots` while N long plots run, to "starting a plot: N/N+1" (plot_poll 600 s). */
async function measureMaxPlotsRaise(): Promise<number[]> {
  const { root, home, set } = makeHome();
  set('max_plots', 1);
  set('plot_gap', 0);
  set('on_toggle', 'run');
  const loop = startLoop(home, 120);
  const reactions: number[] = [];
  try {
    for (let running = 1; running <= 5; running++) {
      await waitForLine(
        home,
        new RegExp(`not started: ${running}/${running} plots running \\(max_plots\\)`),
        1,
        30_000,
      );
      const at = Date.now();
      set('max_plots', running + 1);
      reactions.push(
        (await waitForLine(home, new RegExp(`starting a plot: ${running}/${running + 1} plots running`), 1)) - at,
      );
    }
  } finally {
    loop.kill('SIGTERM');
    await sleep(1500);
    // the loop leaves running plots alone on SIGTERM: end this run's simulated plotters by pid
    for (const pid of simPlotterPidsUnder(root)) process.kill(pid, 'SIGKILL');
    await sleep(1000);
    fs.rmSync(root, { recursive: true, force: true });
  }
  return reactions;
}

async function measureTractorSpawn(): Promise<number[]> {
  const { root, home, set } = makeHome();
  set('on_toggle', 'run');
  const gaps: number[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const child = spawn('node', [path.join(PACKAGE_ROOT, 'scripts', 'tractor.js')], {
        env: { ...process.env, GOPLOT_HOME: home, SIMPLOTTER_SECONDS: '0.5' },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const tractor = procTicks(child.pid!);
      let out = '';
      child.stdout!.on('data', (chunk) => (out += chunk));
      const plotterPid = await new Promise<number>((resolve) => {
        child.stdout!.on('data', () => {
          const match = /started \(pid (\d+)\)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', () => resolve(0));
      });
      if (plotterPid) gaps.push((procTicks(plotterPid).start - tractor.start) * TICK_MS);
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return gaps;
}

async function measureIdle(poll: number): Promise<{ rss: number; cpuPercent: number }> {
  const { root, home, set } = makeHome();
  set('plot_poll', poll);
  const loop = startLoop(home);
  try {
    await waitForLine(home, /not started: on_toggle/, 1);
    await sleep(2000);
    const before = procTicks(loop.pid!).cpu;
    await sleep(idleSeconds * 1000);
    const after = procTicks(loop.pid!).cpu;
    return { rss: rssMiB(loop.pid!), cpuPercent: (((after - before) * TICK_MS) / (idleSeconds * 1000)) * 100 };
  } finally {
    loop.kill('SIGTERM');
    await sleep(1000);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const reaction = await measureReaction();
  const raises = await measureMaxPlotsRaise();
  const spawnGaps = await measureTractorSpawn();
  const idleDefault = await measureIdle(120);
  const idleFast = await measureIdle(1);
  console.log(`### loop and tractor (load ${os.loadavg()[0]!.toFixed(1)} at the end)\n`);
  console.log('| measure | target | median | max | runs |');
  console.log('|---|---|---:|---:|---:|');
  console.log(
    `| config change to loop reaction: \`echo run\` to "starting a plot" (plot_poll 600 s) | < 1 s | ${median(reaction.on)} ms | ${Math.max(...reaction.on)} ms | ${reaction.on.length} |`,
  );
  console.log(
    `| config change to loop reaction: \`echo off\` to "not started" | < 1 s | ${median(reaction.off)} ms | ${Math.max(...reaction.off)} ms | ${reaction.off.length} |`,
  );
  console.log(
    `| config change to loop reaction: \`echo N+1 > max_plots\` with N plots running to "starting a plot" | < 1 s | ${median(raises)} ms | ${Math.max(...raises)} ms | ${raises.length} |`,
  );
  console.log(
    `| tractor process start to plotter process start (/proc start times, 10 ms ticks) | < 300 ms | ${median(spawnGaps)} ms | ${Math.max(...spawnGaps)} ms | ${spawnGaps.length} |`,
  );
  console.log(`| idle loop RSS, on_toggle off, plot_poll 120 | < 80 MB | ${idleDefault.rss.toFixed(1)} MiB | | 1 |`);
  console.log(
    `| idle loop CPU over ${idleSeconds} s, plot_poll 120 | < 1 % of a core | ${idleDefault.cpuPercent.toFixed(2)} % | | 1 |`,
  );
  console.log(`| idle loop RSS, plot_poll 1 | < 80 MB | ${idleFast.rss.toFixed(1)} MiB | | 1 |`);
  console.log(
    `| idle loop CPU over ${idleSeconds} s, plot_poll 1 | < 1 % of a core | ${idleFast.cpuPercent.toFixed(2)} % | | 1 |`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
