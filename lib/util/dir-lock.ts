import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from './error-message.js';

/**
 * A lock that is a directory: mkdir(2) creates it or fails with EEXIST, atomically, on every
 * filesystem (NFS included), and a killed holder leaves a directory whose mtime stops moving.
 * The lock is ours while its directory is the one we made (the same inode) with the mtime we
 * last gave it: stat's answer as the filesystem rounded it, compared with itself, never with
 * our clock.
 */
export interface DirLockOptions {
  /** ms after which a lock whose mtime has not moved counts as left behind by a dead holder. */
  stale: number;
  /**
   * Keeps a lock held for long fresh: its mtime is set again every `every` ms (less than
   * `stale`). Without it, a lock suits only a critical section far shorter than `stale`.
   */
  refresh?: { every: number; onCompromised: (error: Error) => void };
  /** The wall clock lock mtimes are set from and compared with (Date.now by default). */
  now?: () => number;
}

/** A lock taken (release lets it go, if it is still ours), or one another holder has. */
export type DirLockTake = { held: true; release: () => void } | { held: false; reason: 'busy' };

interface Mark {
  ino: number;
  mtimeMs: number;
}

const BUSY: DirLockTake = { held: false, reason: 'busy' };

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null;
    throw error;
  }
}

/** Dates the lock explicitly (mkdir's own time is the kernel's coarse one) and reads back what the filesystem kept. */
function markNow(lockPath: string, now: () => number): Mark {
  const time = new Date(now());
  fs.utimesSync(lockPath, time, time);
  const stat = fs.statSync(lockPath);
  return { ino: stat.ino, mtimeMs: stat.mtimeMs };
}

const isMark = (stat: fs.Stats, mark: Mark) => stat.ino === mark.ino && stat.mtimeMs === mark.mtimeMs;

let removals = 0;

/**
 * Removes the lock directory if `still` holds for it, for one process only: the directory is
 * first renamed to a name of our own (of two removers, one rename finds it gone), then checked
 * there, where no one else can change it, and put back if it no longer qualifies (another
 * waiter's fresh lock, taken between our look and our rename). 'gone': nothing was there.
 */
export function removeDirLockIf(lockPath: string, still: (stat: fs.Stats) => boolean): 'removed' | 'gone' | 'kept' {
  const aside = path.join(
    path.dirname(lockPath),
    `.${path.basename(lockPath)}.${process.pid}.${++removals}.${Math.random().toString(36).slice(2, 8)}.removing`,
  );
  try {
    fs.renameSync(lockPath, aside);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    if (still(fs.statSync(aside))) {
      fs.rmdirSync(aside);
      return 'removed';
    }
  } catch (error) {
    fs.renameSync(aside, lockPath);
    throw error;
  }
  // rename(2) replaces an empty directory: a lock mkdir'd in these microseconds would be lost
  fs.renameSync(aside, lockPath);
  return 'kept';
}

/**
 * Takes the lock at `lockPath` (a directory, `<file>.lock` by custom) without waiting: busy when
 * a live holder has it. A stale one is removed and the lock tried once more. Any other failure
 * (EACCES, EROFS, a missing parent) is thrown as it came, code and all: waiting would not help.
 */
export function takeDirLock(lockPath: string, options: DirLockOptions): DirLockTake {
  const now = options.now ?? Date.now;
  const isStale = (stat: fs.Stats) => stat.mtimeMs < now() - options.stale;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.mkdirSync(lockPath);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
      const seen = statOrNull(lockPath);
      if (seen !== null && (!isStale(seen) || removeDirLockIf(lockPath, isStale) === 'kept')) return BUSY;
      continue;
    }
    let mark: Mark;
    try {
      mark = markNow(lockPath, now);
    } catch (error) {
      fs.rmSync(lockPath, { recursive: true, force: true });
      throw error;
    }
    return {
      held: true,
      release: options.refresh ? keepFresh(lockPath, mark, { ...options, now }) : () => release(lockPath, mark),
    };
  }
  return BUSY;
}

/** Lets go of a lock that is still ours; one someone else has by now stays theirs. */
function release(lockPath: string, mark: Mark): void {
  try {
    removeDirLockIf(lockPath, (stat) => isMark(stat, mark));
  } catch {
    // not ours to remove, or unreachable: it goes stale and the next holder removes it
  }
}

/**
 * Sets the held lock's mtime every `refresh.every` ms, first checking that it is still ours.
 * Lost (removed, replaced, or not refreshed within `stale`: after a stall that long another
 * process may have taken it), it tells onCompromised once and stops; release then leaves it.
 * The refresh is synchronous, so a release never falls between its utimes and its stat.
 */
function keepFresh(lockPath: string, first: Mark, options: DirLockOptions & { now: () => number }): () => void {
  const { every, onCompromised } = options.refresh!;
  let mark = first;
  let lastRefresh = performance.now();
  let state: 'held' | 'released' | 'compromised' = 'held';
  let timer: NodeJS.Timeout | undefined;
  const lose = (reason: string) => {
    state = 'compromised';
    onCompromised(Object.assign(new Error(reason), { code: 'ECOMPROMISED' }));
  };
  const schedule = (ms: number) => {
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = () => {
    const gap = performance.now() - lastRefresh;
    if (gap > options.stale) {
      return lose(
        `not refreshed for ${Math.round(gap)} ms, more than the stale time of ${options.stale} ms: another process may have taken it`,
      );
    }
    try {
      const seen = fs.statSync(lockPath);
      if (!isMark(seen, mark)) return lose('its directory was replaced: another process took it as stale');
      mark = markNow(lockPath, options.now);
      lastRefresh = performance.now();
      schedule(every);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return lose(`its directory is gone (${errorMessage(error)})`);
      // a passing failure (EIO, a full inode table): try again soon, until the gap says lost
      schedule(Math.min(every, 1000));
    }
  };
  schedule(every);
  return () => {
    if (state !== 'held') return;
    state = 'released';
    clearTimeout(timer);
    release(lockPath, mark);
  };
}
