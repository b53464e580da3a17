import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../util/error-message.js';
import { LineSplitter } from './line-splitter.js';

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
  return new LogFileFollower(options);
}

/**
 * The follower's state: the open file, the last problem reported (each is reported once), and the
 * one step that may run at a time. Cutting the bytes into lines is the LineSplitter's job.
 */
class LogFileFollower implements LogFollower {
  private readonly file: string;
  private readonly emit: (event: FollowEvent) => void;
  private readonly buffer: Buffer;
  private readonly lines: LineSplitter;
  private readonly poll: NodeJS.Timeout;
  private open: OpenFile | null = null;
  private lastProblem = '';
  private closed = false;
  private running: Promise<void> | null = null;
  private again = false;
  private watcher: fs.FSWatcher | null = null;
  private firstOpen = true;

  constructor(private readonly options: FollowOptions) {
    this.file = options.file;
    this.emit = options.onEvent ?? (() => {});
    this.buffer = Buffer.allocUnsafe(options.chunkBytes ?? 1 << 20);
    this.lines = new LineSplitter(options.onLines, options.maxLineBytes ?? 1 << 20, (bytes) =>
      this.emit({ kind: 'overlong-line', file: this.file, bytes }),
    );
    this.poll = setInterval(() => {
      this.watchDirectory();
      void this.kick();
    }, options.pollMs ?? 500);
    this.watchDirectory();
    void this.kick();
  }

  get following(): boolean {
    return this.open !== null;
  }

  async drain(): Promise<void> {
    await this.kick();
    // A kick that arrived during the step above ran inside it; one more makes sure of the tail.
    await this.kick();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    this.watcher?.close();
    this.watcher = null;
    await this.running;
    await this.open?.handle.close().catch(() => {});
    this.open = null;
  }

  /** Runs one step at a time; a kick during a step runs one more after it. */
  private kick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.step().catch((error: unknown) => this.readFailed(error));
        } while (this.again && !this.closed);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async readFailed(error: unknown): Promise<void> {
    this.report({ kind: 'unreadable', file: this.file, problem: `read error: ${errorMessage(error)}` });
    const failed = this.open;
    this.open = null;
    await failed?.handle.close().catch(() => {});
  }

  /** Reads what is new, then checks whether the path still names the open file and whether it shrank. */
  private async step(): Promise<void> {
    if (!this.open) await this.tryOpen();
    const open = this.open;
    if (!open) return;
    await this.readToEnd(open);
    let current: fs.Stats | null = null;
    try {
      current = await fs.promises.stat(this.file);
    } catch {
      // gone: rotated away and not yet recreated, or deleted; handled as a rotation below
    }
    if (!current || current.ino !== open.ino || current.dev !== open.dev) {
      await this.rotated(open, current !== null);
      return;
    }
    const { size } = await open.handle.stat();
    if (size < open.position) {
      this.emit({ kind: 'truncated', file: this.file, size, position: open.position });
      this.lines.flush();
      open.position = 0;
      this.lines.startAt(false);
      await this.readToEnd(open);
    }
  }

  private async rotated(old: OpenFile, pathExists: boolean): Promise<void> {
    // Lines written before the rename are in the old file: read them before switching.
    await this.readToEnd(old);
    this.lines.flush();
    await old.handle.close().catch(() => {});
    this.open = null;
    this.emit({ kind: 'rotated', file: this.file, oldBytesRead: old.position });
    if (pathExists) await this.tryOpen();
    if (this.open) await this.readToEnd(this.open);
  }

  private async tryOpen(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await fs.promises.open(this.file, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.firstOpen = false;
      this.report(
        code === 'ENOENT'
          ? { kind: 'missing', file: this.file }
          : { kind: 'unreadable', file: this.file, problem: `${code ?? 'error'}: ${errorMessage(error)}` },
      );
      return;
    }
    const stats = await handle.stat();
    // Only a file that was there when we started holds old lines; one that appeared later is all new.
    const position = this.firstOpen && !this.options.fromStart ? stats.size : 0;
    this.firstOpen = false;
    if (!stats.isFile()) {
      await handle.close();
      this.report({ kind: 'unreadable', file: this.file, problem: 'not a regular file' });
      return;
    }
    this.lastProblem = '';
    this.lines.startAt(position > 0 && (await byteAt(handle, position - 1)) !== 0x0a);
    this.open = { handle, dev: stats.dev, ino: stats.ino, position };
    this.emit({ kind: 'following', file: this.file, position });
  }

  /** A missing or unreadable file is said once, not at every poll. */
  private report(event: Extract<FollowEvent, { kind: 'missing' | 'unreadable' }>): void {
    const problem = event.kind === 'missing' ? 'missing' : event.problem;
    if (problem !== this.lastProblem) this.emit(event);
    this.lastProblem = problem;
  }

  private async readToEnd(file: OpenFile): Promise<void> {
    for (;;) {
      const { bytesRead } = await file.handle.read(this.buffer, 0, this.buffer.length, file.position);
      if (bytesRead === 0) return;
      file.position += bytesRead;
      this.lines.take(this.buffer.subarray(0, bytesRead));
      if (this.closed) return;
    }
  }

  private watchDirectory(): void {
    if (this.watcher || this.closed) return;
    try {
      const name = path.basename(this.file);
      this.watcher = fs.watch(path.dirname(this.file), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name || String(changed).startsWith(name)) void this.kick();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null; // the directory does not exist yet: the poll keeps trying
    }
  }
}

async function byteAt(handle: FileHandle, position: number): Promise<number> {
  const one = Buffer.alloc(1);
  const { bytesRead } = await handle.read(one, 0, 1, position);
  return bytesRead === 1 ? one[0] : -1;
}
