import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { commandLineHas, readCmdline, readProcState } from './proc-read.js';

/**
 * A pos2 plot group being made: what its tractor writes into `state/groups/group.<index>.json`
 * when the group starts and after each plot lands, and removes when the group ends. A template's
 * plotter may have an argv that says nothing goplot can read (`plotter test 28 <id> 2 0 16`), so
 * the process table takes the running group from here, checked against /proc.
 */
export interface PlotGroupState {
  /** The group's goplot index: its log is plot.<index>.log. */
  index: number;
  job: string | null;
  plotter: 'chia-v2' | 'xchplot2';
  tractorPid: number;
  /** The plotter run now, and its argv (a reused pid running something else is not it). */
  plotterPid: number | null;
  plotterArgv: string[] | null;
  farm: string;
  disk: string;
  plotsDir: string;
  tempDir: string;
  logFile: string;
  k: number;
  strength: number;
  /** null while the plotter chooses it (a template without {meta_group}) and no plot has landed. */
  metaGroup: number | null;
  groupSize: number;
  /** Plots landed in plots/ so far. */
  done: number;
  /** Bytes of one plot of this k (the group holds groupSize of them on its disk). */
  plotBytes: number;
  startedMs: number;
  /** The plotter's own progress through the plot it makes now (0..1), where it prints one. */
  plotFraction: number;
  /**
   * What a plotter that reports on its whole group (xchplot2 with --progress) said last: plots done
   * of how many, its average seconds a plot, its ETA, and when it was read. Absent for the others.
   */
  plotterSaid?: { done: number; total: number; secondsPerPlot: number; etaSeconds: number; saidMs: number } | null;
}

/** The folder of the group files. */
export function groupsDir(paths: HomePaths): string {
  return path.join(paths.home, 'state', 'groups');
}

/** Whether any group file exists: the takers look no further (and take no lock) when none does. */
export function hasGroupFiles(paths: HomePaths): boolean {
  try {
    return fs.readdirSync(groupsDir(paths)).some((name) => /^group\.\d+\.json$/.test(name));
  } catch {
    return false;
  }
}

export function groupFile(paths: HomePaths, index: number): string {
  return path.join(groupsDir(paths), `group.${index}.json`);
}

export function writeGroupState(paths: HomePaths, state: PlotGroupState): void {
  fs.mkdirSync(groupsDir(paths), { recursive: true });
  writeFileAtomicSync(groupFile(paths, state.index), `${JSON.stringify(state)}\n`);
}

export function removeGroupState(paths: HomePaths, index: number): void {
  fs.rmSync(groupFile(paths, index), { force: true });
}

function isGroupState(value: unknown): value is PlotGroupState {
  const state = value as PlotGroupState;
  return (
    typeof value === 'object' &&
    value !== null &&
    Number.isInteger(state.index) &&
    Number.isInteger(state.tractorPid) &&
    typeof state.farm === 'string' &&
    typeof state.disk === 'string' &&
    Number.isInteger(state.groupSize) &&
    Number.isInteger(state.done)
  );
}

/** Every group file in the folder, as written; a half-written or foreign file is skipped. */
export function readGroupFiles(dir: string): PlotGroupState[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const groups: PlotGroupState[] = [];
  for (const name of names.filter((entry) => /^group\.\d+\.json$/.test(entry)).sort()) {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
      if (isGroupState(parsed)) groups.push(parsed);
    } catch {
      // removed or replaced while read: the next read sees it whole
    }
  }
  return groups;
}

/**
 * Whether this pid runs this argv now (not a zombie). A `#!` script shows in /proc behind its
 * interpreter (`node /x/simplotter.js …`), so the command is matched by its name before the arguments.
 */
export function runsArgv(procDir: string, pid: number | null, argv: string[] | null): boolean {
  if (pid === null || argv === null || argv.length === 0) return false;
  const now = readCmdline(procDir, pid);
  const state = readProcState(procDir, pid);
  if (now === null || state === null || state === 'Z') return false;
  const args = argv.slice(1);
  const head = now.slice(0, now.length - args.length);
  const tail = now.slice(now.length - args.length);
  return tail.join('\0') === args.join('\0') && head.some((word) => path.basename(word) === path.basename(argv[0]!));
}

/** The groups whose tractor still runs: a tractor killed with -9 leaves its file, which counts for nothing. */
export function readLiveGroups(dir: string, procDir = '/proc'): PlotGroupState[] {
  return readGroupFiles(dir).filter((group) => {
    const state = readProcState(procDir, group.tractorPid);
    return state !== null && state !== 'Z' && commandLineHas(procDir, group.tractorPid, 'tractor.js');
  });
}
