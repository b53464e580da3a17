import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { readValueFile, showRaw } from '../config/read-value-file.js';
import { naturalSort } from '../util/natural-sort.js';
import { sshControlDir } from './archive-state.js';

/** Where a target's disks are: this host's farm_root, another local root, or a root on a host reached over SSH. */
export type TargetPlace =
  | { kind: 'local'; root: string | null }
  | {
      kind: 'remote';
      user: string | null;
      host: string;
      port: number | null;
      root: string;
      /** The home's private folder for the master connection's socket (set by the reader). */
      controlDir?: string;
    };

export interface ArchiveTarget {
  /** The file's name without `.goplot`: a metric label and the name in logs. */
  name: string;
  file: string;
  place: TargetPlace;
  /**
   * Transfers at once are limited per host: two targets on one host (two roots) share it.
   * `local` for this host.
   */
  hostKey: string;
}

export const TARGET_SYNTAX = 'local, an absolute path, or [user@]host[:port]:/root';
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const REMOTE =
  /^(?:([A-Za-z0-9._][A-Za-z0-9._-]*)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*)(?::(\d{1,5}))?:(\/[^\s'"`$\\]*)$/;

export function targetsDir(paths: HomePaths): string {
  return path.join(paths.configDir, 'archive', 'targets');
}

/** One target value, or why it is not one. */
export function parseTargetValue(raw: string): { ok: true; place: TargetPlace } | { ok: false; expected: string } {
  if (raw === 'local') return { ok: true, place: { kind: 'local', root: null } };
  // quotes, `$` and backslashes are refused: the root goes into a remote shell command
  if (raw.startsWith('/') && !/[\s'"`$\\]/.test(raw))
    return { ok: true, place: { kind: 'local', root: path.resolve(raw) } };
  const match = REMOTE.exec(raw);
  if (match) {
    const port = match[3] === undefined ? null : Number(match[3]);
    if (port === null || (port >= 1 && port <= 65_535)) {
      const root = match[4].length > 1 ? match[4].replace(/\/+$/, '') : match[4];
      return { ok: true, place: { kind: 'remote', user: match[1] ?? null, host: match[2], port, root } };
    }
  }
  return { ok: false, expected: TARGET_SYNTAX };
}

export function hostKeyOf(place: TargetPlace): string {
  if (place.kind === 'local') return 'local';
  return `${place.user === null ? '' : `${place.user}@`}${place.host}${place.port === null ? '' : `:${place.port}`}`;
}

/** How a target is written in log lines: `h1 (root@10.0.0.5:22:/farm)`. */
export function describeTarget(target: ArchiveTarget): string {
  const place = target.place;
  if (place.kind === 'local') return `${target.name} (${place.root ?? 'farm_root'})`;
  return `${target.name} (${hostKeyOf(place)}:${place.root})`;
}

export type TargetsLog = (level: 'info' | 'warn', message: string) => void;

/**
 * `config/archive/targets/<name>.goplot`, one target per file, read on every pass so a target is
 * added or taken out by creating or deleting its file. A file in error is named with its value,
 * skipped (the others still work) and said once until it changes.
 */
export class TargetReader {
  private readonly said = new Map<string, string>();

  constructor(
    private readonly paths: HomePaths,
    private readonly log: TargetsLog,
  ) {}

  read(): ArchiveTarget[] {
    const dir = targetsDir(this.paths);
    let names: string[];
    try {
      names = naturalSort(fs.readdirSync(dir).filter((name) => name.endsWith('.goplot')));
    } catch {
      return [];
    }
    const targets: ArchiveTarget[] = [];
    const seen = new Set<string>();
    for (const fileName of names) {
      const name = fileName.slice(0, -'.goplot'.length);
      const file = path.join(dir, fileName);
      seen.add(file);
      const problem = this.check(file, name, targets);
      if (problem === null) this.said.delete(file);
      else this.sayOnce(file, `${file}: ${problem}; this target is skipped until it is fixed`);
    }
    for (const file of [...this.said.keys()]) if (!seen.has(file)) this.said.delete(file);
    return targets;
  }

  private check(file: string, name: string, targets: ArchiveTarget[]): string | null {
    if (!TARGET_NAME.test(name))
      return 'invalid target name (letters, digits, `.`, `-` and `_`, not starting with a dot)';
    const raw = readValueFile(file);
    if (raw.status === 'missing') return 'vanished while being read';
    if (raw.status === 'unreadable') return `cannot be read (${raw.problem})`;
    if (raw.status === 'binary') return `invalid value ${showRaw(raw.raw)} (it holds binary bytes)`;
    const parsed = parseTargetValue(raw.raw);
    if (!parsed.ok) return `invalid value ${showRaw(raw.raw)} (expected ${parsed.expected})`;
    const place =
      parsed.place.kind === 'remote' ? { ...parsed.place, controlDir: sshControlDir(this.paths) } : parsed.place;
    targets.push({ name, file, place, hostKey: hostKeyOf(place) });
    return null;
  }

  private sayOnce(file: string, message: string): void {
    if (this.said.get(file) === message) return;
    this.said.set(file, message);
    this.log('warn', message);
  }
}
