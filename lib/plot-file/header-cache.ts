import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import type { PlotHeader } from './plot-header.js';
import { readPlotFileSync, type InvalidPlotFile, type PlotFileFacts } from './read-plot-file.js';
import { errorMessage } from '../util/error-message.js';

const CACHE_VERSION = 3;

/**
 * One file's facts, keyed by its path, in short fields: 10,000 of them are parsed on every run,
 * and the parse and its garbage were a third of a cached run's time in the long form.
 */
interface CachedFacts {
  s: number;
  m: number;
  h?: PlotHeader;
  /** Name mismatches, when there are any. */
  n?: string[];
  p?: InvalidPlotFile['problem'];
  e?: string;
  /** The proof of space a refused file is for, when known. */
  o?: 1 | 2;
}

function toCached(facts: PlotFileFacts, stat: { sizeBytes: number; mtimeMs: number }): CachedFacts {
  const entry: CachedFacts = { s: stat.sizeBytes, m: stat.mtimeMs };
  if (!facts.ok)
    return facts.pos === undefined
      ? { ...entry, p: facts.problem, e: facts.message }
      : { ...entry, p: facts.problem, e: facts.message, o: facts.pos };
  return facts.nameMismatches.length > 0
    ? { ...entry, h: facts.header, n: facts.nameMismatches }
    : { ...entry, h: facts.header };
}

function fromCached(file: string, entry: CachedFacts): PlotFileFacts {
  if (entry.h)
    return {
      ok: true,
      path: file,
      sizeBytes: entry.s,
      mtimeMs: entry.m,
      header: entry.h,
      nameMismatches: entry.n ?? [],
    };
  const refused: InvalidPlotFile = {
    ok: false,
    path: file,
    problem: entry.p ?? 'invalid',
    message: entry.e ?? '',
    stat: { sizeBytes: entry.s, mtimeMs: entry.m },
  };
  return entry.o === undefined ? refused : { ...refused, pos: entry.o };
}

export interface HeaderCacheStats {
  /** Headers read from disk in this run. */
  read: number;
  /** Facts taken from the cache (same path, size and mtime). */
  cached: number;
  /** Why the cache could not be written (the facts are still right; the next run reads again). */
  writeError?: string;
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Where the header facts live in the home: a cache, safe to delete. */
export function headerCacheFile(paths: HomePaths): string {
  return path.join(paths.logsDir, '.plot-headers.json');
}

function loadCache(file: string): Map<string, CachedFacts> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      version?: number;
      entries?: Record<string, CachedFacts>;
    };
    if (parsed.version !== CACHE_VERSION || typeof parsed.entries !== 'object' || parsed.entries === null)
      return new Map();
    return new Map(Object.entries(parsed.entries));
  } catch {
    // missing or damaged: every header is read again, which is only slower
    return new Map();
  }
}

/**
 * The header cache of one run: loaded once, asked per file, saved once (atomically, only when
 * something changed). A file's facts come from the cache only while its path, size and mtime
 * match; an unreadable file is never cached, so the next run tries it again.
 */
export class HeaderCache {
  readonly stats: HeaderCacheStats = { read: 0, cached: 0 };
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, CachedFacts>,
  ) {}

  static load(cacheFile: string): HeaderCache {
    return new HeaderCache(cacheFile, loadCache(cacheFile));
  }

  factsOf(file: string): PlotFileFacts {
    const entry = this.entries.get(file);
    if (entry) {
      const stat = statOrUndefined(file);
      if (stat && stat.size === entry.s && Math.trunc(stat.mtimeMs) === entry.m) {
        this.stats.cached += 1;
        return fromCached(file, entry);
      }
    }
    this.stats.read += 1;
    const fresh = readPlotFileSync(file);
    const stat = fresh.ok ? fresh : fresh.problem === 'unreadable' ? undefined : fresh.stat;
    if (stat) this.entries.set(file, toCached(fresh, stat));
    else this.entries.delete(file);
    this.changed = true;
    return fresh;
  }

  /** Drops the entries under `dirs` that are not in `seen` (their files are gone). */
  forgetMissing(dirs: readonly string[], seen: ReadonlySet<string>): void {
    const scopes = dirs.map((dir) => `${path.resolve(dir)}${path.sep}`);
    for (const file of this.entries.keys()) {
      if (!seen.has(file) && scopes.some((scope) => file.startsWith(scope))) {
        this.entries.delete(file);
        this.changed = true;
      }
    }
  }

  /** Writes the cache if anything changed; a failure is kept in stats.writeError, never thrown. */
  save(): void {
    if (!this.changed) return;
    try {
      writeFileAtomicSync(
        this.file,
        JSON.stringify({ version: CACHE_VERSION, entries: Object.fromEntries(this.entries) }),
      );
      this.changed = false;
    } catch (error) {
      this.stats.writeError = `${this.file}: ${errorMessage(error)}`;
    }
  }
}

/**
 * The facts of every file through the cache; entries under `scopeDirs` whose files are gone are
 * dropped, others kept (a run over one disk keeps the rest).
 */
export function readPlotFilesCached(
  files: readonly string[],
  options: { cacheFile: string; scopeDirs: readonly string[] },
): { facts: PlotFileFacts[]; stats: HeaderCacheStats } {
  const cache = HeaderCache.load(options.cacheFile);
  const facts = files.map((file) => cache.factsOf(file));
  cache.forgetMissing(options.scopeDirs, new Set(files));
  cache.save();
  return { facts, stats: cache.stats };
}
