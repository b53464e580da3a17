import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { readPlotFileSync } from '../plot-file/read-plot-file.js';
import { errorMessage } from '../util/error-message.js';
import { formatBytes } from './disk-space.js';
import { findOpenFilesUnder } from './open-files.js';
import {
  groupsDir,
  readGroupFiles,
  readLiveGroups,
  removeGroupState,
  runsArgv,
  type PlotGroupState,
} from './plot-groups.js';
import { commandLineHas, readProcState } from './proc-read.js';

/**
 * The names a group's plot has in plots/ before it is whole: chia's `plots create2` writes
 * `<name>.plot2.tmp` (so does the runner's copy across filesystems), xchplot2 `<name>.plot2.partial`;
 * `<name>` is chia's v2 scheme `plot-k{k}-{64 hex id}`. Both rename the file when it is complete.
 */
const WRITING = /^plot-k(\d+)-[0-9a-f]{64}\.plot2\.(tmp|partial)$/;

/** The fixed part of a pos2 header: magic, version, id, then k at byte 37 and the meta group at 41. */
const POS2_MAGIC = Buffer.from('pos2');
const POS2_FIXED = 43;

export interface Leftover {
  path: string;
  bytes: number;
  /** Why it may go, for the log line. */
  why: string;
}

/** k and meta group from a file's first bytes, when it got that far; null when it holds no pos2 header yet. */
function pos2Identity(file: string): { k: number; metaGroup: number } | null {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const bytes = Buffer.alloc(POS2_FIXED);
      const read = fs.readSync(fd, bytes, 0, POS2_FIXED, 0);
      if (read < POS2_FIXED || !bytes.subarray(0, 4).equals(POS2_MAGIC)) return null;
      return { k: bytes[37]!, metaGroup: bytes[41]! };
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}

export interface LeftoverWorld {
  procDir?: string;
  /** The other groups whose tractor runs now (readLiveGroups): their plots may be written into the same plots/. */
  liveGroups: PlotGroupState[];
}

/**
 * The files a group cut short left in its plots/ while writing a plot, proven to be its own and
 * abandoned: each must hold all of
 * - the group's plotter is gone (no process runs its argv under its pid);
 * - its name is one a pos2 plotter writes a plot under before renaming it, with the group's k;
 * - it was last written after the group started (an older file is not this group's);
 * - its header, when it has one, names the group's k and meta group; a file with no header yet
 *   goes only when no other live group writes into the same plots/ (nothing tells whose it is);
 * - no process has it open (a live plotter of another group writing it);
 * - it is not a complete plot by its header (a whole plot whose rename did not happen is kept).
 */
export function findGroupLeftovers(group: PlotGroupState, world: LeftoverWorld): Leftover[] {
  const procDir = world.procDir ?? '/proc';
  if (runsArgv(procDir, group.plotterPid, group.plotterArgv)) return [];
  let names: string[];
  try {
    names = fs.readdirSync(group.plotsDir);
  } catch {
    return [];
  }
  const mine = names.filter((name) => Number(WRITING.exec(name)?.[1]) === group.k);
  if (mine.length === 0) return [];
  const open = findOpenFilesUnder([group.plotsDir], procDir);
  const sharesDisk = world.liveGroups.some(
    (other) => other.index !== group.index && path.resolve(other.plotsDir) === path.resolve(group.plotsDir),
  );
  const leftovers: Leftover[] = [];
  for (const name of mine) {
    const file = path.join(path.resolve(group.plotsDir), name);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      continue;
    }
    if (!stat.isFile() || stat.mtimeMs < group.startedMs || open.has(file)) continue;
    const identity = pos2Identity(file);
    if (identity === null && sharesDisk) continue;
    if (identity !== null && identity.k !== group.k) continue;
    if (identity !== null && group.metaGroup !== null && identity.metaGroup !== group.metaGroup) continue;
    const facts = readPlotFileSync(file);
    if (facts.ok) continue;
    const header =
      identity === null
        ? 'no header yet, no other group writes into this plots/'
        : `meta group ${identity.metaGroup}, ${facts.message}`;
    leftovers.push({
      path: file,
      bytes: stat.size,
      why: `an unfinished plot of group ${group.index} (${header}), written since it started, its plotter gone, no process has it open`,
    });
  }
  return leftovers;
}

/** Removes what findGroupLeftovers proves abandoned, one log line each; returns the files removed. */
export function removeGroupLeftovers(
  group: PlotGroupState,
  world: LeftoverWorld,
  log: (level: 'info' | 'warn', message: string) => void,
): string[] {
  const removed: string[] = [];
  for (const leftover of findGroupLeftovers(group, world)) {
    try {
      fs.rmSync(leftover.path);
    } catch (error) {
      log('warn', `group ${group.index}: could not remove ${leftover.path}: ${errorMessage(error)}`);
      continue;
    }
    removed.push(leftover.path);
    log('info', `group ${group.index}: removed ${leftover.path} (${formatBytes(leftover.bytes)}): ${leftover.why}`);
  }
  return removed;
}

/**
 * The temp dir the runner made for the group (`goplot-group-<index>-<tractor pid>`), when empty: a
 * plotter that makes one plot a run may have left finished `.bin` plots in it, which stay.
 */
function removeEmptyTempDir(group: PlotGroupState): string {
  if (path.basename(group.tempDir) !== `goplot-group-${group.index}-${group.tractorPid}`) return '';
  try {
    fs.rmdirSync(group.tempDir);
    return `; removed its empty temp dir ${group.tempDir}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? ''
      : `; kept its temp dir ${group.tempDir} (${code === 'ENOTEMPTY' ? 'not empty' : errorMessage(error)})`;
  }
}

/** Whether a group is dead: its tractor no longer runs (killed with -9, a crash) and neither does its plotter. */
function isDead(group: PlotGroupState, procDir: string): boolean {
  const state = readProcState(procDir, group.tractorPid);
  const tractorRuns = state !== null && state !== 'Z' && commandLineHas(procDir, group.tractorPid, 'tractor.js');
  return !tractorRuns && !runsArgv(procDir, group.plotterPid, group.plotterArgv);
}

/**
 * The groups whose tractor and plotter are both gone: what they left half-written in plots/ goes
 * (their finished plots stay), then their group file. Called by whoever takes over a dead
 * tractor's work (the loop, diskhand); the caller holds the state lock, so two takers do not race.
 */
export function sweepDeadGroups(o: {
  paths: HomePaths;
  who: string;
  log: (level: 'info' | 'warn', message: string) => void;
  procDir?: string;
}): number {
  const procDir = o.procDir ?? '/proc';
  const dir = groupsDir(o.paths);
  const dead = readGroupFiles(dir).filter((group) => isDead(group, procDir));
  if (dead.length === 0) return 0;
  const liveGroups = readLiveGroups(dir, procDir);
  for (const group of dead) {
    const removed = removeGroupLeftovers(group, { procDir, liveGroups }, o.log);
    const temp = removeEmptyTempDir(group);
    removeGroupState(o.paths, group.index);
    o.log(
      'info',
      `group ${group.index} (${group.farm}/${group.disk}): its tractor pid ${group.tractorPid} and plotter are gone (${o.who} took over); removed ${removed.length} unfinished plot file${removed.length === 1 ? '' : 's'}, its finished plots stay${temp}`,
    );
  }
  return dead.length;
}
