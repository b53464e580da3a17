import fs from 'node:fs';
import type { HomePaths } from '../config/home.js';
import { readStat } from '../farm/proc-read.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { progressFile, totalsFile } from './archive-state.js';

export interface TransferProgress {
  plot: string;
  source: string;
  target: string;
  /** `farm/disk` on the target. */
  dest: string;
  bytesTotal: number;
  bytesDone: number;
  /** Bytes per second over this transfer so far (resumed bytes not counted). */
  bytesPerSecond: number;
  /** null until the speed is known. */
  etaSeconds: number | null;
  /** ms since the epoch. */
  startedAt: number;
}

export interface TargetStatus {
  name: string;
  state: 'ok' | 'down' | 'full';
  problem: string | null;
  /** Room on its usable disks after what is heading there; null while it is down. */
  freeBytes: number | null;
}

export interface ArchiverProgress {
  pid: number;
  pidStart: number;
  /** ms since the epoch of the last write. */
  updatedAt: number;
  /** Finished plots on the staging disks that no transfer has taken yet. */
  waiting: number;
  transfers: TransferProgress[];
  targets: TargetStatus[];
}

export interface ArchiverTotals {
  movedBytes: number;
  movedPlots: number;
  failures: Record<string, number>;
}

/** Written by the archiver on every change and every few seconds during transfers; atomic. */
export function writeArchiverProgress(paths: HomePaths, progress: ArchiverProgress): void {
  writeFileAtomicSync(progressFile(paths), `${JSON.stringify(progress)}\n`);
}

/**
 * What `goplot status` and `goplot view` show of the archiver: its last progress file, with
 * `running` false (and no transfers) when the archiver that wrote it is gone. Null when no
 * archiver ever ran in this home.
 */
export function readArchiverProgress(
  paths: HomePaths,
  procDir = '/proc',
): (ArchiverProgress & { running: boolean }) | null {
  let progress: ArchiverProgress;
  try {
    progress = JSON.parse(fs.readFileSync(progressFile(paths), 'utf8')) as ArchiverProgress;
  } catch {
    return null;
  }
  const stat = readStat(procDir, progress.pid);
  const running = stat !== null && stat.startTicks === progress.pidStart;
  return running ? { ...progress, running } : { ...progress, running, transfers: [] };
}

export function readTotals(paths: HomePaths): ArchiverTotals {
  try {
    const totals = JSON.parse(fs.readFileSync(totalsFile(paths), 'utf8')) as Partial<ArchiverTotals>;
    return { movedBytes: totals.movedBytes ?? 0, movedPlots: totals.movedPlots ?? 0, failures: totals.failures ?? {} };
  } catch {
    return { movedBytes: 0, movedPlots: 0, failures: {} };
  }
}

/** Counters survive restarts and `--once` runs, as Prometheus counters should. */
export function writeTotals(paths: HomePaths, totals: ArchiverTotals): void {
  writeFileAtomicSync(totalsFile(paths), `${JSON.stringify(totals)}\n`);
}

/** `12.3 MiB/s`, `4m 05s` and the like for one transfer, as status and view print it. */
export function describeTransfer(transfer: TransferProgress): string {
  const percent = transfer.bytesTotal > 0 ? Math.floor((transfer.bytesDone / transfer.bytesTotal) * 100) : 0;
  const speed = `${(transfer.bytesPerSecond / 1024 ** 2).toFixed(1)} MiB/s`;
  const eta = transfer.etaSeconds === null ? 'ETA ?' : `ETA ${formatEta(transfer.etaSeconds)}`;
  return `${transfer.plot} → ${transfer.target}:${transfer.dest} ${percent}% (${formatGiB(transfer.bytesDone)} of ${formatGiB(transfer.bytesTotal)}) ${speed} ${eta}`;
}

function formatGiB(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s % 60).padStart(2, '0')}s`;
}
