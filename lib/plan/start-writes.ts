import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import type { ValueName } from '../config/value-specs.js';
import { writeStateValue } from '../config/write-value.js';
import { formatDiskState, writeDiskState } from '../farm/disk-state.js';
import type { DiskStateWrite } from './choose-destination.js';

/** A state value a start decision would write: in the home's config/, or a job's folder (`paths`). */
export interface ValueWrite {
  paths: HomePaths;
  name: ValueName;
  value: string | number;
}

/** Everything one plot start would write, as data: the tractor commits it, --dry-run prints it. */
export interface StartWrites {
  disks: DiskStateWrite[];
  values: ValueWrite[];
}

/**
 * Applies a start decision's writes, each atomically. Call it under the state lock, in the same
 * lock as the decision: a write of a decision made outside it could undo another tractor's.
 */
export function commitStartWrites(writes: StartWrites, paths: HomePaths): void {
  for (const write of writes.disks) writeDiskState(paths, write.farm, write.disk, write.state);
  for (const write of writes.values) writeStateValue(write.paths, write.name, write.value);
}

/** One line per write, as --dry-run shows what a start would have written. */
export function describeStartWrites(writes: StartWrites, paths: HomePaths): string[] {
  return [
    ...writes.disks.map((write) => `disks/${write.farm}/${write.disk}.goplot = ${formatDiskState(write.state)}`),
    ...writes.values.map(
      (write) => `${path.relative(paths.home, write.paths.configDir)}/${write.name}.goplot = ${write.value}`,
    ),
  ];
}
