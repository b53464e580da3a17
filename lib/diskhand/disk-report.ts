import { formatDiskState, type DiskState, type WritableDiskState } from '../farm/disk-state.js';
import { formatBytes } from '../farm/disk-space.js';
import type { DiskEvaluation } from '../farm/evaluate-disk.js';
import type { FarmDisk } from '../farm/farm-layout.js';

/** 'read-only' writes `full` (DESIGN's states: no room for one more plot), and is logged as a problem. */
export type DiskOutcome = 'room' | 'full' | 'read-only' | 'off' | 'unmounted' | 'skipped' | 'error';

export interface DiskReport {
  farm: string;
  disk: string;
  outcome: DiskOutcome;
  /** The state file's value after this run. */
  state: string;
  written: boolean;
  message: string;
}

/** A disk whose state is to be written, once the lock is held and its reading checked again. */
export interface PendingDisk {
  disk: FarmDisk;
  /** The state file as this run first read it. */
  before: DiskState;
  /** Its number or `full` came from a space reading, which is taken again under the lock. */
  measured?: true;
  target: WritableDiskState;
  /** What was measured, for the log line's parentheses. */
  facts: string;
  level: 'info' | 'warn';
  outcome?: DiskOutcome;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** A disk that did not answer: its state file is left as it was, and the report says so. */
export function unreadableReport(disk: { farm: string; disk: string }, before: DiskState, problem: string): DiskReport {
  const left = before.kind === 'missing' ? 'no state file written' : `state left at ${formatDiskState(before)}`;
  return {
    farm: disk.farm,
    disk: disk.disk,
    outcome: 'error',
    state: formatDiskState(before),
    written: false,
    message: `${disk.farm}/${disk.disk}: ${problem}; ${left}`,
  };
}

/** What one tractor's unit (a plot, or a pos2 group) needs, and the rule replot goes by: the words of a disk's log line. */
export interface PlotNeed {
  plotKiB: number;
  /** `one more k32 C0 plot`, `a group of 128 k28 pos2 plots`. */
  unitWords: string;
  /** The rules in force on a farm, as its disks' log lines name them. */
  replotRules: (farm: string) => string;
}

/** One disk's evaluation as the state to write (with the facts for its log line), or as a report when nothing is written. */
export function describeEvaluation(
  disk: FarmDisk,
  before: DiskState,
  result: DiskEvaluation,
  need: PlotNeed,
): PendingDisk | DiskReport {
  const { plotKiB, unitWords } = need;
  if (result.kind === 'unreadable') return unreadableReport(disk, before, result.problem);
  const replaced =
    before.kind === 'invalid' ? `; replaced the invalid state ${formatDiskState(before).slice('invalid '.length)}` : '';
  const level = before.kind === 'invalid' ? 'warn' : 'info';
  if (result.kind === 'unmounted') {
    return {
      disk,
      before,
      target: { kind: 'unmounted' },
      level,
      facts: `not a mount point and require_mount=yes${replaced}`,
    };
  }
  if (result.kind === 'on-root') {
    return {
      disk,
      before,
      target: { kind: 'unmounted' },
      level: 'warn',
      outcome: 'unmounted',
      facts: `${result.problem}; require_mount=yes${replaced}`,
    };
  }
  if (result.kind === 'read-only') {
    return {
      disk,
      before,
      target: { kind: 'full' },
      level: 'warn',
      outcome: 'read-only',
      facts: `read-only: ${result.problem}; no plot can be written there${replaced}`,
    };
  }
  const committed = `committed ${formatBytes(result.committedKiB * 1024)} to ${plural(result.plots, 'plot')}`;
  const needs = result.state.kind === 'full' ? `; ${unitWords} needs ${formatBytes(plotKiB * 1024)}` : '';
  const byReplot =
    result.replotKiB > 0
      ? `; replot can free ${formatBytes(result.replotKiB * 1024)} (${need.replotRules(disk.farm)})`
      : '';
  return {
    disk,
    before,
    measured: true,
    target: result.state,
    level,
    facts: `free ${formatBytes(result.freeKiB * 1024)}, ${committed}${needs}${byReplot}${replaced}`,
  };
}
