import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { archiveStateDir } from './archive-state.js';

/**
 * An old plot replot removed on a target disk for a staged plot, kept until that plot has
 * arrived: a transfer that fails after the removal leaves the freed room on the disk, and the
 * plot's next try must not remove a second old plot (one old plot per new plot at the most).
 */
export interface FreedRoom {
  plot: string;
  /** `<target>:<farm>/<disk>` */
  disk: string;
  /** The removed plot, as the removal's log line described it. */
  removed: string;
  at: number;
}

function freedDir(paths: HomePaths): string {
  return path.join(archiveStateDir(paths), 'replot-freed');
}

function fileOf(paths: HomePaths, plot: string): string {
  return path.join(freedDir(paths), `${encodeURIComponent(plot)}.json`);
}

export function recordFreed(paths: HomePaths, freed: FreedRoom): void {
  writeFileAtomicSync(fileOf(paths, freed.plot), `${JSON.stringify(freed)}\n`);
}

export function readFreed(paths: HomePaths, plot: string): FreedRoom | null {
  try {
    return JSON.parse(fs.readFileSync(fileOf(paths, plot), 'utf8')) as FreedRoom;
  } catch {
    return null;
  }
}

export function dropFreed(paths: HomePaths, plot: string): void {
  fs.rmSync(fileOf(paths, plot), { force: true });
}

/** Every record: the plots replot has removed an old plot for, still waiting to arrive. */
export function listFreed(paths: HomePaths): FreedRoom[] {
  let names: string[];
  try {
    names = fs.readdirSync(freedDir(paths)).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const freed = readFreed(paths, decodeURIComponent(name.slice(0, -'.json'.length)));
    return freed ? [freed] : [];
  });
}

/** Forgets the records of plots no longer in staging (arrived, or taken away by hand); the plots whose records stay. */
export function pruneFreed(paths: HomePaths, staged: ReadonlySet<string>): Set<string> {
  const kept = new Set<string>();
  let names: string[];
  try {
    names = fs.readdirSync(freedDir(paths)).filter((name) => name.endsWith('.json'));
  } catch {
    return kept;
  }
  for (const name of names) {
    const plot = decodeURIComponent(name.slice(0, -'.json'.length));
    if (staged.has(plot)) kept.add(plot);
    else fs.rmSync(path.join(freedDir(paths), name), { force: true });
  }
  return kept;
}
