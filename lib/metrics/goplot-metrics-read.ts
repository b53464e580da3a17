import type { ConfigReader } from '../config/config-reader.js';
import type { DiskSpace } from '../farm/disk-space.js';
import type { DiskState } from '../farm/disk-state.js';
import { readFarmSnapshot, type GroupProgress } from '../farm/farm-snapshot.js';
import type { PlotFiles } from '../farm/plot-files.js';
import { backoffSeconds } from '../plan/decide-start.js';
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
  /** The plot's job (DEFAULT_JOB outside jobs). */
  job: string;
  suspended: boolean;
  /** A pos2 plot group's plots done, rate and ETA; null for a pos1 plot. */
  group: GroupProgress | null;
}

export interface DiskFacts {
  farm: string;
  disk: string;
  state: DiskState['kind'];
  /** Null when the space cannot be read, or would be another filesystem's (see `missing`). */
  space: DiskSpace | null;
  committedBytes: number;
  /** Plot files (`.plot`, `.plot2`, `.gplot`) in plots/; null when plots/ cannot be read. */
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
  /** A disk's plot files when known without counting them (the inventory's summary of an unchanged folder). */
  plotFiles?: (plotsDir: string) => PlotFiles | undefined;
}

/** The disk states goplot_disk_state has one series for each, in this order. */
export const DISK_STATE_KINDS: DiskState['kind'][] = ['number', 'full', 'off', 'unmounted', 'missing', 'invalid'];

/**
 * Everything goplot.prom tells, read fresh: value files and the farm snapshot (the same one
 * `goplot status` and `goplot view` show). A disk that cannot be measured is only left out of
 * the space series; nothing here throws for one bad disk or value.
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
  const backoffUntil =
    failures > 0 ? read('last_fail') + backoffSeconds(failures, read('backoff_base'), read('backoff_max')) : 0;
  const state: GoplotStateFacts = { index: read('index'), lastStart: read('last_start'), failures, backoffUntil };
  // the snapshot reads these too; read here, an invalid one is marked in goplot_config_value_invalid
  for (const name of ['farm_root', 'temp_root', 'require_mount', 'disk_space', 'disk_timeout'] as const) read(name);

  const snapshot = await readFarmSnapshot({
    config,
    now: options.now,
    procDir: options.procDir,
    mountinfoPath: options.mountinfoPath,
    ...(options.plotFiles ? { plotFiles: options.plotFiles } : {}),
  });
  const values: CollectedValue[] = [];
  if (config.get('require_mount') === 'yes') {
    values.push(
      snapshot.mountsProblem === null
        ? { name: 'mount_points', present: true }
        : { name: 'mount_points', present: false, why: snapshot.mountsProblem },
    );
  }
  // in layout order, so the list of missing values only changes when a disk does
  for (const disk of snapshot.disks) {
    const name = `space ${disk.farm}/${disk.disk}`;
    values.push(
      disk.space !== null ? { name, present: true } : { name, present: false, why: disk.spaceProblem ?? 'not read' },
    );
  }
  const temp = await readTempDirFacts(config.get('temp_root'), config.get('disk_space'));
  values.push(...temp.values);
  return {
    config: configFacts,
    state,
    plots: snapshot.plots.map((plot) => ({
      id: plot.index === null ? `pid ${plot.pid}` : String(plot.index),
      farm: plot.farm ?? '',
      disk: plot.disk ?? '',
      plotter: plot.plotter,
      phase: plot.phase,
      progress: plot.progress,
      elapsedSeconds: plot.elapsedSeconds,
      job: plot.job,
      suspended: plot.suspended,
      group: plot.group,
    })),
    disks: snapshot.disks.map((disk) => ({
      farm: disk.farm,
      disk: disk.disk,
      state: disk.state.kind,
      space: disk.space,
      committedBytes: disk.committedBytes,
      plotFiles: disk.plotFiles?.count ?? null,
      readOnly: disk.readOnly,
    })),
    temps: temp.temps,
    invalid,
    values,
  };
}
