import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import { parsePlotArgs, type PlotterKind } from './proc-plot-args.js';
import { readLiveGroups, runsArgv, type PlotGroupState } from './plot-groups.js';
import { pos2GroupKiB } from './plot-size.js';
import {
  CLOCK_TICKS_PER_SECOND,
  listPids,
  readBootTimeMs,
  readCmdline,
  readRssBytes,
  readStat,
  readStdoutTarget,
} from './proc-read.js';

export interface RunningPlot {
  pid: number;
  ppid: number;
  argv: string[];
  plotter: PlotterKind;
  /** From the plot log's name, `plot.<index>.log`, which fd 1 points at. */
  index: number | null;
  logFile: string | null;
  /** The temp option's value, else the first argument under temp_root. */
  tempDir: string | null;
  /** The second temp option's value, wherever it is. */
  temp2Dir: string | null;
  /** The destination option's value (bladebit: its output dir), else the first argument under farm_root. */
  destDir: string | null;
  /** `<farm_root>/<farm>/<disk>/…` when destDir is under farm_root. */
  farm: string | null;
  disk: string | null;
  k: number;
  compression: number;
  /** ms since the epoch. */
  startedAt: number;
  /** Resident memory of the plotter and of the plotter processes it started. */
  rssBytes: number;
  /** A pos2 plot group (its tractor's group file); null for a pos1 plot. */
  group?: PlotGroupState | null;
  /** What it holds on its disk when that is not one plot's final size: a group's plots still to land. */
  committedKiB?: number | null;
}

export interface ProcessTableOptions {
  farmRoot: string;
  /** temp_root, or every job's temp_root. */
  tempRoot: string | string[];
  /** Basenames that make a process a plotter, from plotterCommandNames(). */
  commandNames: string[];
  procDir?: string;
  /** The home's state/groups/: running pos2 plot groups, whatever their plotter's argv. */
  groupsDir?: string;
}

/** Commands that run a script named by their first argument (`#!` scripts show up this way). */
const INTERPRETER = /^(?:(?:ba|da|z|k)?sh|python[\d.]*|node(?:js)?|perl|ruby)$/;

const BUILT_IN_NAMES = ['chia', 'chia_plot', 'chia_plot_k34', 'bladebit', 'bladebit_cuda', 'simplotter.js'];

/** The basenames readRunningPlots() looks for: the known plotters plus whatever the config names. */
export function plotterCommandNames(config: ConfigReader): string[] {
  const configured = [config.get('chia_bin'), config.get('madmax_bin'), config.get('bladebit_bin')]
    .filter((bin) => bin !== '')
    .map((bin) => path.basename(bin));
  return [...new Set([...BUILT_IN_NAMES, ...configured])];
}

/** The argument that names the plotter (argv[0], or the script after an interpreter), and the rest. */
function matchCommand(argv: string[], names: Set<string>): { command: string; args: string[] } | null {
  if (names.has(path.basename(argv[0]))) return { command: argv[0], args: argv.slice(1) };
  if (argv.length > 1 && INTERPRETER.test(path.basename(argv[0]))) {
    const scriptAt = argv.findIndex((arg, i) => i > 0 && !arg.startsWith('-'));
    if (scriptAt > 0 && names.has(path.basename(argv[scriptAt])))
      return { command: argv[scriptAt], args: argv.slice(scriptAt + 1) };
  }
  return null;
}

/** The root as given and as resolved through symlinks, so either spelling on a command line matches. */
function rootSpellings(root: string): string[] {
  const spellings = [path.resolve(root)];
  try {
    const real = fs.realpathSync(root);
    if (!spellings.includes(real)) spellings.push(real);
  } catch {
    // a missing root has no other spelling
  }
  return spellings;
}

/** The path relative to the first root it lies in (or equals), or null. */
function relativeTo(roots: string[], dir: string): string | null {
  for (const root of roots) {
    if (dir === root) return '';
    if (dir.startsWith(root.endsWith('/') ? root : `${root}/`)) return path.relative(root, dir);
  }
  return null;
}

function readCandidate(
  procDir: string,
  pid: number,
  names: Set<string>,
  farmRoots: string[],
  tempRoots: string[],
  bootMs: number,
): RunningPlot | null {
  const argv = readCmdline(procDir, pid);
  if (!argv) return null;
  const matched = matchCommand(argv, names);
  if (!matched) return null;
  const parsed = parsePlotArgs(matched.command, matched.args);
  const underTemp = parsed.paths.filter((dir) => relativeTo(tempRoots, dir) !== null);
  const underFarm = parsed.paths.filter((dir) => relativeTo(farmRoots, dir) !== null);
  if (underTemp.length === 0 && underFarm.length === 0) return null;
  const stat = readStat(procDir, pid);
  if (!stat) return null; // it ended while we read it
  const tempDir = parsed.tempDir ?? underTemp.find((dir) => dir !== parsed.temp2Dir) ?? null;
  const destDir = parsed.destDir ?? underFarm[0] ?? null;
  const [farm, disk] = destDir === null ? [] : (relativeTo(farmRoots, destDir)?.split('/') ?? []);
  const logFile = readStdoutTarget(procDir, pid);
  const indexMatch = logFile ? /^plot\.(\d+)\.log$/.exec(path.basename(logFile)) : null;
  return {
    pid,
    ppid: stat.ppid,
    argv,
    plotter: parsed.plotter,
    index: indexMatch ? Number(indexMatch[1]) : null,
    logFile,
    tempDir,
    temp2Dir: parsed.temp2Dir,
    destDir,
    farm: farm || null,
    disk: disk || null,
    k: parsed.k,
    compression: parsed.compression,
    startedAt: bootMs + Math.round((stat.startTicks * 1000) / CLOCK_TICKS_PER_SECOND),
    rssBytes: readRssBytes(procDir, pid),
  };
}

/**
 * The plots running now for this home, from /proc (no `ps`): a plotter command with a temp or
 * destination argument under temp_root or farm_root. A plotter started by another plotter
 * (`chia plotters madmax` runs chia_plot) is one plot: the outermost process stands for it.
 */
export function readRunningPlots(options: ProcessTableOptions): RunningPlot[] {
  const procDir = options.procDir ?? '/proc';
  const names = new Set(options.commandNames);
  const farmRoots = rootSpellings(options.farmRoot);
  const tempRoots = [options.tempRoot].flat().flatMap(rootSpellings);
  const bootMs = readBootTimeMs(procDir);
  const found = new Map<number, RunningPlot>();
  for (const pid of listPids(procDir)) {
    const plot = readCandidate(procDir, pid, names, farmRoots, tempRoots, bootMs);
    if (plot) found.set(plot.pid, plot);
  }
  const outermost = (plot: RunningPlot): RunningPlot => {
    let top = plot;
    const seen = new Set<number>([plot.pid]);
    for (let parent = found.get(top.ppid); parent && !seen.has(parent.pid); parent = found.get(top.ppid)) {
      seen.add(parent.pid);
      top = parent;
    }
    return top;
  };
  const merged = new Map<number, RunningPlot>();
  for (const plot of found.values()) {
    const top = outermost(plot);
    if (top === plot) {
      merged.set(plot.pid, merged.get(plot.pid) ?? { ...plot });
      continue;
    }
    const into = merged.get(top.pid) ?? { ...top };
    into.rssBytes += plot.rssBytes;
    into.logFile ??= plot.logFile;
    into.index ??= plot.index;
    into.tempDir ??= plot.tempDir;
    into.temp2Dir ??= plot.temp2Dir;
    if (into.destDir === null) Object.assign(into, { destDir: plot.destDir, farm: plot.farm, disk: plot.disk });
    if (into.plotter === 'unknown') into.plotter = plot.plotter;
    merged.set(top.pid, into);
  }
  const groups = options.groupsDir === undefined ? [] : readLiveGroups(options.groupsDir, procDir);
  // a group's plotter found by its argv too is the group, counted once
  const inGroups = new Set(groups.flatMap((group) => [group.plotterPid, group.tractorPid]));
  const plots = [...merged.values()].filter((plot) => !inGroups.has(plot.pid) && !inGroups.has(plot.ppid));
  plots.push(...groups.map((group) => groupAsPlot(group, procDir, bootMs)));
  return plots.sort((a, b) => a.startedAt - b.startedAt || a.pid - b.pid);
}

/** A running group as one running plot: its plotter now (or its tractor between two runs), its room still to fill. */
function groupAsPlot(group: PlotGroupState, procDir: string, bootMs: number): RunningPlot {
  const running = runsArgv(procDir, group.plotterPid, group.plotterArgv);
  const pid = running ? group.plotterPid! : group.tractorPid;
  const stat = readStat(procDir, pid);
  return {
    pid,
    // the tractor stands behind the group: the loop does not count it as a tractor still starting a plot
    ppid: group.tractorPid,
    argv: running ? group.plotterArgv! : (readCmdline(procDir, pid) ?? []),
    plotter: group.plotter,
    index: group.index,
    logFile: group.logFile,
    tempDir: group.tempDir,
    temp2Dir: null,
    destDir: group.plotsDir,
    farm: group.farm,
    disk: group.disk,
    k: group.k,
    compression: 0,
    startedAt: stat
      ? Math.min(group.startedMs, bootMs + Math.round((stat.startTicks * 1000) / CLOCK_TICKS_PER_SECOND))
      : group.startedMs,
    rssBytes: running ? readRssBytes(procDir, pid) : 0,
    group,
    committedKiB: pos2GroupKiB(group.k, Math.max(0, group.groupSize - group.done)),
  };
}
