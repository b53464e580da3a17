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

function fileOf(paths: HomePaths, plot: string): string {
  return path.join(reservationsDir(paths), `${encodeURIComponent(plot)}.json`);
}

/** This process's start time, to write in its reservations. */
export function ownStartTicks(procDir = '/proc'): number {
  return readStat(procDir, process.pid)?.startTicks ?? 0;
}

function isHolderAlive(reservation: Reservation, procDir: string): boolean {
  const stat = readStat(procDir, reservation.pid);
  return stat !== null && stat.startTicks === reservation.pidStart;
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
    let reservation: Reservation;
    try {
      reservation = JSON.parse(fs.readFileSync(file, 'utf8')) as Reservation;
    } catch {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (isHolderAlive(reservation, procDir)) live.push(reservation);
    else fs.rmSync(file, { force: true });
  }
  return live;
}

/**
 * Call it under the state lock, after readLiveReservations found the plot free. Written whole
 * (temp file and rename) but not synced: a reservation counts only while its holder runs, and a
 * power cut that could lose it ends the holder too, so a batch of 200 plots waits for no disk.
 */
export function writeReservation(paths: HomePaths, reservation: Reservation): void {
  writeFileAtomicSync(fileOf(paths, reservation.plot), `${JSON.stringify(reservation)}\n`, { sync: false });
}

/** Removes the plot's reservation if it is this holder's. */
export function releaseReservation(paths: HomePaths, reservation: Reservation): void {
  const file = fileOf(paths, reservation.plot);
  try {
    const held = JSON.parse(fs.readFileSync(file, 'utf8')) as Reservation;
    if (held.pid === reservation.pid && held.pidStart === reservation.pidStart) fs.rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
