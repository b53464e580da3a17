import os from 'node:os';
import { chooseConfiguredTempDir } from './choose-configured-temp-dir.js';
import { chooseDestination } from './choose-destination.js';
import type { ConfigReader } from '../config/config-reader.js';
import { findTractorPids } from '../farm/find-tractors.js';
import type { HomePaths } from '../config/home.js';
import { mountinfoPathFrom, readMountPoints } from '../farm/mount-points.js';
import { committedKiB } from '../farm/plot-size.js';
import { readSnapshotPlots } from '../farm/farm-snapshot.js';
import { findInvalidPlotValues } from './plot-config-check.js';
import { buildPlotterCommand, plotJobFromConfig } from './plotter-command.js';

export interface RunningPlotSummary {
  pid: number;
  ppid: number;
  phase: number;
  tempDir: string | null;
}

/** What the start decision reads, passed in so the loop, `goplot view` and tests can differ. */
export interface StartWorld {
  now: () => number;
  loadavg: () => number[];
  readRunning: (config: ConfigReader) => RunningPlotSummary[];
  findTractors: () => number[];
  /** Disk and temp checks (I/O): null when a plot has room, else why not. */
  checkRoom: (config: ConfigReader, running: RunningPlotSummary[]) => Promise<string | null>;
}

/** The real world: /proc, the load average and the disks. */
export function createStartWorld(paths: HomePaths, env: NodeJS.ProcessEnv): StartWorld {
  return {
    now: Date.now,
    loadavg: () => os.loadavg(),
    readRunning(config: ConfigReader): RunningPlotSummary[] {
      // the plot logs are read only when a phase limit needs them
      const progress = config.get('start_early_phase') > 0 || config.get('max_phase1') > 0;
      return readSnapshotPlots({ config, now: Date.now, progress }).map((plot) => ({
        pid: plot.pid,
        ppid: plot.ppid,
        tempDir: plot.tempDir,
        phase: plot.phase,
      }));
    },
    findTractors: () => findTractorPids(paths.home),
    async checkRoom(config, running) {
      const invalid = findInvalidPlotValues(config);
      if (invalid.length > 0) return `${invalid[0]!.replace(/; using .*$/, '')}; no plot starts with a guessed value (fix it, see goplot config)`;
      // a value the plotter would refuse is said here, instead of launching a tractor that
      // refuses it and sets off the back-off
      const probe = buildPlotterCommand(plotJobFromConfig(config, { tempDir: config.get('temp_root'), destDir: config.get('farm_root') }));
      if (!probe.ok) return probe.message;
      const temp = await chooseConfiguredTempDir(config, running.map((plot) => plot.tempDir));
      if (!temp.ok) return temp.message;
      const destination = await chooseDestination({
        paths,
        farmRoot: config.get('farm_root'),
        lastFarm: config.get('farm_dest'),
        requireMount: config.get('require_mount') === 'yes',
        mounts: readMountPoints(mountinfoPathFrom(env)),
        spaceMethod: config.get('disk_space'),
        plotKiB: committedKiB(config.get('k'), config.get('compression')),
        reserve: false,
        timeoutMs: config.get('disk_timeout') * 1000,
      });
      return destination.ok ? null : destination.message;
    },
  };
}
