// One plot's parse state, and the only functions that move its phase and progress, so that
// progress can never go down while lines of the same plot are appended.
import { emptyPlotLogInfo, type PlotLogInfo, type PlotLogPlotter } from './plot-log-info.js';

/**
 * Share of the whole plot taken by each phase. chiapos uses Swar's weights (33.4/20.43/42.29/3.88 %).
 * The others come from the phase times in real logs: madmax 2021 k32 runs (P1 43 %, P2 25-31 %,
 * P3 23-29 %, P4 2-3 %), bladebit 1.x RAM (P1 54 %, P2 8 %, P3 35 %, P4 and the final write 3 %),
 * bladebit 2.x diskplot (44/8/47 %) and bladebit 3 cudaplot issue logs, where the asynchronous final
 * write (counted as phase 4) takes about as long as phases 1-3 together.
 */
export const PHASE_WEIGHTS: Readonly<Record<PlotLogPlotter, readonly number[]>> = {
  chia: [0.334, 0.2043, 0.4229, 0.0388],
  madmax: [0.43, 0.28, 0.26, 0.03],
  'bladebit-ram': [0.55, 0.08, 0.34, 0.03],
  'bladebit-disk': [0.44, 0.09, 0.47],
  'bladebit-cuda': [0.1, 0.03, 0.37, 0.5],
  unknown: [0.25, 0.25, 0.25, 0.25],
};

/** A plot that has done all its phases but not yet been copied or renamed is not done. */
export const UNFINISHED_PROGRESS_CAP = 0.99;

export interface PlotState {
  info: PlotLogInfo;
  /** How far the current phase is, 0..1, from table, step and bucket counters. */
  phaseFraction: number;
  /** Per-plotter counters (current table, pass, seconds awaiting a later line...). */
  marks: Record<string, number>;
  /** Per-plotter text remembered between lines (temp file name, copy target...). */
  notes: Record<string, string>;
}

export function newPlotState(plotter: PlotLogPlotter): PlotState {
  return { info: emptyPlotLogInfo(plotter), phaseFraction: 0, marks: {}, notes: {} };
}

/** A new plot in the same log (`-n` > 1) keeps the header: plotter, k, buckets, threads, dirs. */
export function nextPlotState(previous: PlotState): PlotState {
  const state = newPlotState(previous.info.plotter);
  const { k, buckets, threads, tempDirs, destDir } = previous.info;
  Object.assign(state.info, { k, buckets, threads, tempDirs: [...tempDirs], destDir });
  return state;
}

/** Moves to `phase` (never back) and to at least `fraction` of it. */
export function advance(state: PlotState, phase: number, fraction = 0): void {
  const info = state.info;
  if (phase > info.phaseCount || phase < info.phase) return;
  if (phase > info.phase) {
    info.phase = phase;
    state.phaseFraction = 0;
  }
  if (fraction > state.phaseFraction) state.phaseFraction = Math.min(1, fraction);
}

/** Advances within the current phase only if it is `phase` (lines of a phase already left are ignored). */
export function advanceWithin(state: PlotState, phase: number, fraction: number): void {
  if (state.info.phase === phase) advance(state, phase, fraction);
}

/** Records a phase's time; the next phase starts when it ends, for every plotter alike. */
export function finishPhase(state: PlotState, phase: number, seconds: number | null): void {
  if (phase < 1 || phase > state.info.phaseCount) return;
  if (seconds !== null && Number.isFinite(seconds)) state.info.phaseSeconds[phase - 1] = seconds;
  advance(state, phase, 1);
  if (phase < state.info.phaseCount) advance(state, phase + 1);
}

export function markFinished(state: PlotState): void {
  const info = state.info;
  if (info.status === 'failed') return;
  info.status = 'finished';
  info.phase = info.phaseCount;
  state.phaseFraction = 1;
  info.progress = 1;
}

export function markFailed(state: PlotState): void {
  if (state.info.status === 'running') state.info.status = 'failed';
}

/** Changes plotter while nothing has been timed yet (bladebit prints its mode after a shared banner). */
export function setPlotter(state: PlotState, plotter: PlotLogPlotter): void {
  const info = state.info;
  if (info.plotter === plotter || info.phase > 0) return;
  const fresh = emptyPlotLogInfo(plotter);
  info.plotter = plotter;
  info.phaseCount = fresh.phaseCount;
  info.phaseSeconds = fresh.phaseSeconds;
}

/**
 * Brings info.progress up to the phase and fraction reached. Called before info is handed out, not
 * per line: phase and fraction only grow, so the result only grows too.
 */
export function refreshProgress(state: PlotState): void {
  const info = state.info;
  if (info.status === 'finished') return;
  const weights = PHASE_WEIGHTS[info.plotter];
  let done = 0;
  for (let phase = 1; phase < info.phase; phase += 1) done += weights[phase - 1] ?? 0;
  const current = info.phase > 0 ? (weights[info.phase - 1] ?? 0) * state.phaseFraction : 0;
  const progress = Math.min(UNFINISHED_PROGRESS_CAP, done + current);
  if (progress > info.progress) info.progress = Math.round(progress * 1e6) / 1e6;
}

/** Adds a directory once (temp dirs repeat when tmp and tmp2 are the same). */
export function addTempDir(state: PlotState, dir: string): void {
  if (dir !== '' && !state.info.tempDirs.includes(dir)) state.info.tempDirs.push(dir);
}
