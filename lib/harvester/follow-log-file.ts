import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../util/error-message.js';

/** What the follower noticed about the file, for the log; lines go to onLines. */
export type FollowEvent =
  | { kind: 'following'; file: string; position: number }
  | { kind: 'missing'; file: string }
  | { kind: 'unreadable'; file: string; problem: string }
  | { kind: 'rotated'; file: string; oldBytesRead: number }
  | { kind: 'truncated'; file: string; size: number; position: number }
  | { kind: 'overlong-line'; file: string; bytes: number };

export interface FollowOptions {
  file: string;
  /** Called with whole lines only (each ends with \n, but for a last line flushed at a rotation). Do not keep the buffer. */
  onLines: (chunk: Buffer) => void;
  onEvent?: (event: FollowEvent) => void;
  /** Read an existing file from its start, not its end (backfill, tests). */
  fromStart?: boolean;
  /** The fallback when no watch event comes (network filesystems, a missing directory). */
  pollMs?: number;
  chunkBytes?: number;
  /** A longer "line" is dropped (and reported) so a file without newlines cannot grow memory. */
  maxLineBytes?: number;
}

export interface LogFollower {
  /** Resolves once everything written so far has been read (tests, and a last write before exit). */
  drain(): Promise<void>;
  close(): Promise<void>;
  /** True while the file is open and readable. */
  readonly following: boolean;
}

interface OpenFile {
  handle: FileHandle;
  dev: number;
  ino: number;
  position: number;
}

/**
 * Follows a log like `tail -F -n0`: starts at the end of an existing file (at the start of one that
 * appears later), notices a rename (the path's inode changes) and drains the old file to its end
 * before opening the new one, notices truncation (size below the read position) and starts over.
 * fs.watch on the directory makes it prompt; a poll every `pollMs` covers what watch misses.
 * Reads go in fixed chunks, so a burst of a million lines costs one buffer, not the burst.
 */
export function followLogFile(options: FollowOptions): LogFollower {
  const pollMs = options.pollMs ?? 500;
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const maxLineBytes = options.maxLineBytes ?? 1 << 20;
  const emit = options.onEvent ?? (() => {});
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let open: OpenFile | null = null;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Starting mid-line at the end of a file: the rest of that line is old and is skipped. */
  let skipToNewline = false;
  let lastProblem = '';
  let closed = false;
  let running: Promise<void> | null = null;
  let again = false;
  let watcher: fs.FSWatcher | null = null;
  let firstOpen = true;

  const step = async (): Promise<void> => {
    if (!open) await tryOpen();
    if (!open) return;
    await readToEnd(open);
    let current: fs.Stats | null = null;
    try {
      current = await fs.promises.stat(options.file);
    } catch {
      // gone: rotated away and not yet recreated, or deleted; handled as a rotation below
    }
    if (!current || current.ino !== open.ino || current.dev !== open.dev) {
      // Lines written before the rename are in the old file: read them before switching.
      await readToEnd(open);
      flushPending();
      const oldBytesRead = open.position;
      await open.handle.close().catch(() => {});
      open = null;
      emit({ kind: 'rotated', file: options.file, oldBytesRead });
      if (current) await tryOpen();
      if (open) await readToEnd(open);
      return;
    }
    const { size } = await open.handle.stat();
    if (size < open.position) {
      emit({ kind: 'truncated', file: options.file, size, position: open.position });
      flushPending();
      open.position = 0;
      skipToNewline = false;
      await readToEnd(open);
    }
  };

  const tryOpen = async (): Promise<void> => {
    let handle: FileHandle;
    try {
      handle = await fs.promises.open(options.file, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem = code === 'ENOENT' ? 'missing' : `${code ?? 'error'}: ${errorMessage(error)}`;
      if (problem !== lastProblem) {
        lastProblem = problem;
        emit(
          code === 'ENOENT'
            ? { kind: 'missing', file: options.file }
            : { kind: 'unreadable', file: options.file, problem },
        );
      }
      firstOpen = false;
      return;
    }
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      const problem = 'not a regular file';
      if (problem !== lastProblem) emit({ kind: 'unreadable', file: options.file, problem });
      lastProblem = problem;
      firstOpen = false;
      return;
    }
    // Only a file that was there when we started holds old lines; one that appeared later is all new.
    const position = firstOpen && !options.fromStart ? stats.size : 0;
    firstOpen = false;
    lastProblem = '';
    skipToNewline = position > 0 && (await byteAt(handle, position - 1)) !== 0x0a;
    open = { handle, dev: stats.dev, ino: stats.ino, position };
    emit({ kind: 'following', file: options.file, position });
  };

  const readToEnd = async (file: OpenFile): Promise<void> => {
    for (;;) {
      const { bytesRead } = await file.handle.read(buffer, 0, chunkBytes, file.position);
      if (bytesRead === 0) return;
      file.position += bytesRead;
      takeBytes(buffer.subarray(0, bytesRead));
      if (closed) return;
    }
  };

  const takeBytes = (bytes: Buffer): void => {
    const firstNewline = bytes.indexOf(0x0a);
    if (firstNewline < 0) {
      keepPending(bytes);
      return;
    }
    if (skipToNewline) {
      skipToNewline = false;
      pending = [];
      pendingBytes = 0;
    } else if (pendingBytes > 0) {
      pending.push(bytes.subarray(0, firstNewline + 1));
      options.onLines(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    } else {
      options.onLines(bytes.subarray(0, firstNewline + 1));
    }
    const lastNewline = bytes.lastIndexOf(0x0a);
    if (lastNewline > firstNewline) options.onLines(bytes.subarray(firstNewline + 1, lastNewline + 1));
    if (lastNewline + 1 < bytes.length) keepPending(bytes.subarray(lastNewline + 1));
  };

  const keepPending = (bytes: Buffer): void => {
    if (skipToNewline) return;
    if (pendingBytes + bytes.length > maxLineBytes) {
      emit({ kind: 'overlong-line', file: options.file, bytes: pendingBytes + bytes.length });
      pending = [];
      pendingBytes = 0;
      // The rest of this line is dropped too, up to its newline.
      skipToNewline = true;
      return;
    }
    // The read buffer is reused, so the partial line is copied.
    pending.push(Buffer.from(bytes));
    pendingBytes += bytes.length;
  };

  /** A last line without its newline, at a rotation or truncation: the writer will not finish it in this file. */
  const flushPending = (): void => {
    if (pendingBytes > 0 && !skipToNewline) options.onLines(Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
    skipToNewline = false;
  };

  /** Runs one step at a time; a kick during a step runs one more after it. */
  const kick = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await step().catch((error: unknown) => {
            const problem = `read error: ${errorMessage(error)}`;
            if (problem !== lastProblem) emit({ kind: 'unreadable', file: options.file, problem });
            lastProblem = problem;
            const failed = open;
            open = null;
            return failed?.handle.close().catch(() => {});
          });
        } while (again && !closed);
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const watchDirectory = (): void => {
    if (watcher || closed) return;
    try {
      const name = path.basename(options.file);
      watcher = fs.watch(path.dirname(options.file), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name || String(changed).startsWith(name)) void kick();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = null;
      });
    } catch {
      watcher = null; // the directory does not exist yet: the poll keeps trying
    }
  };

  const poll = setInterval(() => {
    watchDirectory();
    void kick();
  }, pollMs);
  watchDirectory();
  void kick();

  return {
    get following() {
      return open !== null;
    },
    async drain() {
      await kick();
      // A kick that arrived during the step above ran inside it; one more makes sure of the tail.
      await kick();
    },
    async close() {
      closed = true;
      clearInterval(poll);
      watcher?.close();
      watcher = null;
      await running;
      await open?.handle.close().catch(() => {});
      open = null;
    },
  };
}

async function byteAt(handle: FileHandle, position: number): Promise<number> {
  const one = Buffer.alloc(1);
  const { bytesRead } = await handle.read(one, 0, 1, position);
  return bytesRead === 1 ? one[0] : -1;
}
