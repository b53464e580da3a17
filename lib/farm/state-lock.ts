import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { HomePaths } from '../config/home.js';

export interface StateLockOptions {
  /**
   * Told when the lock was lost while held (its dir removed, or not refreshed within `stale`,
   * e.g. after a long stall): another process may now hold it too. proper-lockfile's default
   * throws from a timer, which would kill a tractor in the middle of its plot; by default this
   * writes one line to stderr instead, and the work goes on.
   */
  onCompromised?: (error: Error) => void;
  /** ms after which a lock that is not refreshed counts as left behind (default 30 s). */
  stale?: number;
  /** ms between refreshes of a held lock (default stale / 2). */
  update?: number;
  /** Told when a non-directory at the lock's path was removed; stderr by default. */
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
 * proper-lockfile's lock is a directory; a regular file (or anything else) at its path is never
 * a live lock, only debris (a restore, an editor, `touch`), yet mkdir fails on it with EEXIST
 * and its stale check cannot rmdir it: every tractor would fail. It goes, as a stale lock does.
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

/**
 * Serialises the tractors' read-modify-write of index, farm_dest, farm_temp and the disk
 * reservations: without it, two tractors started together read the same index and pick the
 * same disk. A lock left by a killed process goes stale after 30 s (proper-lockfile refreshes
 * the mtime of a live one); a shorter time let a holder stalled by a slow disk lose it.
 */
export async function withStateLock<T>(
  paths: HomePaths,
  work: () => Promise<T>,
  options: StateLockOptions = {},
): Promise<T> {
  fs.mkdirSync(paths.configDir, { recursive: true });
  removeNonDirectoryLock(
    stateLockPath(paths),
    options.onLeftover ?? ((message) => console.error(`goplot: ${message}`)),
  );
  const target = path.join(paths.configDir, 'state');
  let compromised = false;
  const onCompromised =
    options.onCompromised ??
    ((error: Error) =>
      console.error(`goplot: lost the state lock ${stateLockPath(paths)} (${error.message}); going on without it`));
  const wait = options.wait ?? STATE_LOCK_WAIT_MS;
  const waitStart = Date.now();
  const release = await lockfile
    .lock(target, {
      realpath: false,
      stale: options.stale ?? STATE_LOCK_STALE_MS,
      update: options.update,
      retries: { forever: true, maxRetryTime: wait, minTimeout: 5, maxTimeout: 100, factor: 1.3, randomize: true },
      onCompromised: (error) => {
        compromised = true;
        onCompromised(error);
      },
    })
    .catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED')
        throw new StateLockTimeout(stateLockPath(paths), Date.now() - waitStart);
      throw error;
    });
  try {
    return await work();
  } finally {
    // a compromised lock is released already (and may be someone else's now): leave it be
    if (!compromised) await release();
  }
}

/**
 * Bound on a disk's second reading, taken while tractors wait for the lock: a disk that answered
 * moments before and now hangs holds them up this long at most (once per batch), not disk_timeout.
 */
export const LOCKED_READ_MS = 2_000;
