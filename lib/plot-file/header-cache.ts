import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { mapLimited } from '../util/map-limited.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { readPlotFile, type PlotFileFacts } from './read-plot-file.js';

const CACHE_VERSION = 1;
/** Opens at once: enough to hide a disk's latency, few enough for a 2-core box and its fd limit. */
const READ_CONCURRENCY = 32;

type CachedFacts = { sizeBytes: number; mtimeMs: number; facts: PlotFileFacts };

export interface HeaderCacheStats {
  /** Headers read from disk in this run. */
  read: number;
  /** Facts taken from the cache (same path, size and mtime). */
  cached: number;
  /** Why the cache could not be written (the facts are still right; the next run reads again). */
  writeError?: string;
}

/** Where the header facts live in the home: a cache, safe to delete. */
export function headerCacheFile(paths: HomePaths): string {
  return path.join(paths.logsDir, '.plot-headers.json');
}

function loadCache(file: string): Map<string, CachedFacts> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: number; entries?: Record<string, CachedFacts> };
    if (parsed.version !== CACHE_VERSION || typeof parsed.entries !== 'object' || parsed.entries === null) return new Map();
    return new Map(Object.entries(parsed.entries));
  } catch {
    // missing or damaged: every header is read again, which is only slower
    return new Map();
  }
}

/**
 * The facts of every file, each header read only when the cache has no entry for its path with
 * the same size and mtime. The cache is rewritten atomically when anything changed; entries under
 * `scopeDirs` whose files are gone are dropped, others kept (a run over one disk keeps the rest).
 * An unreadable file is never cached: the next run tries it again.
 */
export async function readPlotFilesCached(
  files: readonly string[],
  options: { cacheFile: string; scopeDirs: readonly string[] },
): Promise<{ facts: PlotFileFacts[]; stats: HeaderCacheStats }> {
  const cache = loadCache(options.cacheFile);
  const stats: HeaderCacheStats = { read: 0, cached: 0 };
  let changed = false;
  const facts = await mapLimited(files, READ_CONCURRENCY, async (file) => {
    const entry = cache.get(file);
    if (entry) {
      const stat = await fsp.stat(file).catch(() => undefined);
      if (stat && stat.size === entry.sizeBytes && Math.trunc(stat.mtimeMs) === entry.mtimeMs) {
        stats.cached += 1;
        return entry.facts;
      }
    }
    stats.read += 1;
    const fresh = await readPlotFile(file);
    const stat = fresh.ok ? fresh : fresh.problem === 'unreadable' ? undefined : fresh.stat;
    if (stat) cache.set(file, { sizeBytes: stat.sizeBytes, mtimeMs: stat.mtimeMs, facts: fresh });
    else cache.delete(file);
    changed = true;
    return fresh;
  });
  const seen = new Set(files);
  const scopes = options.scopeDirs.map((dir) => `${path.resolve(dir)}${path.sep}`);
  for (const file of cache.keys()) {
    if (!seen.has(file) && scopes.some((scope) => file.startsWith(scope))) {
      cache.delete(file);
      changed = true;
    }
  }
  if (changed) {
    try {
      writeFileAtomicSync(options.cacheFile, JSON.stringify({ version: CACHE_VERSION, entries: Object.fromEntries(cache) }));
    } catch (error) {
      stats.writeError = `${options.cacheFile}: ${(error as Error).message}`;
    }
  }
  return { facts, stats };
}
