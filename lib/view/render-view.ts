import { formatBytes } from '../farm/disk-space.js';
import { DEFAULT_JOB } from '../jobs/home-jobs.js';
import { formatDuration } from '../util/format-duration.js';
import type { ViewDisk, ViewModel, ViewPlot } from './read-view-model.js';
import { formatGroupLine } from '../farm/format-group.js';
import {
  alignColumns,
  cutToWidth,
  drawProgressBar,
  formatClock,
  formatDateTime,
  sanitizeText,
  type Column,
} from './screen-text.js';

export interface RenderOptions {
  /** The live screen: the title says how to leave. */
  live?: boolean;
}

const PLOT_COLUMNS: Column[] = [
  { header: '#', align: 'right' },
  { header: 'plotter' },
  { header: 'k', align: 'right' },
  { header: 'started' },
  { header: 'elapsed', align: 'right' },
  { header: 'phase', align: 'right' },
  { header: 'progress' },
  { header: 'temp' },
  { header: 'dest' },
  { header: 'pid', align: 'right' },
  { header: 'memory', align: 'right' },
];
const MIN_BAR = 10;
const MAX_BAR = 30;
const DISK_GAP = '    ';

function plotCells(plot: ViewPlot, nowMs: number): string[] {
  return [
    plot.index === null ? '?' : String(plot.index),
    plot.plotter,
    String(plot.k),
    formatClock(plot.startedAtMs, nowMs),
    formatDuration(plot.elapsedSeconds),
    plot.phase > 0 ? String(plot.phase) : '-',
    '', // the bar, drawn once its width is known
    plot.tempDir ?? '-',
    plot.destination ?? '-',
    String(plot.pid),
    formatBytes(plot.rssBytes),
  ].map(sanitizeText);
}

/** Columns a narrow screen gives up first, so the row keeps what a farmer looks for: progress and where. */
const DROP_ORDER = ['phase times', 'started', 'k', 'pid', 'temp', 'memory', 'plotter'];

function tableWithBar(columns: Column[], rows: string[][], progress: number[], width: number): string[] {
  const at = columns.findIndex((column) => column.header === 'progress');
  const others = alignColumns(
    columns,
    rows.map((row) => row.map((cell, i) => (i === at ? '' : cell))),
  );
  // the empty progress column is as wide as its header; the bar's cell is `[` bar `] 100%`
  const withoutProgress = Math.max(...others.map((line) => line.length)) - 'progress'.length;
  const barWidth = Math.max(MIN_BAR, Math.min(MAX_BAR, width - withoutProgress - '[] 100%'.length));
  return alignColumns(
    columns,
    rows.map((row, r) => row.map((cell, i) => (i === at ? drawProgressBar(progress[r]!, barWidth) : cell))),
  );
}

/**
 * The table with the bar as wide as the screen allows (10..30); when even the shortest bar does
 * not fit, whole columns go (DROP_ORDER) rather than the row being cut mid-path.
 */
const JOB_COLUMN: Column = { header: 'job' };
const PHASES_COLUMN: Column = { header: 'phase times' };
const ETA_COLUMN: Column = { header: 'eta', align: 'right' };
const STATE_COLUMN: Column = { header: 'state' };

/** Each finished phase's time, then the running phase's time so far with a `+`. */
function phaseTimes(plot: ViewPlot): string {
  const done = (plot.phaseSeconds ?? []).filter((seconds): seconds is number => seconds !== null);
  const current = Math.max(0, plot.elapsedSeconds - done.reduce((sum, seconds) => sum + seconds, 0));
  return [...done.map(formatDuration), `${formatDuration(current)}+`].join(' ');
}

/**
 * Columns that come only when they say something, so a home without jobs, finished plots or
 * suspended plots looks as before: the job second, phase times and ETA after dest once a phase
 * is done or a mean is known, the state (suspended) before the pid.
 */
function withJobs(plots: ViewPlot[]): { columns: Column[]; rows: (nowMs: number) => string[][] } {
  const showJob = plots.some((plot) => plot.job !== undefined && plot.job !== DEFAULT_JOB);
  const showPhases = plots.some((plot) => (plot.phaseSeconds ?? []).some((seconds) => seconds !== null));
  const showEta = plots.some((plot) => plot.etaSeconds !== undefined && plot.etaSeconds !== null);
  const showState = plots.some((plot) => plot.suspended === true);
  const destAt = PLOT_COLUMNS.findIndex((column) => column.header === 'dest') + 1;
  const columns = [
    PLOT_COLUMNS[0]!,
    ...(showJob ? [JOB_COLUMN] : []),
    ...PLOT_COLUMNS.slice(1, destAt),
    ...(showPhases ? [PHASES_COLUMN] : []),
    ...(showEta ? [ETA_COLUMN] : []),
    ...(showState ? [STATE_COLUMN] : []),
    ...PLOT_COLUMNS.slice(destAt),
  ];
  return {
    columns,
    rows: (nowMs) =>
      plots.map((plot) => {
        const cells = plotCells(plot, nowMs);
        return [
          cells[0]!,
          ...(showJob ? [sanitizeText(plot.job ?? DEFAULT_JOB)] : []),
          ...cells.slice(1, destAt),
          ...(showPhases ? [phaseTimes(plot)] : []),
          ...(showEta
            ? [plot.etaSeconds === null || plot.etaSeconds === undefined ? '-' : `~${formatDuration(plot.etaSeconds)}`]
            : []),
          ...(showState ? [plot.suspended ? 'suspended' : ''] : []),
          ...cells.slice(destAt),
        ];
      }),
  };
}

function plotTable(plots: ViewPlot[], nowMs: number, width: number): { lines: string[]; hidden: string[] } {
  const table = withJobs(plots);
  const rows = table.rows(nowMs);
  const progress = plots.map((plot) => plot.progress);
  const hidden: string[] = [];
  for (;;) {
    const keep = table.columns
      .map((column, i) => ({ column, i }))
      .filter(({ column }) => !hidden.includes(column.header));
    const lines = tableWithBar(
      keep.map(({ column }) => column),
      rows.map((row) => keep.map(({ i }) => row[i]!)),
      progress,
      width,
    );
    const fits = lines.every((line) => Array.from(line).length <= width);
    // only the columns this table has: a note never names one that was not there
    const order = DROP_ORDER.filter((header) => table.columns.some((column) => column.header === header));
    if (fits || hidden.length === order.length) return { lines, hidden };
    hidden.push(order[hidden.length]!);
  }
}

function diskCells(disks: ViewDisk[]): string[] {
  const names = disks.map((disk) => sanitizeText(`${disk.farm}/${disk.disk}`));
  const frees = disks.map((disk) => (disk.freeBytes === null ? '-' : `${formatBytes(disk.freeBytes)} free`));
  const nameWidth = Math.max(...names.map((name) => name.length));
  const stateWidth = Math.max(...disks.map((disk) => disk.state.length));
  const freeWidth = Math.max(...frees.map((free) => free.length));
  return disks.map(
    (disk, i) => `${names[i]!.padEnd(nameWidth)}  ${disk.state.padEnd(stateWidth)}  ${frees[i]!.padStart(freeWidth)}`,
  );
}

/** Disks as cells in columns (down, then across, like ls), since a farm may have dozens. */
function diskGrid(disks: ViewDisk[], width: number, maxRows: number): string[] {
  if (disks.length === 0) return [];
  const cells = diskCells(disks);
  const cellWidth = cells[0]!.length;
  const columns = Number.isFinite(width)
    ? Math.max(1, Math.floor((width + DISK_GAP.length) / (cellWidth + DISK_GAP.length)))
    : 1;
  let rows = Math.ceil(cells.length / columns);
  let shown = cells.length;
  if (rows > maxRows) {
    rows = Math.max(0, maxRows - 1);
    shown = rows * columns;
  }
  const lines: string[] = [];
  for (let row = 0; row < rows; row++) {
    const line: string[] = [];
    for (let column = 0; column < columns; column++) {
      const at = column * rows + row;
      if (at < shown) line.push(cells[at]!);
    }
    lines.push(line.join(DISK_GAP).trimEnd());
  }
  if (shown < cells.length) lines.push(`… ${cells.length - shown} more disks`);
  return lines;
}

function diskSummary(disks: ViewDisk[]): string {
  if (disks.length === 0) return 'disks: none found under farm_root';
  const counts = new Map<string, number>();
  for (const disk of disks) counts.set(disk.state, (counts.get(disk.state) ?? 0) + 1);
  const free = disks.reduce((sum, disk) => sum + (disk.state === 'ok' ? (disk.freeBytes ?? 0) : 0), 0);
  const states = [...counts.entries()].map(([state, count]) => `${count} ${state}`).join(', ');
  return `disks: ${disks.length} (${states}), ${formatBytes(free)} free on the ok ones`;
}

function headerLines(model: ViewModel, options: RenderOptions): string[] {
  const title = `goplot view  ${model.host}  ${formatDateTime(model.nowMs)}  home ${model.home}${options.live ? '  (q quits)' : ''}`;
  const { loop } = model;
  let loopText: string;
  if (loop.running)
    loopText = `loop: running, pid ${loop.pid}${loop.startedAtMs === null ? '' : ` since ${formatClock(loop.startedAtMs, model.nowMs)}`}`;
  else if (loop.pid !== null) loopText = `loop: not running (logs/goplot.pid names pid ${loop.pid}, which is gone)`;
  else loopText = 'loop: not running (npm start, or node scripts/goplot.js)';
  const [load1, load5, load15] = model.load;
  const load = (load5 + load15) / 2;
  let next: string;
  if (model.next.start)
    next = `next plot: can start now: ${model.next.reason}${loop.running ? '' : ', but no loop is running to start it'}`;
  else
    next = `next plot: waits: ${model.next.reason}${model.next.retryAtMs === null ? '' : ` (until ${formatClock(model.next.retryAtMs, model.nowMs)})`}`;
  return [
    title,
    `${loopText}   on_toggle: ${model.onToggle}   plots: ${model.plots.length} of max_plots ${model.maxPlots}`,
    `load: ${load.toFixed(2)} of load_max ${model.loadMax}   ((load5 + load15) / 2; 1m ${load1.toFixed(2)}, 5m ${load5.toFixed(2)}, 15m ${load15.toFixed(2)})`,
    next,
    ...model.problems.map((problem) => `! ${problem}`),
  ].map(sanitizeText);
}

/**
 * The screen as lines, none wider than `width` and no more than `height` of them (Infinity: the
 * whole thing, for a pipe). Plots come first; when the screen is short the rest are counted.
 */
export function renderView(model: ViewModel, width: number, height: number, options: RenderOptions = {}): string[] {
  const header = headerLines(model, options);
  const table = model.plots.length === 0 ? { lines: [], hidden: [] } : plotTable(model.plots, model.nowMs, width);
  const plotLines = table.lines;
  const hiddenNote = table.hidden.length === 0 ? '' : ` (too narrow for: ${table.hidden.join(', ')})`;
  const plotTitle =
    model.plots.length === 0 ? 'plots: none running' : `plots: ${model.plots.length} running${hiddenNote}`;
  const groups = model.plots.flatMap((plot) => (plot.group ? [formatGroupLine(plot.index, plot.group)] : []));
  const archive = [...groups, ...(model.archive?.length ? ['', ...model.archive] : [])];
  const fixed = header.length + 1 + 1 + (plotLines.length > 0 ? 1 : 0) + 1 + 1 + archive.length;
  const room = Math.max(0, height - fixed);

  const plotRowsWanted = model.plots.length;
  const diskRowsAtMost = diskGrid(model.disks, width, Infinity).length;
  const diskFloor = Math.min(diskRowsAtMost, 2);
  const plotRows = Math.min(plotRowsWanted, Math.max(1, room - diskFloor));
  const diskRows = Math.max(1, room - plotRows);

  const shownPlots = [...plotLines.slice(0, 1)];
  if (plotRows >= plotRowsWanted) shownPlots.push(...plotLines.slice(1));
  else {
    shownPlots.push(...plotLines.slice(1, plotRows));
    shownPlots.push(`… ${plotRowsWanted - (plotRows - 1)} more plots`);
  }
  const lines = [
    ...header,
    '',
    plotTitle,
    ...shownPlots,
    ...archive,
    '',
    diskSummary(model.disks),
    ...diskGrid(model.disks, width, diskRows),
  ];
  return lines
    .slice(0, Number.isFinite(height) ? Math.max(0, height) : lines.length)
    .map((line) => cutToWidth(line, width).trimEnd());
}
