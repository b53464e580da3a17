import fs from 'node:fs';
import path from 'node:path';

/** mountinfo escapes space, tab, newline and backslash in paths as octal (`\040`). */
function decodeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Mount points of this process's mount namespace, from /proc/self/mountinfo (field 5).
 * Scripts take the path from GOPLOT_MOUNTINFO when it is set, so tests can declare which
 * temp dirs count as mount points (they cannot mount anything). Throws when unreadable.
 */
export function readMountPoints(mountinfoPath = '/proc/self/mountinfo'): Set<string> {
  const mounts = new Set<string>();
  for (const line of fs.readFileSync(mountinfoPath, 'utf8').split('\n')) {
    const fields = line.split(' ');
    if (fields.length >= 5 && fields[4].startsWith('/')) mounts.add(decodeMountPath(fields[4]));
  }
  return mounts;
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
