import fs from 'node:fs';
import path from 'node:path';
import { boundedDiskCall, DISK_TIMEOUT_MS } from './disk-space.js';
import { findMountPoint, type MountPoints } from './mount-points.js';

/** st_dev as mountinfo writes it (Linux's new_encode_dev). */
export function deviceName(dev: number): string {
  const major = (dev >>> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
  return `${major}:${minor}`;
}

/**
 * Why a plot written into dir would land on the root filesystem, or null when it would not. The
 * rule is about where the bytes go, so links are resolved first: a mounted disk whose plots/ is
 * a symlink into `/`, or a bind mount of a folder of `/` as the disk, is on the root filesystem.
 * Three facts, any one of which is enough: the nearest mount point above the real dir is `/`;
 * that mount is made from the root's device (a bind mount); the real dir's st_dev is the root's.
 * The root's device is the one the mount table gives for `/` (a table declared by
 * GOPLOT_MOUNTINFO declares its own); a plain Set of mount points has no devices, and then only
 * the first fact counts. Throws when dir cannot be resolved or stat'ed in time.
 */
export async function findRootFilesystemProblem(
  dir: string,
  mounts: MountPoints,
  timeoutMs = DISK_TIMEOUT_MS,
): Promise<string | null> {
  const real = await boundedDiskCall(dir, 'realpath', () => fs.promises.realpath(dir), timeoutMs);
  const leads = real === path.resolve(dir) ? '' : ` (it leads to ${real})`;
  const mountPoint = findMountPoint(real, mounts);
  if (mountPoint === '/')
    return leads === '' ? 'on the root filesystem: its disk is not mounted?' : `on the root filesystem${leads}`;
  const rootDevice = mounts.devices?.get('/');
  if (rootDevice === undefined) return null;
  if (mounts.devices?.get(mountPoint) === rootDevice) {
    return `on the root filesystem${leads}: ${mountPoint} is mounted from the root's device ${rootDevice} (a bind mount?)`;
  }
  const device = deviceName((await boundedDiskCall(dir, 'stat', () => fs.promises.stat(real), timeoutMs)).dev);
  return device === rootDevice ? `on the root filesystem${leads}: it is on the root's device ${device}` : null;
}
