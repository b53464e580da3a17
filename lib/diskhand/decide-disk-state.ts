import fs from 'node:fs';
import type { HomePaths } from '../config/home.js';
import { diskStateFile, formatDiskState, readDiskState, writeDiskState } from '../farm/disk-state.js';
import type { DiskOutcome, DiskReport, PendingDisk } from './disk-report.js';

/**
 * A tractor reserves a disk (state + one plot) a moment before its plotter shows up in /proc.
 * A lower measurement over a number written this recently is taken for such a reservation and
 * kept until the next run, so two tractors do not pile onto one disk.
 */
export const RESERVATION_GRACE_MS = 60_000;

function mtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Writes one disk's state, holding the state lock: unless it was set `off` by hand meanwhile, or
 * a tractor's reservation (a higher number written within the grace) is still fresher than the
 * measurement.
 */
export function decideDiskState(paths: HomePaths, item: PendingDisk | DiskReport, snapshotAt: number): DiskReport {
  if (!('target' in item)) return item;
  const { disk, target } = item;
  const current = readDiskState(paths, disk.farm, disk.disk);
  const base = { farm: disk.farm, disk: disk.disk };
  if (current.kind === 'off')
    return {
      ...base,
      outcome: 'off',
      state: 'off',
      written: false,
      message: `${disk.farm}/${disk.disk}: off (set by hand; kept)`,
    };
  const name = `${disk.farm}/${disk.disk}`;
  const age = snapshotAt - mtimeMs(diskStateFile(paths, disk.farm, disk.disk));
  if (current.kind === 'number' && target.kind === 'number' && target.kib < current.kib && age < RESERVATION_GRACE_MS) {
    const seconds = Math.max(0, Math.round(age / 1000));
    const message = `${name}: ${current.kib} KiB kept, written ${seconds} s ago (a tractor's reservation?); measured ${target.kib} KiB (${item.facts})`;
    return { ...base, outcome: 'room', state: String(current.kib), written: false, message };
  }
  const written = writeDiskState(paths, disk.farm, disk.disk, target);
  const outcome: DiskOutcome = item.outcome ?? (target.kind === 'number' ? 'room' : target.kind);
  const state = formatDiskState(target);
  const shown = target.kind === 'number' ? `${state} KiB` : state;
  return { ...base, outcome, state, written, message: `${name}: ${shown} (${item.facts})` };
}
