import os from 'node:os';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { findTractorPids } from '../farm/find-tractors.js';
import { readSnapshotPlots, type SnapshotPlot } from '../farm/farm-snapshot.js';
import { planStart } from './start-plan.js';
import { listJobNames } from '../jobs/home-jobs.js';
import { meminfoPathFrom, readMemAvailableBytes } from '../farm/mem-available.js';

/** A running plot as the start decision needs it (the farm snapshot's plot has all of it). */
export type RunningPlotSummary = Pick<
  SnapshotPlot,
  'pid' | 'ppid' | 'phase' | 'tempDir' | 'farm' | 'disk' | 'k' | 'compression'
> &
  Partial<Pick<SnapshotPlot, 'committedKiB'>> &
  Partial<Pick<SnapshotPlot, 'job' | 'suspended'>>;

/** What the start decision reads, passed in so the loop, `goplot view` and tests can differ. */
export interface StartWorld {
  now: () => number;
  loadavg: () => number[];
  readRunning: (config: ConfigReader) => RunningPlotSummary[] | Promise<RunningPlotSummary[]>;
  findTractors: () => number[];
  /** Disk and temp checks (I/O): null when a plot has room, else why not. */
  checkRoom: (config: ConfigReader, running: RunningPlotSummary[]) => Promise<string | null>;
  /** MemAvailable now, in bytes (null: unknown, no memory check). */
  memAvailableBytes?: () => number | null;
}

/** The real world: /proc, the load average and the disks. */
export function createStartWorld(paths: HomePaths, env: NodeJS.ProcessEnv): StartWorld {
  return {
    now: Date.now,
    loadavg: () => os.loadavg(),
    readRunning(config: ConfigReader): Promise<RunningPlotSummary[]> {
      // the plot logs are read only when a phase limit needs them
      const progress =
        config.get('start_early_phase') > 0 || config.get('max_phase1') > 0 || listJobNames(paths).names.length > 0;
      return readSnapshotPlots({ config, now: Date.now, progress });
    },
    findTractors: () => findTractorPids(paths.home),
    memAvailableBytes: () => readMemAvailableBytes(meminfoPathFrom(env)),
    async checkRoom(config, running) {
      const plan = await planStart({ paths, config, env, running });
      return plan.ok ? null : plan.message;
    },
  };
}
