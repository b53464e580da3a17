import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { removeDirLockIf, takeDirLock } from '../util/dir-lock.js';
import { errorMessage } from '../util/error-message.js';

export interface StateLockOptions {
  /**
   * Told when the lock was lost while held (its dir removed, or not refreshed within `stale`,
   * e.g. after a long stall): another process may now hold it too. Thrown from the refresh timer
   * it would kill a tractor in the middle of its plot; by default this writes one line to stderr
   * instead, and the work goes on.
   */
  onCompromised?: (error: Error) => void;
  /** ms after which a lock that is not refreshed counts as left behind (default 30 s). */
  stale?: number;
  /** ms between refreshes of a held lock (default stale / 2). */
  update?: number;
  /** Told when a left-over lock (a non-directory, or a dir dated ahead of the clock) was removed; stderr by default. */
  onLeftover?: (message: string) => void;
  /** ms to wait for a lock other live processes hold before giving up (default 10 min). */
  wait?: number;
}

export const STATE_LOCK_STALE_MS = 30_000;

/**
 * Twenty tractors started together on a loaded 2-core machine take turns of a second or more
 * each, several times per plot: a bound counted in retries (about a minute) ran out there and
 * killed a tractor. The wait is measured in time, and generous: a dead holder's lock goes stale
 * after 30 s anyway, so only live, working processes make anyone wait this long.
 */
export const STATE_LOCK_WAIT_MS = 10 * 60_000;

/** The lock stayed held by others for the whole wait: says which lock and for how long. */
export class StateLockTimeout extends Error {
  readonly lockPath: string;
  readonly waitedMs: number;
  constructor(lockPath: string, waitedMs: number) {
    super(
      `waited ${Math.round(waitedMs / 1000)} s for the state lock ${lockPath}, held all that time by other live goplot processes; gave up`,
    );
    this.name = 'StateLockTimeout';
    this.lockPath = lockPath;
    this.waitedMs = waitedMs;
  }
}

/**
 * The lock is a directory; a regular file (or anything else) at its path is never a live lock,
 * only debris (a restore, an editor, `touch`), yet mkdir fails on it with EEXIST and the stale
 * check cannot rmdir it: every tractor would fail. It goes, as a stale lock does.
 */
function removeNonDirectoryLock(lockPath: string, say: (message: string) => void): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(lockPath);
  } catch {
    return;
  }
  if (stat.isDirectory()) return;
  try {
    fs.unlinkSync(lockPath);
    say(
      `removed ${lockPath}: a ${stat.isSymbolicLink() ? 'symlink' : stat.isFile() ? 'regular file' : 'special file'} where the state lock's directory belongs (left over, never a live lock)`,
    );
  } catch {
    // another tractor removed it first, or has its lock dir there by now
  }
}

export function stateLockPath(paths: HomePaths): string {
  return path.join(paths.configDir, 'state.lock');
}

/** The lock cannot be taken at all (no permission, a read-only home): waiting would not help. */
export class StateLockDenied extends Error {
  readonly lockPath: string;
  readonly code: string;
  constructor(lockPath: string, folder: string, code: string, detail: string) {
    const user = process.getuid === undefined ? 'this user' : `this user (uid ${process.getuid()})`;
    super(`cannot take the state lock ${lockPath}: ${detail}; ${user} needs write permission on ${folder}`);
    this.name = 'StateLockDenied';
    this.lockPath = lockPath;
    this.code = code;
  }
}

/** Errors that say the lock's folder refuses this process: the same answer on every try. */
const DENIED_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

function deniedOrSame(error: unknown, lockPath: string, folder: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined || !DENIED_CODES.has(code)) return error;
  return new StateLockDenied(lockPath, folder, code, errorMessage(error));
}

/**
 * A lock dir dated ahead of the clock (the clock stepped back: NTP after a dead RTC battery)
 * never looks stale by its age. A live holder refreshes its mtime to its own clock every
 * stale / 2, so a future mtime that has not changed for `stale` ms of monotonic time has no
 * holder: it is stale. Returns a check to call after each busy try; true once it is stale.
 */
function futureLockWatch(lockPath: string, staleMs: number): () => boolean {
  let seen: { mtimeMs: number; atMs: number } | null = null;
  return () => {
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(lockPath).mtimeMs;
    } catch {
      seen = null;
      return false;
    }
    // a second of slack: filesystems round mtimes, and a refresh is written a moment after its clock read
    if (mtimeMs <= Date.now() + 1000) {
      seen = null;
      return false;
    }
    const atMs = performance.now();
    if (seen === null || seen.mtimeMs !== mtimeMs) {
      seen = { mtimeMs, atMs };
      return false;
    }
    return atMs - seen.atMs >= staleMs;
  };
}

/** A removal of a future-dated stale lock; another waiter may have removed (or retaken) it first. */
function removeFutureLock(lockPath: string, say: (message: string) => void): void {
  let aheadMs = 0;
  try {
    const outcome = removeDirLockIf(lockPath, (stat) => {
      aheadMs = stat.mtimeMs - Date.now();
      return aheadMs > 1000;
    });
    if (outcome !== 'removed') return;
  } catch {
    // unreachable for now: the next try sees
    return;
  }
  say(
    `removed ${lockPath}: dated ${Math.round(aheadMs / 1000)} s ahead of the clock (the clock stepped back?) and not refreshed by any holder, so stale`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Serialises the tractors' read-modify-write of index, farm_dest, farm_temp and the disk
 * reservations: without it, two tractors started together read the same index and pick the
 * same disk. A lock left by a killed process goes stale after 30 s (a live holder refreshes its
 * mtime every 15 s); a shorter time let a holder stalled by a slow disk lose it. The wait
 * is counted on the monotonic clock, so a clock step neither ends it early nor stretches it.
 */
export async function withStateLock<T>(
  paths: HomePaths,
  work: () => Promise<T>,
  options: StateLockOptions = {},
): Promise<T> {
  const lockPath = stateLockPath(paths);
  const say = options.onLeftover ?? ((message) => console.error(`goplot: ${message}`));
  try {
    fs.mkdirSync(paths.configDir, { recursive: true });
  } catch (error) {
    throw deniedOrSame(error, lockPath, paths.configDir);
  }
  removeNonDirectoryLock(lockPath, say);
  const onCompromised =
    options.onCompromised ??
    ((error: Error) =>
      console.error(`goplot: lost the state lock ${lockPath} (${error.message}); going on without it`));
  const release = await takeLock(paths, options, say, onCompromised);
  try {
    return await work();
  } finally {
    // a compromised lock is left be (it may be someone else's now): release knows
    release();
  }
}

async function takeLock(
  paths: HomePaths,
  options: StateLockOptions,
  say: (message: string) => void,
  onCompromised: (error: Error) => void,
): Promise<() => void> {
  const lockPath = stateLockPath(paths);
  const stale = options.stale ?? STATE_LOCK_STALE_MS;
  const wait = options.wait ?? STATE_LOCK_WAIT_MS;
  const isFutureStale = futureLockWatch(lockPath, stale);
  const refresh = { every: options.update ?? stale / 2, onCompromised };
  const waitStart = performance.now();
  let pause = 5;
  for (;;) {
    try {
      const take = takeDirLock(lockPath, { stale, refresh });
      if (take.held) return take.release;
    } catch (error) {
      throw deniedOrSame(error, lockPath, paths.configDir);
    }
    if (isFutureStale()) {
      removeFutureLock(lockPath, say);
      continue;
    }
    const waited = performance.now() - waitStart;
    if (waited >= wait) throw new StateLockTimeout(lockPath, waited);
    await sleep(Math.min(pause * (0.5 + Math.random()), wait - waited));
    pause = Math.min(100, pause * 1.3);
  }
}

/**
 * Bound on a disk's second reading, taken while tractors wait for the lock: a disk that answered
 * moments before and now hangs holds them up this long at most (once per batch), not disk_timeout.
 */
export const LOCKED_READ_MS = 2_000;
