import { ConfigReader } from '../config/config-reader.js';
import { plotterCommandNames, readRunningPlots, type RunningPlot } from './process-table.js';
import { readEnvironValue, readProcState } from './proc-read.js';
import { groupsDir } from './plot-groups.js';
import { JobConfigReader } from '../jobs/job-config.js';
import { listJobNames } from '../jobs/home-jobs.js';

/** Where the plots of a home can be found: every job's temp root and plotter names, not only the global ones. */
export interface PlotScope {
  farmRoot: string;
  tempRoots: string[];
  commandNames: string[];
}

export function readPlotScope(config: ConfigReader): PlotScope {
  // the global files too when config is a job's reader: a plot of the global temp root is this home's
  const readers: ConfigReader[] = [
    config,
    new ConfigReader(config.paths),
    ...listJobNames(config.paths).names.map((name) => new JobConfigReader(config.paths, name)),
  ];
  return {
    farmRoot: config.get('farm_root'),
    tempRoots: [...new Set(readers.map((reader) => reader.get('temp_root')))],
    commandNames: [...new Set(readers.flatMap(plotterCommandNames))],
  };
}

/** The tractor puts a plot's job in its plotter's environment; /proc/<pid>/environ gives it back. */
export const JOB_ENV = 'GOPLOT_JOB';

export type HomePlot = RunningPlot & {
  /** GOPLOT_JOB of the plotter's environment; null for a plot started outside a job. */
  job: string | null;
  /** The process state letter (R, S, D, T…): T is stopped (suspended). */
  state: string | null;
};

/** The running plots of every job of this home (the process table read with readPlotScope's roots), with their job and process state. */
export function readHomeRunningPlots(config: ConfigReader, procDir = '/proc'): HomePlot[] {
  const scope = readPlotScope(config);
  return readRunningPlots({
    farmRoot: scope.farmRoot,
    tempRoot: scope.tempRoots,
    commandNames: scope.commandNames,
    procDir,
    groupsDir: groupsDir(config.paths),
  })
    .map((plot) => ({
      ...plot,
      job: plot.group ? plot.group.job : readEnvironValue(procDir, plot.pid, JOB_ENV),
      // read after the environment: a plot gone by now may have lost it, and must not count as `default`
      state: readProcState(procDir, plot.pid),
    }))
    .filter((plot) => plot.state !== null && plot.state !== 'Z');
}
