// The parsed view of one plot in a plotter's log, shared by every plotter's line handler.

export type PlotLogPlotter = 'chia' | 'madmax' | 'bladebit-ram' | 'bladebit-disk' | 'bladebit-cuda' | 'unknown';
export type PlotLogStatus = 'finished' | 'running' | 'failed';

export interface PlotLogInfo {
  plotter: PlotLogPlotter;
  plotId: string | null;
  /** `plot-k32-YYYY-MM-DD-HH-MM-<id>` (with `-cNN` when compressed), without `.plot`. */
  plotName: string | null;
  k: number | null;
  buckets: number | null;
  threads: number | null;
  tempDirs: string[];
  destDir: string | null;
  /** Current phase 1..phaseCount; the last phase when finished; 0 before phase 1. */
  phase: number;
  /** 4, or 3 for bladebit diskplot. */
  phaseCount: number;
  /** 0..1, never goes down as lines are appended to one plot; 1 only when finished. */
  progress: number;
  /** Seconds of each finished phase, null for phases not finished. */
  phaseSeconds: (number | null)[];
  totalSeconds: number | null;
  /** From the log when it says (chiapos phase-1 start line, the plot name's date), as local time. */
  startedAt: Date | null;
  /** 'failed' when the log shows an error marker; the caller turns 'running' into 'unfinished'. */
  status: PlotLogStatus;
  finalFile: string | null;
}

export function emptyPlotLogInfo(plotter: PlotLogPlotter = 'unknown'): PlotLogInfo {
  const phaseCount = plotter === 'bladebit-disk' ? 3 : 4;
  return {
    plotter,
    plotId: null,
    plotName: null,
    k: null,
    buckets: null,
    threads: null,
    tempDirs: [],
    destDir: null,
    phase: 0,
    phaseCount,
    progress: 0,
    phaseSeconds: new Array<number | null>(phaseCount).fill(null),
    totalSeconds: null,
    startedAt: null,
    status: 'running',
    finalFile: null,
  };
}

/** A deep copy, so callers may keep or change an info without touching the parser's state. */
export function copyPlotLogInfo(info: PlotLogInfo): PlotLogInfo {
  return {
    ...info,
    tempDirs: [...info.tempDirs],
    phaseSeconds: [...info.phaseSeconds],
    startedAt: info.startedAt ? new Date(info.startedAt.getTime()) : null,
  };
}
