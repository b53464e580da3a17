import fs from 'node:fs';
import path from 'node:path';

/** mountinfo escapes space, tab, newline and backslash in paths as octal (`\040`). */
function decodeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * The mount points, which of them are read-only, and the device (`major:minor`, field 3) each is
 * mounted from. A plain Set (no read-only or device facts) still works.
 */
export type MountPoints = Set<string> & { readOnly?: ReadonlySet<string>; devices?: ReadonlyMap<string, string> };

/**
 * `ro` in the mount's own options (field 6) or in the filesystem's (after the ` - `): ext4 with
 * errors=remount-ro shows both once it has given up on a failing disk.
 */
function isReadOnlyLine(fields: string[]): boolean {
  const separator = fields.indexOf('-', 6);
  const superOptions = separator > 0 ? (fields[separator + 3] ?? '') : '';
  return fields[5].split(',').includes('ro') || superOptions.split(',').includes('ro');
}

/**
 * Mount points of this process's mount namespace, from /proc/self/mountinfo (field 5), with the
 * read-only ones in .readOnly. Scripts take the path from GOPLOT_MOUNTINFO when it is set, so
 * tests can declare which temp dirs count as mount points (they cannot mount anything). Throws
 * when unreadable.
 */
export function readMountPoints(
  mountinfoPath = '/proc/self/mountinfo',
): Set<string> & { readOnly: Set<string>; devices: Map<string, string> } {
  const readOnly = new Set<string>();
  const devices = new Map<string, string>();
  const mounts = Object.assign(new Set<string>(), { readOnly, devices });
  for (const line of fs.readFileSync(mountinfoPath, 'utf8').split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 6 || !fields[4].startsWith('/')) continue;
    const mountPoint = decodeMountPath(fields[4]);
    mounts.add(mountPoint);
    devices.set(mountPoint, fields[2]);
    // a later line for the same point is a mount on top, which is what the path shows
    if (isReadOnlyLine(fields)) readOnly.add(mountPoint);
    else readOnly.delete(mountPoint);
  }
  return mounts;
}

/** The mount holding dir: the nearest mount point at or above it, symlinks resolved; `/` at the latest. */
export function findMountPoint(dir: string, mounts: Set<string>): string {
  let current: string;
  try {
    current = fs.realpathSync(path.resolve(dir));
  } catch {
    current = path.resolve(dir);
  }
  for (;;) {
    if (mounts.has(current)) return current;
    const parent = path.dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/** The mount point holding dir when that mount is read-only, else null. */
export function findReadOnlyMount(dir: string, mounts: MountPoints): string | null {
  if (!mounts.readOnly || mounts.readOnly.size === 0) return null;
  const mountPoint = findMountPoint(dir, mounts);
  return mounts.readOnly.has(mountPoint) ? mountPoint : null;
}

/** The mountinfo path the scripts use: GOPLOT_MOUNTINFO or the kernel's. */
export function mountinfoPathFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.GOPLOT_MOUNTINFO || '/proc/self/mountinfo';
}

/** True when dir, as written or with its symlinks resolved (farm_root may be a link), is a mount point. */
export function isMountPoint(dir: string, mounts: Set<string>): boolean {
  const resolved = path.resolve(dir);
  if (mounts.has(resolved)) return true;
  try {
    return mounts.has(fs.realpathSync(resolved));
  } catch {
    return false;
  }
}
