import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { HomePaths } from './home.js';

/**
 * Serialises the tractors' read-modify-write of index, farm_dest, farm_temp and the disk
 * reservations: without it, two tractors started together read the same index and pick the
 * same disk. A lock left by a killed tractor goes stale after 10 s (proper-lockfile refreshes
 * the mtime of a live one).
 */
export async function withStateLock<T>(paths: HomePaths, work: () => Promise<T>): Promise<T> {
  fs.mkdirSync(paths.configDir, { recursive: true });
  const target = path.join(paths.configDir, 'state');
  const release = await lockfile.lock(target, {
    realpath: false,
    stale: 10_000,
    retries: { retries: 400, minTimeout: 5, maxTimeout: 100, factor: 1.3, randomize: true },
  });
  try {
    return await work();
  } finally {
    await release();
  }
}
