import fs from 'node:fs';
import { ConfigReader } from '../config/config-reader.js';
import { readDiskState, type DiskState } from '../farm/disk-state.js';
import { listDisks, listFarms } from '../farm/farm-layout.js';
import type { HomePaths } from '../config/home.js';
import { readPlotProgress } from '../farm/read-plot-phase.js';
import { plotterCommandNames, readRunningPlots } from '../farm/process-table.js';
import { listConfig, type ConfigRow } from './list-config.js';
import { archiverStatusLines } from '../archive/archiver-status-lines.js';

export interface PlotRow {
  index: number | null;
  pid: number;
  plotter: string;
  elapsedSeconds: number;
  phase: number;
  progress: number;
  tempDir: string | null;
  destDir: string | null;
  logFile: string | null;
  rssBytes: number;
}

export interface DiskRow {
  farm: string;
  disk: string;
  state: string;
  kib: number | null;
  plots: number;
}

export interface Status {
  home: string;
  plots: PlotRow[];
  config: ConfigRow[];
  disks: DiskRow[];
  /** The archiver's lines (lib/archive); none when it never ran here. */
  archive: string[];
}

function showState(state: DiskState): { state: string; kib: number | null } {
  if (state.kind === 'number') return { state: 'ok', kib: state.kib };
  if (state.kind === 'invalid') return { state: `invalid (${state.raw})`, kib: null };
  return { state: state.kind, kib: null };
}

function countPlotFiles(dir: string): number {
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith('.plot')).length;
  } catch {
    return 0;
  }
}

export function readStatus(paths: HomePaths, env: NodeJS.ProcessEnv, now: () => number): Status {
  const config = new ConfigReader(paths, () => {}, env);
  const farmRoot = config.get('farm_root');
  const running = readRunningPlots({ farmRoot, tempRoot: config.get('temp_root'), commandNames: plotterCommandNames(config) });
  const plots = running
    .map((plot): PlotRow => {
      const progress = plot.logFile ? readPlotProgress(plot.logFile) : { phase: 0, progress: 0 };
      return {
        index: plot.index,
        pid: plot.pid,
        plotter: plot.plotter,
        elapsedSeconds: Math.max(0, Math.round((now() - plot.startedAt) / 1000)),
        phase: progress.phase,
        progress: progress.progress,
        tempDir: plot.tempDir,
        destDir: plot.destDir,
        logFile: plot.logFile,
        rssBytes: plot.rssBytes,
      };
    })
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const disks: DiskRow[] = [];
  for (const farm of fs.existsSync(farmRoot) ? listFarms(farmRoot) : []) {
    for (const disk of listDisks(farmRoot, farm)) {
      disks.push({ farm, disk: disk.disk, ...showState(readDiskState(paths, farm, disk.disk)), plots: countPlotFiles(disk.plotsDir) });
    }
  }
  return { home: paths.home, plots, config: listConfig(paths, env), disks, archive: archiverStatusLines(paths) };
}
