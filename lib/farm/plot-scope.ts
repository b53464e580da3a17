import type { ConfigReader } from '../config/config-reader.js';
import { plotterCommandNames, readRunningPlots, type RunningPlot } from './process-table.js';
import { JobConfigReader } from '../jobs/job-config.js';
import { listJobNames } from '../jobs/home-jobs.js';

/** Where the plots of a home can be found: every job's temp root and plotter names, not only the global ones. */
export interface PlotScope {
  farmRoot: string;
  tempRoots: string[];
  commandNames: string[];
}

export function readPlotScope(config: ConfigReader): PlotScope {
  const readers: ConfigReader[] = [config, ...listJobNames(config.paths).names.map((name) => new JobConfigReader(config.paths, name))];
  return {
    farmRoot: config.get('farm_root'),
    tempRoots: [...new Set(readers.map((reader) => reader.get('temp_root')))],
    commandNames: [...new Set(readers.flatMap(plotterCommandNames))],
  };
}

/** The running plots of every job of this home (the process table read with readPlotScope's roots). */
export function readHomeRunningPlots(config: ConfigReader, procDir?: string): RunningPlot[] {
  const scope = readPlotScope(config);
  return readRunningPlots({ farmRoot: scope.farmRoot, tempRoot: scope.tempRoots, commandNames: scope.commandNames, procDir });
}
