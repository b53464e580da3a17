import fs from 'node:fs';
import path from 'node:path';
import { findReadOnlyMount, type MountPoints } from './mount-points.js';
import { errorMessage } from '../util/error-message.js';

type CheckDiskSpace = (dir: string) => Promise<{ size: number; free: number }>;

/**
 * check-disk-space loads only for disk_space=df: the tractor, which must reach its plotter fast
 * (bench/RESULTS.md), then does not pay for it. The package's types describe its CommonJS build
 * while Node loads its ESM build: take either shape.
 */
async function loadCheckDiskSpace(): Promise<CheckDiskSpace> {
  const module = (await import('check-disk-space')) as unknown as {
    default: CheckDiskSpace | { default: CheckDiskSpace };
  };
  const exported = module.default;
  return typeof exported === 'function' ? exported : exported.default;
}

export type SpaceMethod = 'statfs' | 'df';

/**
 * How long one disk may take to answer. A dying USB disk or a hung NFS mount blocks statfs and
 * df for minutes or for ever; without a bound, diskhand and the collectors hang, cron piles them
 * up, and a tractor choosing a disk holds the state lock for ever.
 */
export const DISK_TIMEOUT_MS = 10_000;

export interface ReadDiskSpaceOptions {
  timeoutMs?: number;
  /** The kernel call; tests pass one that never answers. */
  statfs?: (dir: string) => Promise<{ blocks: number; bsize: number; bavail: number }>;
}

/**
 * Settles like work, or rejects after ms with `no answer from <what> within N s (a hung disk or
 * mount?)`. The stuck call cannot be cancelled (it sits in the kernel); the caller goes on.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from ${what} within ${formatSeconds(ms)} (a hung disk or mount?)`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

export interface DiskSpace {
  totalBytes: number;
  /** Space an unprivileged writer can still use (statfs f_bavail; df's Available). */
  freeBytes: number;
}

/**
 * Capacity of the filesystem holding dir. statfs asks the kernel directly (no process per
 * disk); df is there for filesystems where the two disagree (some FUSE and network mounts).
 * Throws, naming the dir, when it cannot be read or gives no answer within options.timeoutMs
 * (DISK_TIMEOUT_MS by default).
 */
export async function readDiskSpace(
  dir: string,
  method: SpaceMethod,
  options: ReadDiskSpaceOptions = {},
): Promise<DiskSpace> {
  const timeoutMs = options.timeoutMs ?? DISK_TIMEOUT_MS;
  // the stat can hang on a dead mount as well as statfs or df: one bound covers both
  return boundedDiskCall(
    dir,
    method,
    () => measure(dir, method, options.statfs ?? ((target) => fs.promises.statfs(target))),
    timeoutMs,
  );
}

/** Dirs whose disk call got no answer in time and has not returned yet, with what was asked. */
const unanswered = new Map<string, string>();

/** The disk calls that timed out and are still out, as `<what> on <dir>`. */
export function unansweredDiskCalls(): string[] {
  return [...unanswered].map(([dir, what]) => `${what} on ${dir}`);
}

function unansweredAt(dir: string): string | undefined {
  for (const [pending, what] of unanswered) {
    // a disk is asked at its mount point and at its plots/: either hung stands for both
    if (dir === pending || dir.startsWith(`${pending}/`) || path.dirname(pending) === dir) return what;
  }
  return undefined;
}

/**
 * withTimeout for a call on a disk, and the memory of calls that timed out. A hung statfs, stat
 * or access holds one of libuv's threads (4 unless UV_THREADPOOL_SIZE says more) until the
 * kernel answers: asked again on every poll, a few hung disks would take every thread, and then
 * healthy disks' reads would time out too. So a disk (dir, a dir below it, or its parent) whose
 * call is still out is not asked again until that call returns: it fails at once instead.
 */
export async function boundedDiskCall<T>(
  dir: string,
  what: string,
  call: () => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const pending = unansweredAt(dir);
  if (pending !== undefined)
    throw new Error(
      `its earlier ${pending} call has not answered yet (a hung disk or mount?); not asked again until it does`,
    );
  const work = call();
  let timedOut = false;
  const guarded = withTimeout(work, timeoutMs, what).catch((error: unknown) => {
    timedOut = errorMessage(error).startsWith(`no answer from ${what} within`);
    throw error;
  });
  try {
    return await guarded;
  } catch (error) {
    if (timedOut) {
      unanswered.set(dir, what);
      const answered = () => {
        unanswered.delete(dir);
      };
      work.then(answered, answered);
    }
    throw error;
  }
}

async function measure(
  dir: string,
  method: SpaceMethod,
  statfs: NonNullable<ReadDiskSpaceOptions['statfs']>,
): Promise<DiskSpace> {
  // check-disk-space would quietly measure the first existing parent of a missing dir: the root fs
  const stat = await fs.promises.stat(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (method === 'statfs') {
    const fsStat = await statfs(dir);
    return { totalBytes: fsStat.blocks * fsStat.bsize, freeBytes: fsStat.bavail * fsStat.bsize };
  }
  let size: number;
  let free: number;
  try {
    ({ size, free } = await (await loadCheckDiskSpace())(dir));
  } catch (error) {
    // execFile's message repeats the command and spans lines; df's own stderr says what is wrong
    const stderr = String((error as { stderr?: unknown }).stderr ?? '')
      .trim()
      .split('\n')[0];
    throw new Error(stderr || errorMessage(error).split('\n')[0]);
  }
  if (!Number.isFinite(size) || !Number.isFinite(free)) throw new Error(`df gave no numbers for ${dir}`);
  return { totalBytes: size, freeBytes: free };
}

export interface WriteCheckOptions {
  timeoutMs?: number;
  /** fs.promises.access(dir, W_OK) unless given; tests stand in for a read-only filesystem with it. */
  access?: (dir: string) => Promise<void>;
}

/**
 * Why no plot can be written into dir, or null when it can: its mount is read-only (ext4 remounts
 * so after errors), or access(W_OK) fails (EROFS even for root). Throws when the check gets no
 * answer in time: the disk is then unreadable, not read-only.
 */
export async function findWriteProblem(
  dir: string,
  mounts: MountPoints,
  options: WriteCheckOptions = {},
): Promise<string | null> {
  const access = options.access ?? ((target: string) => fs.promises.access(target, fs.constants.W_OK));
  // the bounded call first: the read-only check resolves links synchronously, which would hang on a dead disk
  const error = await boundedDiskCall(
    dir,
    'access',
    () =>
      access(dir).then(
        () => null,
        (failure: unknown) => failure as Error,
      ),
    options.timeoutMs ?? DISK_TIMEOUT_MS,
  );
  const readOnlyMount = findReadOnlyMount(dir, mounts);
  if (readOnlyMount !== null) return `mounted read-only at ${readOnlyMount}`;
  // `EROFS: read-only file system, access '/x'`: the path is known to the reader already
  return error === null ? null : `${dir} is not writable (${error.message.split(', ')[0]})`;
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
