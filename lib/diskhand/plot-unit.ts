import type { ConfigReader } from '../config/config-reader.js';
import { isPos2Plotter } from '../config/value-specs.js';
import { committedKiB, pos2GroupKiB } from '../farm/plot-size.js';
import { listJobNames } from '../jobs/home-jobs.js';
import { JobConfigReader } from '../jobs/job-config.js';

/** The room one tractor reserves on a disk: one pos1 plot, or a whole pos2 plot group. */
export interface PlotUnit {
  kib: number;
  /** How a disk's log line names it: `one more k32 C0 plot`, `a group of 128 k28 pos2 plots`. */
  words: string;
}

/** What one reader's tractor reserves: a pos2 plotter's group is placed whole on one disk (DESIGN §17). */
export function plotUnitOf(config: ConfigReader): PlotUnit {
  const k = config.get('k');
  if (isPos2Plotter(config.get('plotter'))) {
    const size = config.get('group_size');
    return { kib: pos2GroupKiB(k, size), words: `a group of ${size} k${k} pos2 plots` };
  }
  const compression = config.get('compression');
  return { kib: committedKiB(k, compression), words: `one more k${k} C${compression} plot` };
}

/**
 * The room below which a disk is `full`: the smallest unit any job would place there (the global
 * values when there are no jobs). A disk with room for one job's unit is not full; the tractor of a
 * job with a bigger unit re-checks the room at its start and passes over it.
 */
export function smallestPlotUnit(config: ConfigReader): PlotUnit {
  const jobs = listJobNames(config.paths).names;
  const readers = jobs.length === 0 ? [config] : jobs.map((name) => new JobConfigReader(config.paths, name));
  return readers.map(plotUnitOf).reduce((small, unit) => (unit.kib < small.kib ? unit : small));
}
