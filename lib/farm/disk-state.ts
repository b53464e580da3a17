import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { readValueFile, showRaw } from '../config/read-value-file.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

export type DiskState =
  | { kind: 'number'; kib: number }
  | { kind: 'full' }
  | { kind: 'off' }
  | { kind: 'unmounted' }
  | { kind: 'missing' }
  | { kind: 'invalid'; raw: string };

export type WritableDiskState = Extract<DiskState, { kind: 'number' | 'full' | 'off' | 'unmounted' }>;

/** goplot took a disk out by writing a huge number; such a disk stays out. */
export const OLD_OFF_SENTINEL = 9_999_999_999_999;

export function diskStateFile(paths: HomePaths, farm: string, disk: string): string {
  return path.join(paths.disksDir, farm, `${disk}.goplot`);
}

/** The state as its file says it, read like every value file (last non-empty line, trimmed). */
export function parseDiskState(raw: string): DiskState {
  const word = raw.toLowerCase();
  if (word === 'full' || word === 'off' || word === 'unmounted') return { kind: word };
  if (/^\d+$/.test(raw)) {
    const kib = Number(raw);
    if (kib >= OLD_OFF_SENTINEL) return { kind: 'off' };
    if (Number.isSafeInteger(kib)) return { kind: 'number', kib };
  }
  return { kind: 'invalid', raw };
}

export function readDiskState(paths: HomePaths, farm: string, disk: string): DiskState {
  const read = readValueFile(diskStateFile(paths, farm, disk));
  switch (read.status) {
    case 'missing':
      return { kind: 'missing' };
    case 'ok':
      return parseDiskState(read.raw);
    case 'binary':
      return { kind: 'invalid', raw: read.raw };
    case 'unreadable':
      return { kind: 'invalid', raw: `(${read.problem})` };
  }
}

export function formatDiskState(state: DiskState): string {
  switch (state.kind) {
    case 'number':
      return String(state.kib);
    case 'invalid':
      return `invalid ${showRaw(state.raw)}`;
    default:
      return state.kind;
  }
}

/**
 * Writes atomically, and not at all when the file already holds this value: the file's mtime
 * then tells when the disk's state last changed.
 * Returns whether the file was written.
 */
export function writeDiskState(paths: HomePaths, farm: string, disk: string, state: WritableDiskState): boolean {
  const file = diskStateFile(paths, farm, disk);
  const content = `${formatDiskState(state)}\n`;
  try {
    if (fs.readFileSync(file, 'utf8') === content) return false;
  } catch {
    // missing or unreadable: write it
  }
  writeFileAtomicSync(file, content);
  return true;
}
