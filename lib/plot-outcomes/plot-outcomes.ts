import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { errorMessage } from '../util/error-message.js';

/**
 * Finished and failed plots, counted for good: a tractor lives for one plot and the collector for
 * one cron run, so the counts Prometheus needs as counters (monotonic across runs and reboots)
 * live in a small file that each tractor updates under the state lock when its plot ends.
 */

/** Upper bounds (seconds) of the plot-duration histogram: a GPU plot in minutes through chiapos on HDDs in days. */
export const PLOT_DURATION_BUCKETS = [
  300, 600, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 28800, 43200, 86400, 172800,
];

export { DEFAULT_JOB } from '../config/job.js';

export interface OutcomeSeries {
  job: string;
  plotter: string;
  finished: number;
  failed: number;
  /** Finished plots whose duration was at most each bound of the file's `buckets` (cumulative, as exported). */
  durationBuckets: number[];
  durationSum: number;
  /** Summed seconds and plots per phase (1-based phase = index + 1), from the finished plots' logs. */
  phaseSums: number[];
  phaseCounts: number[];
}

export interface PlotOutcomes {
  version: 1;
  /** The histogram's bounds when the file was made; kept, so old counts never move between buckets. */
  buckets: number[];
  series: OutcomeSeries[];
}

export interface PlotEnd {
  job: string;
  plotter: string;
  outcome: 'finished' | 'failed';
  seconds: number;
  /** Each phase's seconds from the plot's log (null where it did not say); finished plots only. */
  phaseSeconds?: (number | null)[];
}

export function plotOutcomesPath(paths: HomePaths): string {
  return path.join(paths.home, 'state', 'plot-outcomes.json');
}

export function emptyPlotOutcomes(): PlotOutcomes {
  return { version: 1, buckets: [...PLOT_DURATION_BUCKETS], series: [] };
}

/** The counts so far; none when the file does not exist yet. Throws, naming the file, when it is not ours. */
export function readPlotOutcomes(paths: HomePaths): PlotOutcomes {
  const file = plotOutcomesPath(paths);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyPlotOutcomes();
    throw new Error(`${file}: cannot read it (${errorMessage(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file}: not JSON (${JSON.stringify(text.slice(0, 40))})`);
  }
  if (!isPlotOutcomes(parsed))
    throw new Error(`${file}: not a plot outcomes file (${JSON.stringify(text.slice(0, 40))})`);
  return parsed;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isPlotOutcomes(value: unknown): value is PlotOutcomes {
  const file = value as Partial<PlotOutcomes> | null;
  if (
    !file ||
    file.version !== 1 ||
    !Array.isArray(file.buckets) ||
    !file.buckets.every(isCount) ||
    !Array.isArray(file.series)
  )
    return false;
  return file.series.every(
    (series: Partial<OutcomeSeries>) =>
      typeof series.job === 'string' &&
      typeof series.plotter === 'string' &&
      isCount(series.finished) &&
      isCount(series.failed) &&
      isCount(series.durationSum) &&
      Array.isArray(series.durationBuckets) &&
      series.durationBuckets.length === file.buckets!.length &&
      series.durationBuckets.every(isCount) &&
      Array.isArray(series.phaseSums) &&
      series.phaseSums.every(isCount) &&
      Array.isArray(series.phaseCounts) &&
      series.phaseCounts.every(isCount),
  );
}

/** outcomes with one more plot counted (a new object; outcomes is left as it was). */
export function addPlotOutcome(outcomes: PlotOutcomes, plot: PlotEnd): PlotOutcomes {
  const next: PlotOutcomes = { ...outcomes, series: outcomes.series.map((series) => structuredClone(series)) };
  let series = next.series.find((entry) => entry.job === plot.job && entry.plotter === plot.plotter);
  if (!series) {
    series = {
      job: plot.job,
      plotter: plot.plotter,
      finished: 0,
      failed: 0,
      durationBuckets: next.buckets.map(() => 0),
      durationSum: 0,
      phaseSums: [],
      phaseCounts: [],
    };
    next.series.push(series);
  }
  if (plot.outcome === 'failed') {
    series.failed++;
    return next;
  }
  series.finished++;
  series.durationSum += plot.seconds;
  next.buckets.forEach((bound, index) => {
    if (plot.seconds <= bound) series.durationBuckets[index]!++;
  });
  (plot.phaseSeconds ?? []).forEach((seconds, index) => {
    if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return;
    series.phaseSums[index] = (series.phaseSums[index] ?? 0) + seconds;
    series.phaseCounts[index] = (series.phaseCounts[index] ?? 0) + 1;
  });
  for (let index = 0; index < series.phaseSums.length; index++) {
    series.phaseSums[index] ??= 0;
    series.phaseCounts[index] ??= 0;
  }
  return next;
}

/**
 * Counts one plot's end, under the state lock (tractors ending together all count). A file that is
 * not ours is set aside as `<file>.bad-<time>` and counting starts again: Prometheus takes the drop
 * as a counter reset. Returns that problem, to be logged, or null.
 */
export async function recordPlotOutcome(paths: HomePaths, plot: PlotEnd, now: () => number): Promise<string | null> {
  // the lock loads here, for the tractor that counts: the goplot collector only reads the file
  const { withStateLock } = await import('../farm/state-lock.js');
  return withStateLock(paths, async () => {
    const file = plotOutcomesPath(paths);
    let outcomes: PlotOutcomes;
    let problem: string | null = null;
    try {
      outcomes = readPlotOutcomes(paths);
    } catch (error) {
      const aside = `${file}.bad-${Math.floor(now() / 1000)}`;
      fs.renameSync(file, aside);
      problem = `${errorMessage(error)}; moved it to ${aside} and started counting plot outcomes again`;
      outcomes = emptyPlotOutcomes();
    }
    writeFileAtomicSync(file, `${JSON.stringify(addPlotOutcome(outcomes, plot), null, 1)}\n`);
    return problem;
  });
}
