import fs from 'node:fs';

type CheckDiskSpace = (dir: string) => Promise<{ size: number; free: number }>;

/**
 * check-disk-space loads only for disk_space=df: the tractor, which must reach its plotter fast
 * (bench/RESULTS.md), then does not pay for it. The package's types describe its CommonJS build
 * while Node loads its ESM build: take either shape.
 */
async function loadCheckDiskSpace(): Promise<CheckDiskSpace> {
  const module = (await import('check-disk-space')) as unknown as { default: CheckDiskSpace | { default: CheckDiskSpace } };
  const exported = module.default;
  return typeof exported === 'function' ? exported : exported.default;
}

export type SpaceMethod = 'statfs' | 'df';

/** A disk_space value from elsewhere (JSON, argv) as a method: anything but `df` means statfs. */
export function toSpaceMethod(value: string): SpaceMethod {
  return value === 'df' ? 'df' : 'statfs';
}

export interface DiskSpace {
  totalBytes: number;
  /** Space an unprivileged writer can still use (statfs f_bavail; df's Available). */
  freeBytes: number;
}

/**
 * Capacity of the filesystem holding dir. statfs asks the kernel directly (no process per
 * disk); df is there for filesystems where the two disagree (some FUSE and network mounts).
 * Throws, naming the dir, when it cannot be read.
 */
export async function readDiskSpace(dir: string, method: SpaceMethod): Promise<DiskSpace> {
  // check-disk-space would quietly measure the first existing parent of a missing dir: the root fs
  const stat = await fs.promises.stat(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (method === 'statfs') {
    const fsStat = await fs.promises.statfs(dir);
    return { totalBytes: fsStat.blocks * fsStat.bsize, freeBytes: fsStat.bavail * fsStat.bsize };
  }
  let size: number;
  let free: number;
  try {
    ({ size, free } = await (await loadCheckDiskSpace())(dir));
  } catch (error) {
    // execFile's message repeats the command and spans lines; df's own stderr says what is wrong
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0];
    throw new Error(stderr || (error as Error).message.split('\n')[0]);
  }
  if (!Number.isFinite(size) || !Number.isFinite(free)) throw new Error(`df gave no numbers for ${dir}`);
  return { totalBytes: size, freeBytes: free };
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> `1.5 KiB`: binary units, as df -h and the chia docs' plot sizes use. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
