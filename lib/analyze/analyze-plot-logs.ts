// `goplot analyze`: phase and total times of finished plots grouped by plotter, temp dir and
// destination disk, plots finished per day, and the failed and unfinished plots. JSON-serialisable.
import fs from 'node:fs';
import { naturalSort } from '../util/natural-sort.js';
import { parsePlotLogPlots, type PlotLogInfo, type PlotLogPlotter } from '../plot-log/parse-plot-log.js';
import { findPlotLogs, type FoundPlotLog } from './find-plot-logs.js';
import { sharedTempDir } from '../plot-log/plot-paths.js';
import { DEFAULT_JOB } from '../jobs/home-jobs.js';
import { errorMessage } from '../util/error-message.js';

export interface AnalyzeOptions {
  /** Extra log files or folders, read as well as the farm's logs. */
  logFiles?: string[];
  farmRoot: string;
  /** Only plots started at or after this (the log's start time, else the file's mtime). */
  since?: Date;
  now: () => number;
  /** Read `<farm_root>/<farm>/<disk>/logs/plot.<n>.log` (default true). */
  scanFarm?: boolean;
  /** Whether a plotter process has the log open (the process table); decides running vs unfinished. */
  isLogOpen?: (file: string) => boolean;
  /** Without isLogOpen, a log not written for this long is unfinished, not running (default 3 h). */
  staleSeconds?: number;
}

/**
 * The longest quiet stretch of a live plot: chiapos prints a line every few minutes at most and
 * madmax one per table (minutes), but copying 100 GiB to a slow or network disk can take an hour or more.
 */
export const DEFAULT_STALE_SECONDS = 3 * 3600;

export interface TimeStats {
  count: number;
  mean: number | null;
  min: number | null;
  max: number | null;
}

export interface PlotTimeGroup {
  key: string;
  plots: number;
  /** Phases 1..4 (bladebit diskplot has no 4th: count 0). */
  phases: TimeStats[];
  total: TimeStats;
}

export type PlotState = 'finished' | 'running' | 'failed' | 'unfinished';

export interface PlotListing {
  index: number | null;
  file: string;
  /** `farm/disk` from the log's place in the farm, else the log's destination dir. */
  destination: string;
  plotter: PlotLogPlotter;
  plotId: string | null;
  state: PlotState;
  phase: number;
  phaseCount: number;
  progress: number;
  startedAt: string | null;
  lastModified: string;
}

export interface AnalysisResult {
  generatedAt: string;
  since: string | null;
  farmRoot: string;
  counts: {
    logs: number;
    plots: number;
    finished: number;
    running: number;
    failed: number;
    unfinished: number;
    /** Plots left out because they started before `since`. */
    beforeSince: number;
  };
  /** Finished plots only: a failed plot's times say little about the next one. */
  byPlotter: PlotTimeGroup[];
  /** A plot counts under each temp dir it used (tmp and tmp2). */
  byTempDir: PlotTimeGroup[];
  byDestination: PlotTimeGroup[];
  /** By the job the tractor wrote into the log's first line (`goplot job: NAME`); default without one. */
  byJob: PlotTimeGroup[];
  /** By job, plotter and k (`<job> <plotter> k<k>`): what goplot view's ETA of a running plot is taken from. */
  byJobPlotter: PlotTimeGroup[];
  /** Local days on which plots finished. */
  perDay: { day: string; plots: number }[];
  running: PlotListing[];
  failed: PlotListing[];
  unfinished: PlotListing[];
  problems: string[];
}

interface GroupTimes {
  plots: number;
  phases: number[][];
  totals: number[];
}

function statsOf(values: number[]): TimeStats {
  if (values.length === 0) return { count: 0, mean: null, min: null, max: null };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { count: values.length, mean: round(sum / values.length), min: round(min), max: round(max) };
}

function addToGroup(groups: Map<string, GroupTimes>, key: string, plot: PlotLogInfo): void {
  let group = groups.get(key);
  if (!group) {
    group = { plots: 0, phases: [[], [], [], []], totals: [] };
    groups.set(key, group);
  }
  group.plots += 1;
  plot.phaseSeconds.forEach((seconds, phase) => {
    if (seconds !== null && phase < 4) group.phases[phase].push(seconds);
  });
  if (plot.totalSeconds !== null) group.totals.push(plot.totalSeconds);
}

function summarise(groups: Map<string, GroupTimes>): PlotTimeGroup[] {
  return naturalSort([...groups.keys()]).map((key) => {
    const group = groups.get(key) as GroupTimes;
    return { key, plots: group.plots, phases: group.phases.map(statsOf), total: statsOf(group.totals) };
  });
}

/** `YYYY-MM-DD` in local time, the day a farmer would say. */
export function localDay(ms: number): string {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
}

/** The key of byJobPlotter: a running plot's job, plotter and k give the same one. */
export function jobPlotterKey(job: string, plotter: string, k: number): string {
  return `${job} ${plotter} k${k}`;
}

/** The tractor's first line in a job's plot log. */
const JOB_LINE = /^goplot job: ([A-Za-z0-9_-]+)$/m;

export function jobOfPlotLog(text: string): string {
  return JOB_LINE.exec(text.slice(0, 4096))?.[1] ?? DEFAULT_JOB;
}

function destinationOf(log: FoundPlotLog, plot: PlotLogInfo): string {
  if (log.farm !== null && log.disk !== null) return `${log.farm}/${log.disk}`;
  return plot.destDir ?? '(unknown)';
}

function stateOf(plot: PlotLogInfo, isLast: boolean, log: FoundPlotLog, options: AnalyzeOptions): PlotState {
  if (plot.status !== 'running') return plot.status;
  // A log that went on to its next plot (`-n` > 1) abandoned this one.
  if (!isLast) return 'unfinished';
  if (options.isLogOpen) return options.isLogOpen(log.file) ? 'running' : 'unfinished';
  const staleMs = (options.staleSeconds ?? DEFAULT_STALE_SECONDS) * 1000;
  return options.now() - log.modifiedMs > staleMs ? 'unfinished' : 'running';
}

/** What the logs add up to while they are read: the time groups, the plots per day, the listings, the counts. */
interface Tally {
  byPlotter: Map<string, GroupTimes>;
  byTempDir: Map<string, GroupTimes>;
  byDestination: Map<string, GroupTimes>;
  byJob: Map<string, GroupTimes>;
  byJobPlotter: Map<string, GroupTimes>;
  perDay: Map<string, number>;
  lists: Record<Exclude<PlotState, 'finished'>, PlotListing[]>;
  counts: AnalysisResult['counts'];
}

export function analyzePlotLogs(options: AnalyzeOptions): AnalysisResult {
  const found = findPlotLogs({ farmRoot: options.farmRoot, paths: options.logFiles, scanFarm: options.scanFarm });
  const problems = [...found.problems];
  const tally: Tally = {
    byPlotter: new Map(),
    byTempDir: new Map(),
    byDestination: new Map(),
    byJob: new Map(),
    byJobPlotter: new Map(),
    perDay: new Map(),
    lists: { running: [], failed: [], unfinished: [] },
    counts: { logs: 0, plots: 0, finished: 0, running: 0, failed: 0, unfinished: 0, beforeSince: 0 },
  };
  const { counts } = tally;
  const sinceMs = options.since?.getTime();

  for (const log of found.logs) {
    let text: string;
    try {
      text = fs.readFileSync(log.file, 'utf8');
    } catch (error) {
      problems.push(`cannot read plot log ${log.file}: ${errorMessage(error)}; left out`);
      continue;
    }
    counts.logs += 1;
    const plots = parsePlotLogPlots(text);
    const job = jobOfPlotLog(text);
    plots.forEach((plot, position) => {
      const startedMs = plot.startedAt?.getTime() ?? log.modifiedMs;
      if (sinceMs !== undefined && startedMs < sinceMs) {
        counts.beforeSince += 1;
        return;
      }
      counts.plots += 1;
      const state = stateOf(plot, position === plots.length - 1, log, options);
      counts[state] += 1;
      const destination = destinationOf(log, plot);
      if (state === 'finished') addFinished(tally, { log, plot, job, startedMs, destination });
      else tally.lists[state].push(listingOf(log, plot, state, destination));
    });
  }
  return resultOf(tally, problems, options);
}

/** A finished plot's times into each group it belongs to, and its end into plots per day. */
function addFinished(
  tally: Tally,
  found: { log: FoundPlotLog; plot: PlotLogInfo; job: string; startedMs: number; destination: string },
): void {
  const { log, plot, job, startedMs, destination } = found;
  addToGroup(tally.byPlotter, plot.k === null ? plot.plotter : `${plot.plotter} k${plot.k}`, plot);
  const tempDirs = [...new Set(plot.tempDirs.map(sharedTempDir))];
  for (const dir of tempDirs.length > 0 ? tempDirs : ['(none)']) addToGroup(tally.byTempDir, dir, plot);
  addToGroup(tally.byDestination, destination, plot);
  addToGroup(tally.byJob, job, plot);
  if (plot.k !== null) addToGroup(tally.byJobPlotter, jobPlotterKey(job, plot.plotter, plot.k), plot);
  const endMs = plot.startedAt && plot.totalSeconds !== null ? startedMs + plot.totalSeconds * 1000 : log.modifiedMs;
  const day = localDay(endMs);
  tally.perDay.set(day, (tally.perDay.get(day) ?? 0) + 1);
}

function listingOf(
  log: FoundPlotLog,
  plot: PlotLogInfo,
  state: Exclude<PlotState, 'finished'>,
  destination: string,
): PlotListing {
  return {
    index: log.index,
    file: log.file,
    destination,
    plotter: plot.plotter,
    plotId: plot.plotId,
    state,
    phase: plot.phase,
    phaseCount: plot.phaseCount,
    progress: plot.progress,
    startedAt: plot.startedAt?.toISOString() ?? null,
    lastModified: new Date(log.modifiedMs).toISOString(),
  };
}

/** The tally summarised and sorted: groups in natural order, days in order, listings by place. */
function resultOf(tally: Tally, problems: string[], options: AnalyzeOptions): AnalysisResult {
  const byPlace = (a: PlotListing, b: PlotListing) =>
    a.destination.localeCompare(b.destination, 'en', { numeric: true }) ||
    (a.index ?? -1) - (b.index ?? -1) ||
    a.file.localeCompare(b.file);
  return {
    generatedAt: new Date(options.now()).toISOString(),
    since: options.since?.toISOString() ?? null,
    farmRoot: options.farmRoot,
    counts: tally.counts,
    byPlotter: summarise(tally.byPlotter),
    byTempDir: summarise(tally.byTempDir),
    byDestination: summarise(tally.byDestination),
    byJob: summarise(tally.byJob),
    byJobPlotter: summarise(tally.byJobPlotter),
    perDay: [...tally.perDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, plots]) => ({ day, plots })),
    running: tally.lists.running.sort(byPlace),
    failed: tally.lists.failed.sort(byPlace),
    unfinished: tally.lists.unfinished.sort(byPlace),
    problems,
  };
}
