import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { readProcState, readStat } from '../farm/proc-read.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import type { NewPlot } from './make-room.js';

/**
 * A running plot's duty to have its room made on its disk, written by its tractor right after the
 * plotter starts: if the tractor dies (kill -9) while the plotter runs, the loop or diskhand finds
 * the duty here and makes the room in time (take-over-duties), so the plot is not wasted. One file
 * per plotter, `logs/.replot/duties/<plotter pid>.json`, written atomically, changed only under
 * the state lock, removed by the tractor when its plotter ends (or by whoever sees the plotter gone).
 */
export interface RoomDuty {
  plot: NewPlot & { pid: number };
  /** /proc starttime of the plotter: a reused pid is not this plot. */
  plotterStart: number | null;
  tractorPid: number;
  tractorStart: number | null;
  logFile: string;
  /** last-phase: room before the final write (pos1); group: before each next plot lands (pos2). */
  moment: 'last-phase' | 'before-start' | 'group';
  /** pos1: the room step has run; nothing more is owed to this plot. */
  done: boolean;
  /**
   * A pos2 group: its size, one plot's bytes, and the meta group its plotter was told (null or
   * absent when the plotter chooses); plots landed are its `.plot2` files since startedMs (of
   * that meta group when known: another group may land on the same disk meanwhile).
   */
  group?: { size: number; plotBytes: number; metaGroup?: number | null };
  startedMs: number;
  /** Who took it over, once its tractor was gone: `loop pid 123`, `diskhand pid 456`. */
  takenBy?: string;
}

export function dutiesDir(paths: HomePaths): string {
  return path.join(paths.logsDir, '.replot', 'duties');
}

function dutyFile(paths: HomePaths, pid: number): string {
  return path.join(dutiesDir(paths), `${pid}.json`);
}

/** Whether any duty file is there (cheap: a look before loading what takes duties over). */
export function hasDuties(paths: HomePaths): boolean {
  try {
    return fs.readdirSync(dutiesDir(paths)).some((name) => name.endsWith('.json'));
  } catch {
    return false;
  }
}

export function writeDuty(paths: HomePaths, duty: RoomDuty): void {
  writeFileAtomicSync(dutyFile(paths, duty.plot.pid), `${JSON.stringify(duty)}\n`);
}

export function dropDuty(paths: HomePaths, pid: number): void {
  fs.rmSync(dutyFile(paths, pid), { force: true });
}

/** The /proc starttime of a live process, or null (gone, or a zombie: it runs no more). */
export function liveStart(procDir: string, pid: number): number | null {
  const state = readProcState(procDir, pid);
  if (state === null || state === 'Z' || state === 'X') return null;
  return readStat(procDir, pid)?.startTicks ?? null;
}

/** The same process still runs: alive, and started when it was recorded. */
export function stillRuns(procDir: string, pid: number, start: number | null): boolean {
  const now = liveStart(procDir, pid);
  return now !== null && (start === null || now === start);
}

function isDuty(value: unknown): value is RoomDuty {
  const duty = value as RoomDuty;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof duty.plot === 'object' &&
    Number.isInteger(duty.plot?.pid) &&
    Number.isInteger(duty.tractorPid) &&
    typeof duty.plot.plotsDir === 'string' &&
    typeof duty.logFile === 'string'
  );
}

/** Every duty file; a damaged one is named in `problems` and left for its owner. */
export function readDuties(paths: HomePaths): { duties: RoomDuty[]; problems: string[] } {
  let names: string[];
  try {
    names = fs.readdirSync(dutiesDir(paths)).filter((name) => /^\d+\.json$/.test(name));
  } catch {
    return { duties: [], problems: [] };
  }
  const duties: RoomDuty[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const file = path.join(dutiesDir(paths), name);
    try {
      const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (isDuty(value)) duties.push(value);
      else problems.push(`${file}: not a room duty; ignored`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${file}: unreadable; ignored`);
    }
  }
  return { duties, problems };
}
