import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'node:test';
import { findTractorPids } from '../../lib/farm/find-tractors.js';
import { parsePlotLog } from '../../lib/plot-log/parse-plot-log.js';
import { isAlive, killTree, makeSimFarm, simEnv, simPlotterPids } from './sim-farm.js';
import { builtScript, logMessages, waitFor, type TempHome } from './temp-home.js';

export interface RunningLoop {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** A sim farm of folders (require_mount=no) with the given config values on top. */
export function makeSchedulingFarm(
  values: Record<string, string | number>,
  farms: Record<string, string[]> = { farm1: ['disk1', 'disk2'] },
  temps = ['1', '2'],
): TempHome {
  const home = makeSimFarm(farms, temps);
  for (const [name, value] of Object.entries(values)) home.set(name, value);
  return home;
}

/** `node scripts/goplot.js` for this home, with plots that take `plotSeconds`. */
export function startLoop(home: TempHome, plotSeconds: number, env: Record<string, string> = {}): RunningLoop {
  const child = spawn('node', [builtScript('scripts/goplot.js')], {
    env: { ...simEnv(plotSeconds, env), GOPLOT_HOME: home.home },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

export async function stopLoop(loop: RunningLoop): Promise<number | null> {
  loop.child.kill('SIGTERM');
  return loop.exited;
}

/**
 * Ends the loop, then its tractors, then the plots, and waits until they are gone, so nothing of
 * this home outlives the test or writes into it while it is removed.
 */
export async function stopEverything(home: TempHome, loops: RunningLoop[]): Promise<void> {
  const loopPids = loops.map((loop) => loop.child.pid ?? 0).filter((pid) => pid > 0);
  killTree(loopPids);
  const tractorPids = findTractorPids(home.home);
  killTree(tractorPids);
  const plotterPids = simPlotterPids(home);
  killTree(plotterPids);
  await waitFor(
    'the processes of the test to end',
    () => [...loopPids, ...tractorPids, ...plotterPids].every((pid) => !isAlive(pid)),
    5000,
  );
  await Promise.all(loops.map((loop) => loop.exited));
}

/**
 * For one test file: `home` adopts the running test's home and `loop` starts a loop for it; after
 * each test its loops, tractors and plots are stopped and the home removed.
 */
export function loopsPerTest(): {
  home: (home: TempHome) => TempHome;
  loop: (home: TempHome, plotSeconds: number, env?: Record<string, string>) => RunningLoop;
} {
  let current: { home: TempHome; loops: RunningLoop[] } | null = null;
  afterEach(async () => {
    if (!current) return;
    await stopEverything(current.home, current.loops);
    current.home.cleanup();
    current = null;
  });
  return {
    home: (home) => {
      current = { home, loops: [] };
      return home;
    },
    loop: (home, plotSeconds, env = {}) => {
      const started = startLoop(home, plotSeconds, env);
      current?.loops.push(started);
      return started;
    },
  };
}

/** `echo VALUE > config/NAME.goplot` through a real shell: echo truncates first, then writes. */
export function echoInto(home: TempHome, name: string, value: string | number): void {
  execFileSync('sh', ['-c', 'echo "$1" > "$2"', 'sh', String(value), path.join(home.configDir, `${name}.goplot`)]);
}

export const has = (home: TempHome, line: string | RegExp) => () =>
  logMessages(home).some((message) => (typeof line === 'string' ? message === line : line.test(message)));

export const count = (home: TempHome, line: string | RegExp): number =>
  logMessages(home).filter((message) => (typeof line === 'string' ? message === line : line.test(message))).length;

export const STARTING = /^starting a plot: /;

/** The log of plot `index`, wherever the tractor put it. */
export function plotLogFile(home: TempHome, index: number): string | null {
  for (const farm of fs.readdirSync(home.farmRoot)) {
    for (const disk of fs.readdirSync(path.join(home.farmRoot, farm))) {
      const file = path.join(home.farmRoot, farm, disk, 'logs', `plot.${index}.log`);
      if (fs.existsSync(file)) return file;
    }
  }
  return null;
}

/** The phase plot `index` has reached by its log (0 before it says). */
export function plotPhase(home: TempHome, index: number): number {
  const file = plotLogFile(home, index);
  return file ? parsePlotLog(fs.readFileSync(file, 'utf8')).phase : 0;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
