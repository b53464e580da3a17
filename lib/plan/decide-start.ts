/** Everything the loop's decision depends on, read fresh before each decision. */
export interface LoopSnapshot {
  nowMs: number;
  loopStartedMs: number;
  onToggle: string;
  maxPlots: number;
  loadMax: number;
  plotGap: number;
  initialDelay: number;
  load5: number;
  load15: number;
  lastStart: number;
  failures: number;
  lastFail: number;
  backoffBase: number;
  backoffMax: number;
  /** Phase of each running plot (0 when its log does not say yet). */
  runningPhases: number[];
  pendingTractors: number;
  startEarlyPhase: number;
  maxPhase1: number;
  /** Running plots in phase 1 that are suspended: they do not count toward max_phase1. */
  suspendedInPhase1?: number;
}

export type Decision =
  { start: true; key: 'start'; reason: string } | { start: false; key: string; reason: string; retryAtMs?: number };

/** Seconds to wait after `failures` failed plots in a row: base, doubled each time, capped. */
export function backoffSeconds(failures: number, base: number, max: number): number {
  if (failures <= 0) return 0;
  return Math.min(max, base * 2 ** Math.min(failures - 1, 30));
}

type Wait = Extract<Decision, { start: false }>;

/**
 * goplot's rule (on, under max_plots, load under load_max, plot_gap passed) and the phase-aware
 * limits. Pure, so every branch is tested with fixed clocks; the disk and temp checks that need
 * I/O come after it in the loop.
 */
export function decideStart(s: LoopSnapshot): Decision {
  const nowS = s.nowMs / 1000;
  const notYet = checkToggleAndDelay(s);
  if (notYet) return notYet;
  const early = s.startEarlyPhase > 0 ? s.runningPhases.filter((phase) => phase >= s.startEarlyPhase).length : 0;
  const counted = s.runningPhases.length - early + s.pendingTractors;
  const full = checkPlotLimits(s, early, counted);
  if (full) return full;
  const load = (s.load5 + s.load15) / 2;
  if (load > s.loadMax) {
    return { start: false, key: 'load', reason: `load ${load.toFixed(2)} is above load_max ${s.loadMax}` };
  }
  // a time in the future (the clock was set back) counts as now: at most one gap or back-off to wait
  const lastStart = Math.min(s.lastStart, nowS);
  const waiting = checkTimers(s, nowS, lastStart);
  if (waiting) return waiting;
  const since = lastStart > 0 ? `, ${Math.floor(nowS - lastStart)} s since the last start` : '';
  return {
    start: true,
    key: 'start',
    reason: `${counted}/${s.maxPlots} plots running, load ${load.toFixed(2)} <= ${s.loadMax}${since}`,
  };
}

/** The switch and the start-up delay: whether the loop may plot at all yet. */
function checkToggleAndDelay(s: LoopSnapshot): Wait | undefined {
  if (s.onToggle !== 'run') {
    return {
      start: false,
      key: `toggle:${s.onToggle}`,
      reason: `on_toggle is ${JSON.stringify(s.onToggle)}, not "run" (echo run > config/on_toggle.goplot to start)`,
    };
  }
  const delayEndsMs = s.loopStartedMs + s.initialDelay * 1000;
  if (s.nowMs < delayEndsMs) {
    return {
      start: false,
      key: 'initial_delay',
      reason: `initial_delay: ${Math.ceil((delayEndsMs - s.nowMs) / 1000)} s left`,
      retryAtMs: delayEndsMs,
    };
  }
  return undefined;
}

/** The limits on how many plots run: max_plots (start-early phases not counted), tractors still starting, max_phase1. */
function checkPlotLimits(s: LoopSnapshot, early: number, counted: number): Wait | undefined {
  if (counted >= s.maxPlots) {
    const note = early > 0 ? ` (${early} more past phase ${s.startEarlyPhase} not counted)` : '';
    return {
      start: false,
      key: `max_plots:${counted}/${s.maxPlots}:${early}`,
      reason: `${counted}/${s.maxPlots} plots running${note} (max_plots)`,
    };
  }
  if (s.pendingTractors > 0) {
    // One tractor at a time chooses its temp dir and disk: the next sees its plot in /proc
    // (max_per_temp, start-early phases) instead of racing it. It takes about a second.
    const n = s.pendingTractors;
    return {
      start: false,
      key: 'pending',
      reason: `${n} tractor${n === 1 ? ' is' : 's are'} still starting a plot`,
      retryAtMs: s.nowMs + 1000,
    };
  }
  if (s.maxPhase1 > 0) {
    const inPhase1 = s.runningPhases.filter((phase) => phase <= 1).length - (s.suspendedInPhase1 ?? 0);
    if (inPhase1 >= s.maxPhase1) {
      return {
        start: false,
        key: `max_phase1:${inPhase1}/${s.maxPhase1}`,
        reason: `${inPhase1} plot${inPhase1 === 1 ? '' : 's'} in phase 1 (max_phase1 ${s.maxPhase1})`,
      };
    }
  }
  return undefined;
}

/** The clocks between starts: plot_gap since the last start, back-off after failures in a row. */
function checkTimers(s: LoopSnapshot, nowS: number, lastStart: number): Wait | undefined {
  const lastFail = Math.min(s.lastFail, nowS);
  const gapEnds = lastStart + s.plotGap;
  if (nowS < gapEnds) {
    return {
      start: false,
      key: 'plot_gap',
      reason: `plot_gap: ${Math.ceil(gapEnds - nowS)} s left`,
      retryAtMs: gapEnds * 1000,
    };
  }
  const backoffEnds = lastFail + backoffSeconds(s.failures, s.backoffBase, s.backoffMax);
  if (s.failures > 0 && nowS < backoffEnds) {
    return {
      start: false,
      key: `backoff:${s.failures}`,
      reason: `backing off after ${s.failures} failed plot${s.failures === 1 ? '' : 's'} in a row: ${Math.ceil(backoffEnds - nowS)} s left`,
      retryAtMs: backoffEnds * 1000,
    };
  }
  return undefined;
}
