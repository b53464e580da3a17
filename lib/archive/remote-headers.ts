import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { HEADER_READ_BYTES, parsePlotHeader, type PlotHeader } from '../plot-file/plot-header.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { archiveStateDir } from './archive-state.js';
import type { TargetPlace } from './archive-targets.js';
import { runOnHost, type HostSession } from './host-session.js';
import { shellQuote } from '../util/shell-quote.js';
import type { ListedPlot } from './target-disk.js';

const CACHE_VERSION = 1;

type RemotePlace = Extract<TargetPlace, { kind: 'remote' }>;

/** One remote plot file's header, as read over ssh: valid only while its size and mtime stay. */
interface CachedHeader {
  s: number;
  m: number;
  /** The header's bytes in hex (as far as the header goes), compared again before a removal. */
  x?: string;
  /** Why it is not a plot. */
  e?: string;
}

export type RemoteHeader = { ok: true; header: PlotHeader; bytes: Buffer } | { ok: false; problem: string };

/** Beside the local header cache's role for lib/plot-file: a cache, safe to delete. */
export function remoteHeaderCacheFile(paths: HomePaths): string {
  return path.join(archiveStateDir(paths), 'remote-headers.json');
}

/**
 * Headers of plots on remote hosts, keyed by host, path, size and mtime, so a pass reads only the
 * headers of files it has not seen in that state (one batched ssh command per host).
 */
export class RemoteHeaderCache {
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, CachedHeader>,
  ) {}

  static load(file: string): RemoteHeaderCache {
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as {
        version?: number;
        entries?: Record<string, CachedHeader>;
      };
      if (parsed.version === CACHE_VERSION && typeof parsed.entries === 'object' && parsed.entries !== null)
        return new RemoteHeaderCache(file, new Map(Object.entries(parsed.entries)));
    } catch {
      // missing or damaged: the headers are read again
    }
    return new RemoteHeaderCache(file, new Map());
  }

  private static key(hostKey: string, file: string): string {
    return `${hostKey}|${file}`;
  }

  get(hostKey: string, file: string, listed: Pick<ListedPlot, 'sizeBytes' | 'mtimeMs'>): RemoteHeader | undefined {
    const entry = this.entries.get(RemoteHeaderCache.key(hostKey, file));
    if (!entry || entry.s !== listed.sizeBytes || entry.m !== listed.mtimeMs) return undefined;
    if (entry.x === undefined) return { ok: false, problem: entry.e ?? 'not a plot' };
    const bytes = Buffer.from(entry.x, 'hex');
    const parsed = parsePlotHeader(bytes);
    return parsed.ok ? { ok: true, header: parsed.header, bytes } : { ok: false, problem: parsed.message };
  }

  /** Keeps what was read; a valid header keeps only its own bytes. */
  set(hostKey: string, file: string, listed: Pick<ListedPlot, 'sizeBytes' | 'mtimeMs'>, head: Buffer): void {
    const parsed = parsePlotHeader(head);
    const entry: CachedHeader = parsed.ok
      ? { s: listed.sizeBytes, m: listed.mtimeMs, x: head.subarray(0, parsed.header.headerBytes).toString('hex') }
      : { s: listed.sizeBytes, m: listed.mtimeMs, e: parsed.message };
    this.entries.set(RemoteHeaderCache.key(hostKey, file), entry);
    this.changed = true;
  }

  /** Drops a host's entries under `plotsDirs` whose files were not listed (gone). */
  forgetMissing(hostKey: string, plotsDirs: readonly string[], listed: ReadonlySet<string>): void {
    const scopes = plotsDirs.map((dir) => `${hostKey}|${dir}/`);
    for (const key of this.entries.keys()) {
      if (scopes.some((scope) => key.startsWith(scope)) && !listed.has(key.slice(hostKey.length + 1))) {
        this.entries.delete(key);
        this.changed = true;
      }
    }
  }

  save(): void {
    if (!this.changed) return;
    writeFileAtomicSync(
      this.file,
      JSON.stringify({ version: CACHE_VERSION, entries: Object.fromEntries(this.entries) }),
    );
    this.changed = false;
  }
}

/** One sh script reading the first bytes of each file as hex (od -An -v -tx1 -N: POSIX od). */
export function headersScript(files: readonly string[]): string {
  const lines = ['export LC_ALL=C'];
  for (const file of files)
    lines.push(
      `echo ${shellQuote(`H ${file}`)}`,
      `od -An -v -tx1 -N ${HEADER_READ_BYTES} -- ${shellQuote(file)} || echo ERR`,
    );
  lines.push('echo END');
  return `${lines.join('\n')}\n`;
}

/** The answer: each file's bytes, or why they could not be read; null when the answer was cut short. */
export function parseHeadersAnswer(output: string): Map<string, Buffer | string> | null {
  const lines = output.split('\n');
  if (!lines.includes('END')) return null;
  const heads = new Map<string, Buffer | string>();
  let file: string | null = null;
  let hex = '';
  let failed = false;
  const close = () => {
    if (file !== null) heads.set(file, failed ? 'cannot be read there' : Buffer.from(hex, 'hex'));
  };
  for (const line of lines) {
    if (line.startsWith('H ')) {
      close();
      file = line.slice(2);
      hex = '';
      failed = false;
    } else if (line === 'END') {
      break;
    } else if (line === 'ERR') {
      failed = true;
    } else if (file !== null && /^[\s0-9a-f]+$/.test(line)) {
      hex += line.replace(/\s+/g, '');
    }
  }
  close();
  return heads;
}

/** Reads the headers of `files` on one host in one script (in the pass's session there, if any); they go into the cache. */
export async function fetchRemoteHeaders(
  place: RemotePlace,
  hostKey: string,
  files: readonly { path: string; listed: ListedPlot }[],
  cache: RemoteHeaderCache,
  options: { sshConfig: string; timeoutMs: number; session?: HostSession },
): Promise<string | null> {
  if (files.length === 0) return null;
  const answer = await runOnHost(
    options.session,
    place,
    options.sshConfig,
    headersScript(files.map((file) => file.path)),
    options.timeoutMs,
  );
  if (!answer.ok) return answer.problem;
  const heads = parseHeadersAnswer(answer.stdout);
  if (heads === null) return 'its answer was cut short';
  for (const file of files) {
    const head = heads.get(file.path);
    if (head instanceof Buffer) cache.set(hostKey, file.path, file.listed, head);
  }
  return null;
}
