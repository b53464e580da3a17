// Parses a plotter's log (chiapos, madmax, bladebit RAM/disk/CUDA) into PlotLogInfo, whole or
// incrementally. A log with several plots (`-n` > 1) reports its LAST plot from info(); plots()
// lists them all. Progress never goes down while lines of one plot are appended; it starts again
// at 0 only when the log begins its next plot.
import { handleBladebitLine } from './bladebit.js';
import { handleChiaposBucket, handleChiaposLine } from './chiapos.js';
import { handleMadmaxLine } from './madmax.js';
import { copyPlotLogInfo, type PlotLogInfo, type PlotLogPlotter } from './plot-log-info.js';
import type { PlotContext, PlotLineHandler } from './plot-context.js';
import { markFailed, newPlotState, nextPlotState, refreshProgress, type PlotState } from './plot-state.js';

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
  [
    /^Bladebit Chia Plotter|^Creating \d+ plots:$|^\[Global Plotting Config\]|^Generating plot \d+|^Running Phase 1$/,
    'bladebit-ram',
  ],
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
  if (line.charCodeAt(0) === 91 /* [ */) {
    const prefix = WRAPPER_TIME.exec(line);
    if (prefix) line = line.slice(prefix[0].length);
  }
  // chia's plotter wrapper (plotters_util.py) passes the plotter's stderr on as `STDERR: <line>`
  if (line.startsWith('STDERR: ')) line = line.slice(8);
  return line;
}

export interface PlotLogParser {
  /**
   * Feeds text; complete lines are parsed now, a last line without newline waits for the rest. For a
   * growing log, push only the bytes added since the last read (decoded with a StringDecoder so a
   * character is never split): the cost is then per new line, not per file.
   */
  push(chunk: string): void;
  /** Parses a last line that has no newline (call when the text is all there). */
  end(): void;
  /** The last plot of the log (a copy). */
  info(): PlotLogInfo;
  /** Every plot of the log, oldest first (copies). */
  plots(): PlotLogInfo[];
}

const TAB = 9;
const BUCKET_PREFIX = '\tBucket ';

/** Reads the decimal number at `at` without slicing (bucket lines are most of a chiapos log). */
function readNumberAt(text: string, at: number): number {
  let value = 0;
  let digits = 0;
  for (let code = text.charCodeAt(at); code >= 48 && code <= 57; code = text.charCodeAt(at + ++digits)) {
    value = value * 10 + (code - 48);
  }
  return digits > 0 ? value : NaN;
}

class StreamingPlotLogParser implements PlotLogParser, PlotContext {
  plot: PlotState = newPlotState('unknown');
  readonly earlier: PlotState[] = [];
  private pending = '';

  startPlot(): PlotState {
    this.earlier.push(this.plot);
    this.plot = nextPlotState(this.plot);
    return this.plot;
  }

  push(chunk: string): void {
    const text = this.pending === '' ? chunk : this.pending + chunk;
    // Most text has no colours and no CRs: check the chunk once, not every line.
    const needsCleaning = text.includes('\x1b') || text.includes('\r') || text.includes('[');
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      if (
        text.charCodeAt(start) === TAB &&
        this.plot.info.plotter === 'chia' &&
        text.startsWith(BUCKET_PREFIX, start)
      ) {
        handleChiaposBucket(this.plot, readNumberAt(text, start + BUCKET_PREFIX.length));
      } else if (newline > start) {
        const raw = text.slice(start, newline);
        this.parseLine(needsCleaning ? cleanLogLine(raw) : raw);
      }
      start = newline + 1;
    }
    this.pending = text.slice(start);
  }

  end(): void {
    if (this.pending !== '') this.parseLine(cleanLogLine(this.pending));
    this.pending = '';
  }

  info(): PlotLogInfo {
    refreshProgress(this.plot);
    return copyPlotLogInfo(this.plot.info);
  }

  plots(): PlotLogInfo[] {
    return [...this.earlier, this.plot].map((state) => {
      refreshProgress(state);
      return copyPlotLogInfo(state.info);
    });
  }

  private parseLine(line: string): void {
    if (line === '') return;
    if (this.plot.info.plotter === 'unknown') this.detect(line);
    const handled = HANDLERS[this.plot.info.plotter](line, this);
    if (!handled && FAILURE_MARKERS.test(line)) markFailed(this.plot);
  }

  private detect(line: string): void {
    for (const [pattern, plotter] of DETECTORS) {
      if (pattern.test(line)) {
        this.plot.info = newPlotState(plotter).info;
        return;
      }
    }
  }
}

export function createPlotLogParser(): PlotLogParser {
  return new StreamingPlotLogParser();
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
