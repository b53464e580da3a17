import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type Options } from 'execa';
import { PACKAGE_ROOT, resolveHome, type HomePaths } from '../../lib/config/home.js';

export interface TempHome extends HomePaths {
  root: string;
  farmRoot: string;
  tempRoot: string;
  /** Writes `config/<name>.goplot` as a user would with echo. */
  set(name: string, value: string | number): void;
  /** Reads a file below the home. */
  read(relative: string): string;
  cleanup(): void;
}

/** A fresh home with its own farm and temp roots inside one temp dir, removed by cleanup(). */
export function makeTempHome(prefix = 'goplot-test-'): TempHome {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const paths = resolveHome({ home: path.join(root, 'home') });
  for (const dir of [paths.configDir, paths.disksDir, paths.logsDir]) fs.mkdirSync(dir, { recursive: true });
  const farmRoot = path.join(root, 'farm');
  const tempRoot = path.join(root, 'plot_temp');
  fs.mkdirSync(farmRoot);
  fs.mkdirSync(tempRoot);
  const home: TempHome = {
    ...paths,
    root,
    farmRoot,
    tempRoot,
    set(name, value) {
      fs.writeFileSync(path.join(paths.configDir, `${name}.goplot`), `${value}\n`);
    },
    read(relative) {
      return fs.readFileSync(path.join(paths.home, relative), 'utf8');
    },
    cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  home.set('farm_root', farmRoot);
  home.set('temp_root', tempRoot);
  // The CLI path unless a test asks for the RPC: a developer's own ~/.chia must never answer a test.
  home.set('chia_rpc', 'off');
  home.set('chia_root', path.join(root, 'chia-root'));
  return home;
}

/** Makes `<farm_root>/<farm>/<disk>/{plots,logs}` for each farm and disk name. */
export function makeDisks(home: TempHome, farms: Record<string, string[]>): void {
  for (const [farm, disks] of Object.entries(farms)) {
    for (const disk of disks) {
      fs.mkdirSync(path.join(home.farmRoot, farm, disk, 'plots'), { recursive: true });
      fs.mkdirSync(path.join(home.farmRoot, farm, disk, 'logs'), { recursive: true });
    }
  }
}

export function makeTempDirs(home: TempHome, names: string[]): void {
  for (const name of names) fs.mkdirSync(path.join(home.tempRoot, name), { recursive: true });
}

/** Path of a built entry script, e.g. builtScript('scripts/tractor.js'). */
export function builtScript(relative: string): string {
  return path.join(PACKAGE_ROOT, relative);
}

export const SIM_PLOTTER = path.join(PACKAGE_ROOT, 'scripts', 'simplotter.js');

/** What a finished script run gives a test: text output, as the scripts print text. */
export interface ScriptResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The running script: awaitable for its result, with its pid for signals. */
export type ScriptRun = Promise<ScriptResult> & { pid?: number };

/**
 * Runs a built script as a user would: `node scripts/x.js …` with GOPLOT_HOME set. With `from:
 * 'source'`, its TypeScript source through tsx instead: for a test of which of goplot's own
 * modules a run loads (the built entry holds them in one file and chunks split where the source
 * imports lazily).
 */
export function runScript(
  home: TempHome,
  relative: string,
  args: string[] = [],
  { from = 'built', ...options }: Pick<Options, 'env' | 'timeout' | 'cwd'> & { from?: 'built' | 'source' } = {},
): ScriptRun {
  const script =
    from === 'built'
      ? [builtScript(relative)]
      : ['--import', import.meta.resolve('tsx'), builtScript(relative).replace(/\.js$/, '.ts')];
  const child = execa('node', [...script, ...args], {
    reject: false,
    timeout: 60_000,
    ...options,
    env: { GOPLOT_HOME: home.home, ...(options.env ?? {}) },
  });
  return child as unknown as ScriptRun;
}

/** Polls until `check` returns a truthy value or the time is up (then throws with `what`). */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The log's lines without their `[time] LEVEL: name[pid] ` prefix. */
export function logMessages(home: TempHome, file = 'goplot.log'): string[] {
  const full = path.join(home.logsDir, file);
  if (!fs.existsSync(full)) return [];
  return fs
    .readFileSync(full, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^\[[^\]]+\] \w+: \S+\[\d+\] /, ''));
}
