import path from 'node:path';
import type { HomePaths } from '../config/home.js';

/**
 * The archiver's own state, beside the notifiers' in logs/: reservations, progress and outage
 * markers. All of it may be deleted while no archiver runs.
 */
export function archiveStateDir(paths: HomePaths): string {
  return path.join(paths.logsDir, '.archive');
}

export function reservationsDir(paths: HomePaths): string {
  return path.join(archiveStateDir(paths), 'reservations');
}

export function progressFile(paths: HomePaths): string {
  return path.join(archiveStateDir(paths), 'progress.json');
}

/** Counters kept for good, beside the tractors' plot outcomes: deleting it resets them. */
export function totalsFile(paths: HomePaths): string {
  return path.join(paths.home, 'state', 'archive-totals.json');
}

/** Beside the loop's and harvesterlog's pid files (logs/<name>.pid), as npm start expects them. */
export function pidFilePath(paths: HomePaths): string {
  return path.join(paths.logsDir, 'archiver.pid');
}

/** The master connections' sockets: a folder only this user can enter (ssh-args checks it). */
export function sshControlDir(paths: HomePaths): string {
  return path.join(archiveStateDir(paths), 'ssh');
}
