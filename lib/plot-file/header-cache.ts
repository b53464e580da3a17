import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { errorMessage } from '../util/error-message.js';
import { parsePlotFileName } from './plot-file-name.js';
import type { PlotFormat, PlotHeader } from './plot-header.js';
import { readPlotFileSync, type InvalidPlotFile, type PlotFileFacts } from './read-plot-file.js';

const CACHE_VERSION = 4;
/** Folders whose facts stay loaded at once: callers go disk by disk, so a few bound the memory. */
const DIRS_IN_MEMORY = 4;

/**
 * One file's facts in a folder's cache file, by its name: `[size, mtime, header]` for a plot,
 * `[size, mtime, problem, message, pos?]` for anything else. The header is one string of its
 * fields (the plot id left out when the file name holds it): a 10,000-plot folder's file is
 * about 1.5 MB and parses in milliseconds.
 */
type CachedFacts = [number, number, string, string?, (1 | 2)?] | [number, number, string, string[]];

const FORMATS: PlotFormat[] = ['v1', 'bladebit', 'pos2'];

function packHeader(file: string, header: PlotHeader): string {
  const idInName = file.endsWith(`-${header.plotId}.plot2`) || file.endsWith(`-${header.plotId}.plot`);
  const pos2 = header.pos2;
  return [
    'h',
    FORMATS.indexOf(header.format),
    header.k,
    header.compression,
    header.kind === 'solo' ? 's' : 'p',
    header.memoBytes,
    header.headerBytes,
    idInName ? '' : header.plotId,
    ...(pos2 ? [pos2.formatVersion, pos2.strength, pos2.plotIndex, pos2.metaGroup, pos2.chunkCount] : []),
  ].join(':');
}

function unpackHeader(file: string, packed: string): PlotHeader {
  const f = packed.split(':');
  const n = (at: number) => Number(f[at]);
  const format = FORMATS[n(1)] ?? 'v1';
  const header: PlotHeader = {
    pos: format === 'pos2' ? 2 : 1,
    format,
    plotId: f[7] === '' ? (parsePlotFileName(file)?.plotId ?? '') : f[7]!,
    k: n(2),
    compression: n(3),
    kind: f[4] === 's' ? 'solo' : 'pool',
    memoBytes: n(5),
    headerBytes: n(6),
  };
  if (f.length > 8)
    header.pos2 = { formatVersion: n(8), strength: n(9), plotIndex: n(10), metaGroup: n(11), chunkCount: n(12) };
  return header;
}

function toCached(facts: PlotFileFacts, stat: { sizeBytes: number; mtimeMs: number }): CachedFacts {
  if (!facts.ok)
    return facts.pos === undefined
      ? [stat.sizeBytes, stat.mtimeMs, facts.problem, facts.message]
      : [stat.sizeBytes, stat.mtimeMs, facts.problem, facts.message, facts.pos];
  const header = packHeader(facts.path, facts.header);
  return facts.nameMismatches.length > 0
    ? [stat.sizeBytes, stat.mtimeMs, header, facts.nameMismatches]
    : [stat.sizeBytes, stat.mtimeMs, header];
}

function fromCached(file: string, entry: CachedFacts): PlotFileFacts {
  const [sizeBytes, mtimeMs, what] = entry;
  if (what.startsWith('h:')) {
    const mismatches = entry[3];
    return {
      ok: true,
      path: file,
      sizeBytes,
      mtimeMs,
      header: unpackHeader(file, what),
      nameMismatches: Array.isArray(mismatches) ? mismatches : [],
    };
  }
  const refused: InvalidPlotFile = {
    ok: false,
    path: file,
    problem: what as InvalidPlotFile['problem'],
    message: typeof entry[3] === 'string' ? entry[3] : '',
    stat: { sizeBytes, mtimeMs },
  };
  const pos = entry[4];
  return pos === 1 || pos === 2 ? { ...refused, pos } : refused;
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

/** Where the header facts live in the home: one file per plots folder, a cache, safe to delete. */
export function headerCacheDir(paths: HomePaths): string {
  return path.join(paths.logsDir, '.plot-facts');
}

/** The cache file of one plots folder: named by a hash of its path, which the file repeats. */
function dirCacheFile(cacheDir: string, dir: string): string {
  return path.join(cacheDir, `${crypto.createHash('sha1').update(dir).digest('hex').slice(0, 20)}.json`);
}

interface DirEntries {
  entries: Map<string, CachedFacts>;
  changed: boolean;
}

function loadDir(file: string, dir: string): Map<string, CachedFacts> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      version?: number;
      dir?: string;
      files?: Record<string, CachedFacts>;
    };
    if (parsed.version !== CACHE_VERSION || parsed.dir !== dir || typeof parsed.files !== 'object' || !parsed.files)
      return new Map();
    return new Map(Object.entries(parsed.files));
  } catch {
    // missing or damaged: the folder's headers are read again, which is only slower
    return new Map();
  }
}

/**
 * The header facts of plot files, kept per plots folder in the home: a folder's file is loaded
 * when one of its plots is asked for, and only a few folders stay in memory, so the memory
 * follows the largest folder, not the farm. A file's facts come from the cache only while its
 * size and mtime match; an unreadable file is never cached, so the next run tries it again.
 */
export class HeaderCache {
  readonly stats: HeaderCacheStats = { read: 0, cached: 0 };
  /** Most recently used last. */
  private readonly dirs = new Map<string, DirEntries>();

  private constructor(private readonly cacheDir: string) {}

  static load(cacheDir: string): HeaderCache {
    return new HeaderCache(cacheDir);
  }

  private dirOf(dir: string): DirEntries {
    let loaded = this.dirs.get(dir);
    if (loaded) {
      this.dirs.delete(dir);
    } else {
      loaded = { entries: loadDir(dirCacheFile(this.cacheDir, dir), dir), changed: false };
      while (this.dirs.size >= DIRS_IN_MEMORY) {
        const [oldest] = this.dirs.keys();
        this.release(oldest!);
      }
    }
    this.dirs.set(dir, loaded);
    return loaded;
  }

  /** A file with no entry is read at once: its stat would only be taken twice. */
  private factsIn(loaded: DirEntries, name: string, file: string): PlotFileFacts {
    const entry = loaded.entries.get(name);
    const stat = entry ? statOrUndefined(file) : undefined;
    if (entry && stat && stat.size === entry[0] && Math.trunc(stat.mtimeMs) === entry[1]) {
      this.stats.cached += 1;
      return fromCached(file, entry);
    }
    this.stats.read += 1;
    const fresh = readPlotFileSync(file);
    const freshStat = fresh.ok ? fresh : fresh.problem === 'unreadable' ? undefined : fresh.stat;
    if (freshStat) loaded.entries.set(name, toCached(fresh, freshStat));
    else loaded.entries.delete(name);
    loaded.changed = true;
    return fresh;
  }

  /** One file's facts: from the cache while its size and mtime match, else read now. */
  factsOf(file: string): PlotFileFacts {
    return this.factsIn(this.dirOf(path.dirname(file)), path.basename(file), file);
  }

  /**
   * Every plot file of one folder (`names`, as listed now): entries of files that are gone are
   * dropped, the folder's cache file is written if anything changed and let go of.
   */
  readDir(dir: string, names: readonly string[]): PlotFileFacts[] {
    const loaded = this.dirOf(dir);
    const facts = names.map((name) => this.factsIn(loaded, name, path.join(dir, name)));
    const seen = new Set(names);
    for (const name of loaded.entries.keys()) {
      if (!seen.has(name)) {
        loaded.entries.delete(name);
        loaded.changed = true;
      }
    }
    this.release(dir);
    return facts;
  }

  private release(dir: string): void {
    const loaded = this.dirs.get(dir);
    this.dirs.delete(dir);
    if (loaded?.changed) this.write(dir, loaded);
  }

  private write(dir: string, loaded: DirEntries): void {
    const file = dirCacheFile(this.cacheDir, dir);
    try {
      if (loaded.entries.size === 0) fs.rmSync(file, { force: true });
      else
        writeFileAtomicSync(
          file,
          JSON.stringify({ version: CACHE_VERSION, dir, files: Object.fromEntries(loaded.entries) }),
          { sync: false },
        );
      loaded.changed = false;
    } catch (error) {
      this.stats.writeError = `${file}: ${errorMessage(error)}`;
    }
  }

  /** Writes the folders that changed; a failure is kept in stats.writeError, never thrown. */
  save(): void {
    for (const [dir, loaded] of this.dirs) if (loaded.changed) this.write(dir, loaded);
  }
}
