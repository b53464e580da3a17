import type { HomePaths } from '../config/home.js';
import { describeTransfer, readArchiverProgress } from './archiver-progress.js';

/**
 * The archiver's part of `goplot status` and `goplot view`: nothing where no archiver ever ran,
 * else a summary line, the targets that are down or full, and one line per transfer (plot,
 * target, bytes done, speed, ETA).
 */
export function archiverStatusLines(paths: HomePaths, procDir = '/proc'): string[] {
  const progress = readArchiverProgress(paths, procDir);
  if (progress === null) return [];
  if (!progress.running)
    return [
      `archiver: not running (${progress.waiting} plot${progress.waiting === 1 ? '' : 's'} waiting when it last ran)`,
    ];
  const lines = [
    `archiver: ${progress.transfers.length} transfer${progress.transfers.length === 1 ? '' : 's'}, ${progress.waiting} plot${progress.waiting === 1 ? '' : 's'} waiting`,
  ];
  for (const target of progress.targets)
    if (target.state !== 'ok') lines.push(`  target ${target.name} ${target.state}: ${target.problem ?? ''}`.trimEnd());
  for (const transfer of progress.transfers) lines.push(`  ${describeTransfer(transfer)}`);
  return lines;
}
