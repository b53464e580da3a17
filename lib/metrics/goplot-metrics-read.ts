import fs from 'node:fs';
import type { ConfigReader } from '../config/config-reader.js';
import { readDiskSpace, type DiskSpace, type SpaceMethod } from '../farm/disk-space.js';
import { readDiskState, type DiskState } from '../farm/disk-state.js';
import { listDisks, listFarms, type FarmDisk } from '../farm/farm-layout.js';
import { mapLimited } from '../util/map-limited.js';
import { backoffSeconds } from '../loop/decide-start.js';
import { findReadOnlyMount, isMountPoint, readMountPoints, type MountPoints } from '../farm/mount-points.js';
import { committedKiB } from '../farm/plot-size.js';
import { plotterCommandNames, readRunningPlots, type RunningPlot } from '../farm/process-table.js';
import { readPlotProgress } from '../farm/read-plot-phase.js';
import type { CollectedValue } from './run-collector.js';
import { readTempDirFacts, type TempDirFacts } from './temp-dir-facts.js';
import type { ValueName, ValueOf } from '../config/value-specs.js';

export interface GoplotConfigFacts {
  onToggle: string;
  maxPlots: number;
  loadMax: number;
  plotPoll: number;
  plotGap: number;
}

export interface GoplotStateFacts {
  /** index.goplot: the number of the last plot started. */
  index: number;
  lastStart: number;
  failures: number;
  /** Unix seconds the loop waits for after failed plots; 0 while nothing failed. */
  backoffUntil: number;
}

export interface PlotFacts {
  /** The plot's index, or `pid <pid>` for a plot whose log is not a plot.<index>.log. */
  id: string;
  farm: string;
  disk: string;
  plotter: string;
  phase: number;
  progress: number;
  elapsedSeconds: number;
}

export interface DiskFacts {
  farm: string;
  disk: string;
  state: DiskState['kind'];
  /** Null when the space cannot be read, or would be another filesystem's (see `missing`). */
  space: DiskSpace | null;
  committedBytes: number;
  /** `.plot` files in plots/; null when plots/ cannot be read. */
  plotFiles: number | null;
  /** Its mount is read-only (ext4 after errors); null when the mount table could not be read. */
  readOnly: boolean | null;
}

export interface InvalidValue {
  name: ValueName;
  /** As the config reader says it: the file, the bad value and the value used instead. */
  problem: string;
}

export interface GoplotFacts {
  config: GoplotConfigFacts;
  state: GoplotStateFacts;
  plots: PlotFacts[];
  disks: DiskFacts[];
  temps: TempDirFacts[];
  invalid: InvalidValue[];
  /** One entry per disk value the collector means to export: present or why not. */
  values: CollectedValue[];
}

export interface ReadGoplotFactsOptions {
  config: ConfigReader;
  now: () => number;
  procDir?: string;
  mountinfoPath: string;
}

/** The disk states goplot_disk_state has one series for each, in this order. */
export const DISK_STATE_KINDS: DiskState['kind'][] = ['number', 'full', 'off', 'unmounted', 'missing', 'invalid'];

/**
 * Everything goplot.prom tells, read fresh: value files, the process table, plot logs, disk state
 * files and each disk's capacity. A disk that cannot be measured is only left out of the space
 * series; nothing here throws for one bad disk or value.
 */
export async function readGoplotFacts(options: ReadGoplotFactsOptions): Promise<GoplotFacts> {
  const { config } = options;
  const invalid: InvalidValue[] = [];
  const read = <N extends ValueName>(name: N): ValueOf<N> => {
    const inspected = config.inspect(name);
    if (inspected.error !== undefined) invalid.push({ name, problem: inspected.error });
    return inspected.value;
  };

  const configFacts: GoplotConfigFacts = {
    onToggle: read('on_toggle'),
    maxPlots: read('max_plots'),
    loadMax: read('load_max'),
    plotPoll: read('plot_poll'),
    plotGap: read('plot_gap'),
  };
  const failures = read('failures');
  const backoffUntil = failures > 0 ? read('last_fail') + backoffSeconds(failures, read('backoff_base'), read('backoff_max')) : 0;
  const state: GoplotStateFacts = { index: read('index'), lastStart: read('last_start'), failures, backoffUntil };

  const farmRoot = read('farm_root');
  const tempRoot = read('temp_root');
  const running = readRunningPlots({
    farmRoot, tempRoot, commandNames: plotterCommandNames(config), procDir: options.procDir,
  });
  const nowMs = options.now();
  const plots = running.map((plot) => describePlot(plot, nowMs));

  const values: CollectedValue[] = [];
  // read whatever require_mount says: a read-only mount matters either way
  let mountTable: MountPoints | null = null;
  let mountProblem = '';
  try {
    mountTable = readMountPoints(options.mountinfoPath);
  } catch (error) {
    mountProblem = `cannot read ${options.mountinfoPath}: ${(error as Error).message}`;
  }
  let mounts: Set<string> | null = null;
  if (read('require_mount') === 'yes') {
    mounts = mountTable;
    values.push(mountTable ? { name: 'mount_points', present: true } : { name: 'mount_points', present: false, why: mountProblem });
  }
  const method: SpaceMethod = read('disk_space');
  const layout = listFarms(farmRoot).flatMap((farm) => listDisks(farmRoot, farm));
  const described = await mapLimited(layout, method === 'df' ? 16 : 64, (disk) => describeDisk(disk, { config, running, method, mounts, mountTable }));
  // in layout order, so the list of missing values only changes when a disk does
  values.push(...described.map((entry) => entry.value));
  const temp = await readTempDirFacts(tempRoot, method);
  values.push(...temp.values);
  return { config: configFacts, state, plots, disks: described.map((entry) => entry.facts), temps: temp.temps, invalid, values };
}

function describePlot(plot: RunningPlot, nowMs: number): PlotFacts {
  const { phase, progress } = plot.logFile ? readPlotProgress(plot.logFile) : { phase: 0, progress: 0 };
  return {
    id: plot.index === null ? `pid ${plot.pid}` : String(plot.index),
    farm: plot.farm ?? '',
    disk: plot.disk ?? '',
    plotter: plot.plotter,
    phase,
    progress,
    elapsedSeconds: Math.max(0, Math.round((nowMs - plot.startedAt) / 1000)),
  };
}

interface DiskContext {
  config: ConfigReader;
  running: RunningPlot[];
  method: SpaceMethod;
  /** null: require_mount=no, or mountinfo could not be read (then no disk is judged by it). */
  mounts: Set<string> | null;
  /** The mount table whatever require_mount says; null when it could not be read. */
  mountTable: MountPoints | null;
}

async function describeDisk(disk: FarmDisk, context: DiskContext): Promise<{ facts: DiskFacts; value: CollectedValue }> {
  const name = `${disk.farm}/${disk.disk}`;
  const committedBytes = context.running
    .filter((plot) => plot.farm === disk.farm && plot.disk === disk.disk)
    .reduce((sum, plot) => sum + committedKiB(plot.k, plot.compression) * 1024, 0);
  let space: DiskSpace | null = null;
  let value: CollectedValue;
  if (context.mounts && !isMountPoint(disk.dir, context.mounts)) {
    // an unmounted disk's dir sits on the parent filesystem, usually /: its numbers are not the disk's
    value = { name: `space ${name}`, present: false, why: 'not a mount point' };
  } else {
    try {
      space = await readDiskSpace(disk.dir, context.method);
      value = { name: `space ${name}`, present: true };
    } catch (error) {
      value = { name: `space ${name}`, present: false, why: `${context.method}: ${(error as Error).message}` };
    }
  }
  const facts: DiskFacts = {
    farm: disk.farm,
    disk: disk.disk,
    state: readDiskState(context.config.paths, disk.farm, disk.disk).kind,
    space,
    committedBytes,
    plotFiles: countPlotFiles(disk.plotsDir),
    readOnly: context.mountTable ? findReadOnlyMount(disk.dir, context.mountTable) !== null : null,
  };
  return { facts, value };
}

function countPlotFiles(dir: string): number | null {
  try {
    return fs.readdirSync(dir).filter((file) => file.endsWith('.plot')).length;
  } catch {
    return null;
  }
}
