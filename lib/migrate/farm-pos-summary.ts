import type { PlotFileFacts } from '../plot-file/read-plot-file.js';
import { plotEffectiveBytes } from './phaseout.js';

/** Plots of one proof of space: how many, their bytes on disk, and what chia counts them for at weight 1. */
export interface PosTally {
  plots: number;
  bytes: number;
  effectiveBytes: number;
  /** Plots by k (`{ 32: 900 }`): the pos2 k the plan assumes is the farm's most common one. */
  byK: Record<number, number>;
}

/** All the migration plan needs of a farm: its plots by pos, and when its pos2 plots landed. */
export interface FarmPosSummary {
  pos1: PosTally;
  pos2: PosTally;
  /** pos2 plots landed (by mtime) per UTC day, `YYYY-MM-DD` to a count; days with none may be absent. */
  pos2LandedByDay: Record<string, number>;
}

export function emptyTally(): PosTally {
  return { plots: 0, bytes: 0, effectiveBytes: 0, byK: {} };
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds one plot to its pos's tally and, for pos2, to the day it landed. */
export function addPlot(summary: FarmPosSummary, pos: 1 | 2, k: number, bytes: number, mtimeMs: number): void {
  const tally = pos === 1 ? summary.pos1 : summary.pos2;
  tally.plots += 1;
  tally.bytes += bytes;
  tally.effectiveBytes += plotEffectiveBytes(pos, k);
  tally.byK[k] = (tally.byK[k] ?? 0) + 1;
  if (pos === 2) {
    const day = utcDay(mtimeMs);
    summary.pos2LandedByDay[day] = (summary.pos2LandedByDay[day] ?? 0) + 1;
  }
}

/**
 * The summary from plot files' facts. Files whose header is not read (invalid, unreadable, `.gplot`
 * group files, whose format is not published) count for neither pos.
 */
export function summarizePlotFacts(facts: readonly PlotFileFacts[]): FarmPosSummary {
  const summary: FarmPosSummary = { pos1: emptyTally(), pos2: emptyTally(), pos2LandedByDay: {} };
  for (const plot of facts) {
    if (plot.ok) addPlot(summary, plot.header.pos, plot.header.k, plot.sizeBytes, plot.mtimeMs);
  }
  return summary;
}
