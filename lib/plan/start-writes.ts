import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import type { ValueName } from '../config/value-specs.js';
import { writeStateValue } from '../config/write-value.js';
import { formatDiskState, writeDiskState } from '../farm/disk-state.js';
import { jobPaths } from '../jobs/job-config.js';
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

/**
 * The state values a start writes (a plot's or a group's): the shared index and last start, and
 * the job's own round robin and stagger (a job's folder, or the home's config/ without jobs).
 */
export function startValueWrites(
  paths: HomePaths,
  job: string | undefined,
  index: number,
  plan: { temp: { name: string }; destination: { farm: string } },
  nowMs: number,
): ValueWrite[] {
  const statePaths = job === undefined ? paths : jobPaths(paths, job);
  const startedAt = Math.floor(nowMs / 1000);
  return [
    { paths, name: 'index', value: index },
    { paths: statePaths, name: 'farm_dest', value: plan.destination.farm },
    { paths: statePaths, name: 'farm_temp', value: plan.temp.name },
    { paths, name: 'last_start', value: startedAt },
    ...(job === undefined ? [] : [{ paths: statePaths, name: 'last_start' as const, value: startedAt }]),
  ];
}
