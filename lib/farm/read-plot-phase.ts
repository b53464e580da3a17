import fs from 'node:fs';
import { parsePlotLog } from '../plot-log/parse-plot-log.js';

export interface PlotProgress {
  phase: number;
  progress: number;
  /** Seconds of each phase the log says is done (null for the others). */
  phaseSeconds: (number | null)[];
}

/**
 * Phase and progress of a running plot from its log. A log is re-read whole: a finished chiapos
 * log is ~2,600 lines and parses in about a millisecond, so a cache would be more state than speed.
 */
export function readPlotProgress(logFile: string): PlotProgress {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return { phase: 0, progress: 0, phaseSeconds: [] };
  }
  const info = parsePlotLog(text);
  return { phase: info.phase, progress: info.progress, phaseSeconds: info.phaseSeconds };
}

export function readPlotPhase(logFile: string): number {
  return readPlotProgress(logFile).phase;
}
