import { DISK_STATE_KINDS, type GoplotFacts } from './goplot-metrics-read.js';
import { addCounted } from './counted-metric.js';
import { addPlotOutcomeMetrics } from './plot-outcome-metrics.js';
import { addGauge, createRegistry } from './registry.js';
import { addGroupMetrics } from './group-metrics.js';
import type { PlotOutcomes } from '../plot-outcomes/plot-outcomes.js';

type Registry = ReturnType<typeof createRegistry>;

const PLOT_LABELS = ['index', 'farm', 'disk', 'plotter'];
const DISK_LABELS = ['farm', 'disk'];

/** What the tractors counted (state/plot-outcomes.json), and the plotter the next plot will use. */
export interface OutcomeFacts {
  outcomes: PlotOutcomes;
  plotter: string;
}

type AddGauge = (name: string, help: string, labels?: string[]) => ReturnType<typeof addGauge>;

/**
 * goplot.prom's metrics from the facts: goplot's own names first (kept so that old dashboards
 * keep working), then the new ones in base units, with labels rather than name variants.
 * Without outcomes (their file unreadable) the outcome metrics are left out. Each part is added
 * in turn, in the order the file has always listed them.
 */
export function buildGoplotRegistry(facts: GoplotFacts, outcomes: OutcomeFacts | null = null): Registry {
  const registry = createRegistry();
  const gauge: AddGauge = (name, help, labels = []) => addGauge(registry, name, help, labels);
  addConfigMetrics(gauge, facts);
  addStartMetrics(registry, gauge, facts.state);
  addRunningPlotMetrics(gauge, facts.plots);
  addGroupMetrics(registry, facts.plots);
  addDiskMetrics(gauge, facts.disks);
  addTempMetrics(gauge, facts.temps);
  if (outcomes) addPlotOutcomeMetrics(registry, outcomes.outcomes, outcomes.plotter);
  return registry;
}

/** The config values the loop runs by, and which value files are invalid. */
function addConfigMetrics(gauge: AddGauge, facts: GoplotFacts): void {
  const { config } = facts;
  gauge('goplot_running_plots', 'Plots running now (plotter processes under temp_root or farm_root)').set(
    facts.plots.length,
  );
  gauge('goplot_config_ontoggle', 'on_toggle.goplot: 1 when it is run (new plots start), else 0').set(
    config.onToggle === 'run' ? 1 : 0,
  );
  gauge('goplot_config_maxplots', 'max_plots.goplot: most plots running at once').set(config.maxPlots);
  gauge('goplot_config_loadmax', 'load_max.goplot: no new plot while (load5 + load15) / 2 is above this').set(
    config.loadMax,
  );
  gauge('goplot_config_plotpoll', "plot_poll.goplot: seconds between the loop's condition checks").set(config.plotPoll);
  gauge('goplot_config_plot_gap', 'plot_gap.goplot: minimum seconds between two plot starts').set(config.plotGap);
  // the same in base-unit names (goplot's above stay for old dashboards)
  gauge('goplot_config_plotpoll_seconds', "plot_poll.goplot: time between the loop's condition checks").set(
    config.plotPoll,
  );
  gauge('goplot_config_plot_gap_seconds', 'plot_gap.goplot: least time between two plot starts').set(config.plotGap);
  const invalid = gauge(
    'goplot_config_value_invalid',
    '1 for each value file whose content is invalid (the last good value or the default is used; see the log)',
    ['name'],
  );
  for (const value of facts.invalid) invalid.set({ name: value.name }, 1);
}

/** The plot starts so far (index.goplot), the last one, and the back-off after failures. */
function addStartMetrics(registry: Registry, gauge: AddGauge, state: GoplotFacts['state']): void {
  gauge('goplot_plots_started', 'index.goplot: the number of the last plot started').set(state.index);
  // the same as a counter, as Prometheus names them (rate() and increase() expect _total)
  addCounted(
    registry,
    'goplot_plots_started_total',
    'Plots started (index.goplot, the number of the last plot started)',
    'counter',
    [{ metricName: 'goplot_plots_started_total', labels: {}, value: state.index }],
  );
  gauge('goplot_last_start_timestamp_seconds', 'When the last plot started (Unix seconds; 0 before the first)').set(
    state.lastStart,
  );
  gauge('goplot_failures', 'Plots that failed in a row (0 after a plot finishes)').set(state.failures);
  gauge(
    'goplot_backoff_until_timestamp_seconds',
    'After failed plots, no plot starts before this time (Unix seconds; 0 when none failed)',
  ).set(state.backoffUntil);
}

/** Each running plot's progress, phase and age, then its job and whether it is suspended. */
function addRunningPlotMetrics(gauge: AddGauge, plots: GoplotFacts['plots']): void {
  // one series per plot: a phase label would break each plot's line into one series per phase
  const progress = gauge(
    'goplot_plot_progress_ratio',
    'Progress of each running plot (0 to 1), from its log',
    PLOT_LABELS,
  );
  const phase = gauge(
    'goplot_plot_phase',
    'Phase of each running plot (0 before its log shows the first)',
    PLOT_LABELS,
  );
  const elapsed = gauge('goplot_plot_elapsed_seconds', 'Seconds since each running plot started', PLOT_LABELS);
  for (const plot of plots) {
    const labels = { index: plot.id, farm: plot.farm, disk: plot.disk, plotter: plot.plotter };
    progress.set(labels, plot.progress);
    phase.set(labels, plot.phase);
    elapsed.set(labels, plot.elapsedSeconds);
  }
  // plot_job, not job: Prometheus keeps `job` for the scrape job and would rename ours exported_job.
  // The series above keep their labels (dashboards and rules key on them); these carry the job
  // for a join: `… * on(index) group_left(plot_job) goplot_plot_job_info`.
  const jobInfo = gauge(
    'goplot_plot_job_info',
    'Always 1: the job (config/jobs/<name>/) each running plot belongs to, in plot_job',
    [...PLOT_LABELS, 'plot_job'],
  );
  const suspended = gauge(
    'goplot_plot_suspended',
    '1 while a running plot is suspended (goplot suspend; process state T), else 0',
    [...PLOT_LABELS, 'plot_job'],
  );
  for (const plot of plots) {
    const labels = { index: plot.id, farm: plot.farm, disk: plot.disk, plotter: plot.plotter, plot_job: plot.job };
    jobInfo.set(labels, 1);
    suspended.set(labels, plot.suspended ? 1 : 0);
  }
}

/** Each disk's state, space, committed bytes, plot count and read-only flag (what was readable of them). */
function addDiskMetrics(gauge: AddGauge, disks: GoplotFacts['disks']): void {
  const diskState = gauge(
    'goplot_disk_state',
    `1 for the disk's state in disks/<farm>/<disk>.goplot (${DISK_STATE_KINDS.join(', ')}), 0 for the others`,
    [...DISK_LABELS, 'state'],
  );
  const free = gauge(
    'goplot_disk_free_bytes',
    'Space a plot can still use on the disk (statfs f_bavail or df Available)',
    DISK_LABELS,
  );
  const total = gauge('goplot_disk_total_bytes', "Size of the disk's filesystem", DISK_LABELS);
  const committed = gauge(
    'goplot_disk_committed_bytes',
    'Final size of the plots running into the disk now, which its free space must still hold',
    DISK_LABELS,
  );
  const plotFiles = gauge('goplot_disk_plots', "Finished .plot files in the disk's plots/", DISK_LABELS);
  const readOnly = gauge(
    'goplot_disk_read_only',
    "1 when the disk's filesystem is mounted read-only (ext4 does so after disk errors), else 0",
    DISK_LABELS,
  );
  for (const disk of disks) {
    const labels = { farm: disk.farm, disk: disk.disk };
    for (const kind of DISK_STATE_KINDS) diskState.set({ ...labels, state: kind }, kind === disk.state ? 1 : 0);
    if (disk.space) {
      free.set(labels, disk.space.freeBytes);
      total.set(labels, disk.space.totalBytes);
    }
    committed.set(labels, disk.committedBytes);
    if (disk.plotFiles !== null) plotFiles.set(labels, disk.plotFiles);
    if (disk.readOnly !== null) readOnly.set(labels, disk.readOnly ? 1 : 0);
  }
}

/** Each temp dir's space, where it could be read. */
function addTempMetrics(gauge: AddGauge, temps: GoplotFacts['temps']): void {
  const tempFree = gauge(
    'goplot_temp_free_bytes',
    'Space a plot can still use in the temp dir (statfs f_bavail or df Available)',
    ['temp'],
  );
  const tempTotal = gauge('goplot_temp_total_bytes', "Size of the temp dir's filesystem", ['temp']);
  for (const temp of temps) {
    if (!temp.space) continue;
    tempFree.set({ temp: temp.dir }, temp.space.freeBytes);
    tempTotal.set({ temp: temp.dir }, temp.space.totalBytes);
  }
}
