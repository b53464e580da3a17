// Parses a plotter's log (chiapos, madmax, bladebit RAM/disk/CUDA) into PlotLogInfo, whole or
// incrementally. A log with several plots (`-n` > 1) reports its LAST plot from info(); plots()
// lists them all. Progress never goes down while lines of one plot are appended; it starts again
// at 0 only when the log begins its next plot.
import { handleBladebitLine } from './bladebit.js';
import { handleChiaposLine } from './chiapos.js';
import { handleMadmaxLine } from './madmax.js';
import { copyPlotLogInfo, type PlotLogInfo, type PlotLogPlotter } from './plot-log-info.js';
import type { PlotContext, PlotLineHandler } from './plot-context.js';
import { markFailed, newPlotState, nextPlotState, type PlotState } from './plot-state.js';

export type { PlotLogInfo, PlotLogPlotter, PlotLogStatus } from './plot-log-info.js';
export { PHASE_WEIGHTS, UNFINISHED_PROGRESS_CAP } from './plot-state.js';

/** The first line that only one plotter prints decides the format. */
const DETECTORS: [RegExp, PlotLogPlotter][] = [
  [/Creating \d+ plots of size \d+|^Starting plotting progress into temporary dirs: |^Starting phase 1\/4: /, 'chia'],
  [/^ID: [0-9a-f]{64}$|^Plot size is: \d+$|^Using \d+ buckets$/, 'chia'],
  [/^Multi-threaded pipelined Chia k\d+ plotter|^Crafting plot \d+ out of|^Number of Threads: \d+$/, 'madmax'],
  [/^Number of Buckets|^Plot Name: plot-|^\[P1\] Table \d|^Final Directory: /, 'madmax'],
  [/^\[Bladebit Disk Plotter\]/, 'bladebit-disk'],
  [/^\[Bladebit CUDA Plotter\]|^Plot temporary file: |^Generating F1$/, 'bladebit-cuda'],
  [/^Bladebit Chia Plotter|^Creating \d+ plots:$|^\[Global Plotting Config\]|^Generating plot \d+|^Running Phase 1$/, 'bladebit-ram'],
];

const HANDLERS: Record<PlotLogPlotter, PlotLineHandler> = {
  chia: handleChiaposLine,
  madmax: handleMadmaxLine,
  'bladebit-ram': handleBladebitLine,
  'bladebit-disk': handleBladebitLine,
  'bladebit-cuda': handleBladebitLine,
  unknown: () => false,
};

/**
 * Lines that mean the plotter died: a Python traceback or exception (chiapos), an uncaught C++
 * exception or abort (madmax, bladebit), bladebit's fatal errors, a full disk.
 */
const FAILURE_MARKERS =
  /^Traceback \(most recent call last\)|^terminate called|^(?:[\w.]+\.)?\w*(?:Error|Exception)(?: \[[^\]]*\])?:|^Aborted\b|\(core dumped\)|^Segmentation fault|^Killed$|Fatal [Ee]rror|^Caught plotting error/;

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPES = /\x1b\[[0-9;]*[A-Za-z]/g;
/** `chia plotters …` and the chia GUI prefix plotter lines with `[Sep 24 10:50:53] `. */
const WRAPPER_TIME = /^\[\w{3} +\d{1,2} \d\d:\d\d:\d\d\] /;

export function cleanLogLine(raw: string): string {
  let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.includes('\x1b')) line = line.replace(ANSI_ESCAPES, '');
  if (line.charCodeAt(0) === 91 /* [ */ && WRAPPER_TIME.test(line)) line = line.replace(WRAPPER_TIME, '');
  return line;
}

export interface PlotLogParser {
  /** Feeds text; complete lines are parsed now, a last line without newline waits for the rest. */
  push(chunk: string): void;
  /** Parses a last line that has no newline (call when the text is all there). */
  end(): void;
  /** The last plot of the log (a copy). */
  info(): PlotLogInfo;
  /** Every plot of the log, oldest first (copies). */
  plots(): PlotLogInfo[];
}

export function createPlotLogParser(): PlotLogParser {
  let current: PlotState = newPlotState('unknown');
  const earlier: PlotState[] = [];
  let pending = '';
  const context: PlotContext = {
    get plot() {
      return current;
    },
    earlier,
    startPlot() {
      earlier.push(current);
      current = nextPlotState(current);
      return current;
    },
  };

  function detect(line: string): void {
    for (const [pattern, plotter] of DETECTORS) {
      if (pattern.test(line)) {
        const fresh = newPlotState(plotter);
        current.info = fresh.info;
        return;
      }
    }
  }

  function parseLine(raw: string): void {
    const line = cleanLogLine(raw);
    if (line === '') return;
    if (current.info.plotter === 'unknown') detect(line);
    const handled = HANDLERS[current.info.plotter](line, context);
    if (!handled && FAILURE_MARKERS.test(line)) markFailed(current);
  }

  return {
    push(chunk) {
      const text = pending + chunk;
      let start = 0;
      for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
        parseLine(text.slice(start, newline));
        start = newline + 1;
      }
      pending = text.slice(start);
    },
    end() {
      if (pending !== '') parseLine(pending);
      pending = '';
    },
    info: () => copyPlotLogInfo(current.info),
    plots: () => [...earlier, current].map((state) => copyPlotLogInfo(state.info)),
  };
}

/** The last plot of a whole log text. */
export function parsePlotLog(text: string): PlotLogInfo {
  const parser = createPlotLogParser();
  parser.push(text);
  parser.end();
  return parser.info();
}

/** Every plot of a whole log text (one per `-n` run), oldest first. */
export function parsePlotLogPlots(text: string): PlotLogInfo[] {
  const parser = createPlotLogParser();
  parser.push(text);
  parser.end();
  return parser.plots();
}
