// What a plotter's line handler may touch: the plot being written and the plots before it.
import type { PlotState } from './plot-state.js';

export interface PlotContext {
  /** The plot the log is writing now (the last one). */
  readonly plot: PlotState;
  /** Plots finished or abandoned earlier in the same log (`-n` > 1), oldest first. */
  readonly earlier: readonly PlotState[];
  /** Starts the next plot of a `-n` run; it keeps the header values of the current one. */
  startPlot(): PlotState;
}

/** Returns true when the line was understood (so it is not checked for error markers). */
export type PlotLineHandler = (line: string, context: PlotContext) => boolean;

/** The plot a line names by its 64-hex id: the current one, an earlier one, or none. */
export function plotNamedIn(context: PlotContext, text: string): PlotState | null {
  const all = [context.plot, ...context.earlier];
  return all.find((state) => state.info.plotId !== null && text.includes(state.info.plotId)) ?? null;
}
