import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, resolveHome, type HomePaths } from '../config/home.js';
import { initValueFiles, setValue } from '../config/write-value.js';
import { DEMO_CHAIN_HEIGHT, seedMigration } from './seed-migration.js';

export interface Sandbox {
  root: string;
  paths: HomePaths;
  farmRoot: string;
  tempRoot: string;
  promDir: string;
  chiaLog: string;
  /** What the sandbox's farm was seeded with, in words. */
  seeded: string[];
  /** The sandbox's df (demo-df.ts), first on the PATH of everything the demo runs. */
  binDir: string;
}

/** The demo's values: small simulated plots, quick polls, folders instead of mounted disks. */
export const DEMO_VALUES: Record<string, string> = {
  plotter: 'chia',
  k: '25',
  max_plots: '3',
  plot_gap: '3',
  plot_poll: '2',
  load_max: '1000',
  require_mount: 'no',
  backoff_base: '5',
  on_toggle: 'run',
};

/**
 * 2 farms x 3 disks and 2 temp dirs in a fresh folder, and a home configured to plot into them;
 * the disks are full of pos1 plots, with a week of pos2 plots, for the migration (seed-migration.ts).
 */
export function makeSandbox(root?: string): Sandbox {
  const dir = root ? path.resolve(root) : fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-demo-'));
  const paths = resolveHome({ home: path.join(dir, 'home') });
  const farmRoot = path.join(dir, 'farm');
  const tempRoot = path.join(dir, 'plot_temp');
  const promDir = path.join(dir, 'prom');
  const chiaLog = path.join(dir, 'chia', 'debug.log');
  for (const farm of ['farm1', 'farm2']) {
    for (const disk of ['disk1', 'disk2', 'disk3']) {
      fs.mkdirSync(path.join(farmRoot, farm, disk, 'plots'), { recursive: true });
      fs.mkdirSync(path.join(farmRoot, farm, disk, 'logs'), { recursive: true });
    }
  }
  for (const temp of ['1', '2']) fs.mkdirSync(path.join(tempRoot, temp), { recursive: true });
  fs.mkdirSync(promDir, { recursive: true });
  fs.mkdirSync(path.dirname(chiaLog), { recursive: true });
  initValueFiles(paths);
  const values: Record<string, string> = {
    ...DEMO_VALUES,
    farm_root: farmRoot,
    temp_root: tempRoot,
    prom_dir: promDir,
    chia_log: chiaLog,
    chia_bin: path.join(PACKAGE_ROOT, 'scripts', 'simplotter.js'),
    // the sandbox's collectors must not read a real chia that answers on this host
    chia_rpc: 'off',
    // no chia node here: the migration summary and metrics are computed at this height
    chain_height: String(DEMO_CHAIN_HEIGHT),
  };
  for (const [name, value] of Object.entries(values)) {
    const result = setValue(paths, name, value);
    if (!result.ok) throw new Error(result.message);
  }
  const seeded = seedMigration({ root: dir, farmRoot }, Date.now());
  return { root: dir, paths, farmRoot, tempRoot, promDir, chiaLog, seeded: seeded.lines, binDir: seeded.binDir };
}
