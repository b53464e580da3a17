import type { PlotFacts } from './goplot-metrics-read.js';
import { addGauge, type Registry } from './registry.js';

const LABELS = ['index', 'farm', 'disk', 'plotter'];

/**
 * The running pos2 plot groups, in base units, with the labels of goplot_plot_progress_ratio (whose
 * value for a group is its plots done of its size): size and plots done, rate, bytes written a
 * second, time left, meta group and strength. Rate and time left only once a plot has landed.
 */
export function addGroupMetrics(registry: Registry, plots: PlotFacts[]): void {
  const gauge = (name: string, help: string) => addGauge(registry, name, help, LABELS);
  const size = gauge('goplot_group_size_plots', 'Plots in each running pos2 plot group (group_size)');
  const done = gauge('goplot_group_done_plots', 'Plots of each running pos2 plot group landed in plots/ so far');
  const rate = gauge(
    'goplot_group_plots_per_second',
    "Plots each running pos2 plot group lands a second: the plotter's own average where it prints one (xchplot2), else since the group started",
  );
  const bytes = gauge(
    'goplot_group_written_bytes_per_second',
    'Plot bytes each running pos2 plot group lands a second',
  );
  const eta = gauge(
    'goplot_group_eta_seconds',
    "Time each running pos2 plot group still needs: the plotter's own estimate where it prints one (xchplot2), else at its rate so far",
  );
  const meta = gauge('goplot_group_meta_group', 'Meta group (0..255) of each running pos2 plot group, once known');
  const strength = gauge('goplot_group_strength', 'Strength of each running pos2 plot group');
  for (const plot of plots) {
    const group = plot.group;
    if (!group) continue;
    const labels = { index: plot.id, farm: plot.farm, disk: plot.disk, plotter: plot.plotter };
    size.set(labels, group.size);
    done.set(labels, group.done);
    strength.set(labels, group.strength);
    if (group.metaGroup !== null) meta.set(labels, group.metaGroup);
    if (group.plotsPerHour !== null) rate.set(labels, group.plotsPerHour / 3600);
    if (group.bytesPerDay !== null) bytes.set(labels, group.bytesPerDay / 86_400);
    if (group.etaSeconds !== null) eta.set(labels, group.etaSeconds);
  }
}
