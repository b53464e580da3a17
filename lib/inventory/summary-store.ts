import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { errorMessage } from '../util/error-message.js';
import type { Amount, DiskTally } from './plot-inventory.js';

const STORE_VERSION = 1;
/**
 * A folder changed less than this before it was read may change again within the same
 * timestamp tick without its mtime moving: its summary is not trusted on the next run.
 */
export const RACY_MS = 2000;

/** One plots folder's summary, valid while the folder's signature and the replot rule are the same. */
export interface StoredDisk {
  /** The folder's device, inode, mtime, ctime (ns) and size when it was read; '' when it was too fresh to trust. */
  sig: string;
  rule: string;
  tally: DiskTally;
  /** Every plot file in it (valid or not), for the counts that need no header. */
  files: Amount;
}

export type DirSignature = { ok: true; sig: string; racy: boolean } | { ok: false; missing: boolean; problem: string };

/** What identifies a folder's listing: a file added, removed or renamed in it changes its mtime and ctime. */
export function dirSignature(dir: string, nowMs: number): DirSignature {
  try {
    const s = fs.statSync(dir, { bigint: true });
    if (!s.isDirectory()) return { ok: false, missing: true, problem: `cannot read ${dir}: not a folder` };
    // adding, removing or renaming an entry sets mtime (and ctime) to the same current time
    const changedMs = Number(s.mtimeNs / 1_000_000n);
    return {
      ok: true,
      sig: `${s.dev}:${s.ino}:${s.mtimeNs}:${s.ctimeNs}:${s.size}`,
      racy: nowMs - changedMs < RACY_MS || changedMs > nowMs,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      missing: code === 'ENOENT' || code === 'ENOTDIR',
      problem: `cannot read ${dir}: ${errorMessage(error)}`,
    };
  }
}

/** Where the per-disk summaries live in the home: a cache, safe to delete. */
export function summaryStoreFile(paths: HomePaths): string {
  return path.join(paths.logsDir, '.plot-inventory.json');
}

function validEntry(entry: unknown): entry is StoredDisk {
  const e = entry as StoredDisk | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.sig === 'string' &&
    typeof e.rule === 'string' &&
    typeof e.tally?.count === 'number' &&
    Array.isArray(e.tally.groups) &&
    Array.isArray(e.tally.landed) &&
    Array.isArray(e.tally.metaGroups) &&
    typeof e.files?.count === 'number'
  );
}

/**
 * The per-disk summaries of the last runs, by plots folder: loaded once, asked per disk, saved
 * once (atomically, only when something changed). A damaged file is rebuilt and `problem` says
 * so; the run that rebuilds it writes a good one, so it is said once.
 */
export class SummaryStore {
  private changed = false;
  writeError: string | undefined;

  private constructor(
    private readonly file: string,
    private readonly disks: Map<string, StoredDisk>,
    readonly problem: string | undefined,
  ) {}

  static load(file: string): SummaryStore {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return new SummaryStore(file, new Map(), undefined);
    }
    try {
      const parsed = JSON.parse(text) as { version?: unknown; disks?: Record<string, unknown> };
      // another version's summaries are rebuilt quietly: nothing is wrong with them
      if (parsed.version !== STORE_VERSION) return new SummaryStore(file, new Map(), undefined);
      const entries = Object.entries(parsed.disks ?? {});
      const bad = entries.find(([, entry]) => !validEntry(entry));
      if (bad) throw new Error(`the entry of ${bad[0]} is not a disk summary`);
      return new SummaryStore(file, new Map(entries as [string, StoredDisk][]), undefined);
    } catch (error) {
      return new SummaryStore(
        file,
        new Map(),
        `${file} was damaged (${errorMessage(error)}): rebuilt from the plot files`,
      );
    }
  }

  get(plotsDir: string): StoredDisk | undefined {
    return this.disks.get(plotsDir);
  }

  set(plotsDir: string, entry: StoredDisk): void {
    this.disks.set(plotsDir, entry);
    this.changed = true;
  }

  /** Forgets the folders not in `keep` (disks that left the farm). */
  keepOnly(keep: ReadonlySet<string>): void {
    for (const dir of this.disks.keys()) {
      if (!keep.has(dir)) {
        this.disks.delete(dir);
        this.changed = true;
      }
    }
  }

  /** Writes the summaries if anything changed (or the file was damaged); a failure is kept in writeError. */
  save(): void {
    if (!this.changed && this.problem === undefined) return;
    try {
      writeFileAtomicSync(this.file, JSON.stringify({ version: STORE_VERSION, disks: Object.fromEntries(this.disks) }));
      this.changed = false;
    } catch (error) {
      this.writeError = `${this.file}: ${errorMessage(error)}`;
    }
  }
}

/**
 * The plot files of a folder from its stored summary, when the folder has not changed since:
 * for counts (status, the collectors) that then need not stat every file. undefined otherwise.
 */
export function storedPlotFiles(store: SummaryStore, plotsDir: string, nowMs: number): Amount | undefined {
  const stored = store.get(plotsDir);
  if (!stored || stored.sig === '') return undefined;
  const now = dirSignature(plotsDir, nowMs);
  return now.ok && now.sig === stored.sig ? stored.files : undefined;
}

/** A lookup of the stored plot files of unchanged folders, for a reader that only counts (read-only). */
export function storedPlotFilesLookup(paths: HomePaths, now: () => number): (plotsDir: string) => Amount | undefined {
  const store = SummaryStore.load(summaryStoreFile(paths));
  return (plotsDir) => storedPlotFiles(store, plotsDir, now());
}
