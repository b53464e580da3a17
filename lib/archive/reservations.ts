import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { readStat } from '../farm/proc-read.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { reservationsDir } from './archive-state.js';

/** A plot taken by a transfer: the source is claimed, and room on the chosen disk is held. */
export interface Reservation {
  plot: string;
  source: string;
  /** Room held on the disk: the plot's size and a margin. */
  bytes: number;
  target: string;
  hostKey: string;
  farm: string;
  disk: string;
  plotsDir: string;
  pid: number;
  /** The holder's start time in clock ticks after boot: a recycled pid is not the holder. */
  pidStart: number;
  startedAt: number;
}

/** A holder's reservations, all in one file: `<pid>-<start ticks>.json`. */
function fileOf(paths: HomePaths, holder: Pick<Reservation, 'pid' | 'pidStart'>): string {
  return path.join(reservationsDir(paths), `${holder.pid}-${holder.pidStart}.json`);
}

/** This process's start time, to write in its reservations. */
export function ownStartTicks(procDir = '/proc'): number {
  return readStat(procDir, process.pid)?.startTicks ?? 0;
}

function isHolderAlive(reservation: Reservation, procDir: string): boolean {
  const stat = readStat(procDir, reservation.pid);
  return stat !== null && stat.startTicks === reservation.pidStart;
}

/** A file's reservations (a list; one object as an older archiver wrote them, one per plot), null when damaged. */
function readList(file: string): Reservation[] | null {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return (Array.isArray(parsed) ? parsed : [parsed]) as Reservation[];
  } catch {
    return null;
  }
}

/**
 * Every reservation whose holder still runs. Those of dead holders (kill -9, a crash) are
 * removed: their partial copy stays on the target and is resumed by whoever takes the plot
 * next. Call it under the state lock.
 */
export function readLiveReservations(paths: HomePaths, procDir = '/proc'): Reservation[] {
  const dir = reservationsDir(paths);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const live: Reservation[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const alive = readList(file)?.filter((reservation) => isHolderAlive(reservation, procDir)) ?? [];
    if (alive.length === 0) fs.rmSync(file, { force: true });
    live.push(...alive);
  }
  return live;
}

/**
 * The holder's file holds `reservations` from now on, or goes when there are none. Written whole
 * (temp file and rename) but not synced: a reservation counts only while its holder runs, and a
 * power cut that could lose it ends the holder too. One file per holder, not per plot: a pass of
 * 200 plots made 200 files, about 0.1 s on a small box, while rsync waited for its names.
 */
function saveHolderFile(
  paths: HomePaths,
  holder: Pick<Reservation, 'pid' | 'pidStart'>,
  reservations: Reservation[],
): void {
  const file = fileOf(paths, holder);
  if (reservations.length === 0) fs.rmSync(file, { force: true });
  else writeFileAtomicSync(file, `${JSON.stringify(reservations)}\n`, { sync: false });
}

/** Adds plots this holder found free (readLiveReservations, under the state lock), in one write. */
export function writeReservations(paths: HomePaths, added: Reservation[]): void {
  if (added.length === 0) return;
  const held = readList(fileOf(paths, added[0]!)) ?? [];
  const plots = new Set(added.map((r) => r.plot));
  saveHolderFile(paths, added[0]!, [...held.filter((r) => !plots.has(r.plot)), ...added]);
}

/** Removes these plots' reservations from their holder's file (all of one holder), in one write. */
export function releaseReservations(paths: HomePaths, released: Reservation[]): void {
  if (released.length === 0) return;
  const held = readList(fileOf(paths, released[0]!));
  if (held === null) return;
  const plots = new Set(released.map((r) => r.plot));
  saveHolderFile(
    paths,
    released[0]!,
    held.filter((r) => !plots.has(r.plot)),
  );
}

/** Removes the plot's reservation if it is this holder's. */
export function releaseReservation(paths: HomePaths, reservation: Reservation): void {
  releaseReservations(paths, [reservation]);
}
