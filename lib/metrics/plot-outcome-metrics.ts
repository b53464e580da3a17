import type { Registry } from 'prom-client';
import { addCounted } from './counted-metric.js';
import { DEFAULT_JOB, type OutcomeSeries, type PlotOutcomes } from '../plot-outcomes/plot-outcomes.js';

/** A series of zeros for the plotter the next plot will use, so that its first plot is seen by rate() and increase(). */
function withConfigured(outcomes: PlotOutcomes, plotter: string): OutcomeSeries[] {
  if (outcomes.series.some((series) => series.job === DEFAULT_JOB && series.plotter === plotter))
    return outcomes.series;
  const phases = plotter === 'bladebit-disk' ? 3 : 4;
  return [
    ...outcomes.series,
    {
      job: DEFAULT_JOB,
      plotter,
      finished: 0,
      failed: 0,
      durationBuckets: outcomes.buckets.map(() => 0),
      durationSum: 0,
      phaseSums: new Array<number>(phases).fill(0),
      phaseCounts: new Array<number>(phases).fill(0),
    },
  ];
}

/**
 * goplot.prom's outcome metrics: finished and failed plots as counters, the time of finished
 * plots as a histogram, and each phase's time as a summary of sum and count (mean per phase).
 */
export function addPlotOutcomeMetrics(registry: Registry, outcomes: PlotOutcomes, configuredPlotter: string): void {
  const all = withConfigured(outcomes, configuredPlotter);
  // not `job`: Prometheus gives every scraped series the job of its scrape config and renames an exported one to exported_job
  const labelsOf = (series: OutcomeSeries) => ({ plot_job: series.job, plotter: series.plotter });
  addCounted(
    registry,
    'goplot_plots_finished_total',
    'Plots that finished (exit code 0 and a finished log), counted by the tractors since the outcomes file began',
    'counter',
    all.map((series) => ({
      metricName: 'goplot_plots_finished_total',
      labels: labelsOf(series),
      value: series.finished,
    })),
  );
  addCounted(
    registry,
    'goplot_plots_failed_total',
    'Plots that failed (plotter exit code, signal, or a log without a finished plot)',
    'counter',
    all.map((series) => ({ metricName: 'goplot_plots_failed_total', labels: labelsOf(series), value: series.failed })),
  );

  const name = 'goplot_plot_duration_seconds';
  addCounted(
    registry,
    name,
    'Time from start to end of each finished plot, as its tractor measured it',
    'histogram',
    all.flatMap((series) => [
      ...outcomes.buckets.map((bound, index) => ({
        metricName: `${name}_bucket`,
        labels: { ...labelsOf(series), le: String(bound) },
        value: series.durationBuckets[index] ?? 0,
      })),
      { metricName: `${name}_bucket`, labels: { ...labelsOf(series), le: '+Inf' }, value: series.finished },
      { metricName: `${name}_sum`, labels: labelsOf(series), value: series.durationSum },
      { metricName: `${name}_count`, labels: labelsOf(series), value: series.finished },
    ]),
  );

  const phaseName = 'goplot_plot_phase_duration_seconds';
  addCounted(
    registry,
    phaseName,
    'Time of each phase of the finished plots, from their logs (sum and count: their mean per phase)',
    'summary',
    all.flatMap((series) =>
      series.phaseSums.flatMap((sum, index) => {
        const labels = { ...labelsOf(series), phase: String(index + 1) };
        return [
          { metricName: `${phaseName}_sum`, labels, value: sum },
          { metricName: `${phaseName}_count`, labels, value: series.phaseCounts[index] ?? 0 },
        ];
      }),
    ),
  );
}
