import fs from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { FAKE_BIN } from './fake-df.js';
import { makeDisks, makeTempDirs, makeTempHome, SIM_PLOTTER, type TempHome } from './temp-home.js';

export { FAKE_BIN };

/**
 * A home that plots with the simulated plotter into `farms` (folders, so require_mount=no),
 * with goplot's timings shrunk to seconds.
 */
export function makeSimFarm(
  farms: Record<string, string[]> = { farm1: ['disk1', 'disk2'], farm2: ['disk1', 'disk2'] },
  temps = ['1', '2'],
): TempHome {
  const home = makeTempHome();
  makeDisks(home, farms);
  makeTempDirs(home, temps);
  const values: Record<string, string | number> = {
    chia_bin: SIM_PLOTTER,
    plotter: 'chia',
    k: 25,
    require_mount: 'no',
    on_toggle: 'run',
    plot_poll: 1,
    plot_gap: 0,
    load_max: 1000,
    max_plots: 3,
    prom_dir: path.join(home.root, 'prom'),
  };
  for (const [name, value] of Object.entries(values)) home.set(name, value);
  fs.mkdirSync(path.join(home.root, 'prom'), { recursive: true });
  return home;
}

/** Env for a spawned script: the sim's speed, and anything else given. */
export function simEnv(seconds: number, extra: Record<string, string> = {}): Record<string, string> {
  return { SIMPLOTTER_SECONDS: String(seconds), PATH: process.env.PATH ?? '', ...extra };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills what a test started, plots included, so no process outlives the test. */
export function killTree(pids: number[]): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Pids of the simulated plotters running under this home's temp root. */
export function simPlotterPids(home: TempHome): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('simplotter') && cmdline.includes(home.tempRoot)) pids.push(Number(entry));
    } catch {
      // gone while reading
    }
  }
  return pids;
}

/**
 * For one test file: `farm()` makes a sim farm that is removed after the file, with every
 * simulated plotter under it killed; pids pushed to `started` are killed too.
 */
export function simFarmsOfThisFile(): {
  farm: (...args: Parameters<typeof makeSimFarm>) => TempHome;
  started: number[];
} {
  const homes: TempHome[] = [];
  const started: number[] = [];
  after(() => {
    killTree(started);
    for (const home of homes) killTree(simPlotterPids(home));
    for (const home of homes) home.cleanup();
  });
  return {
    farm: (...args) => {
      const home = makeSimFarm(...args);
      homes.push(home);
      return home;
    },
    started,
  };
}
