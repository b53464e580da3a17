// Plain-text tables for `goplot analyze` (aligned columns, no colours: it ends up in mails and cron logs).
import { formatDuration } from '../util/format-duration.js';
import type { AnalysisResult, PlotListing, PlotTimeGroup, TimeStats } from './analyze-plot-logs.js';

type Align = 'left' | 'right';

export function formatTable(headers: string[], rows: string[][], align: Align[]): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (align[column] === 'right' ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

const seconds = (value: number | null) => (value === null ? '-' : formatDuration(value));
const mean = (stats: TimeStats) => seconds(stats.mean);

/** Local `YYYY-MM-DD HH:MM`. */
function localTime(iso: string | null): string {
  if (iso === null) return '-';
  const date = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

function timesTable(title: string, column: string, groups: PlotTimeGroup[]): string[] {
  if (groups.length === 0) return [];
  const rows = groups.map((group) => [
    group.key,
    String(group.plots),
    ...group.phases.map(mean),
    mean(group.total),
    seconds(group.total.min),
    seconds(group.total.max),
  ]);
  const headers = [column, 'plots', 'phase 1', 'phase 2', 'phase 3', 'phase 4', 'total mean', 'total min', 'total max'];
  return ['', title, ...formatTable(headers, rows, ['left', ...new Array<Align>(8).fill('right')])];
}

function listingTable(title: string, listings: PlotListing[]): string[] {
  if (listings.length === 0) return [];
  const rows = listings.map((plot) => [
    plot.index === null ? '-' : String(plot.index),
    plot.destination,
    plot.plotter,
    `${plot.phase}/${plot.phaseCount}`,
    `${(plot.progress * 100).toFixed(1)}%`,
    localTime(plot.startedAt),
    localTime(plot.lastModified),
    plot.file,
  ]);
  const headers = ['index', 'destination', 'plotter', 'phase', 'progress', 'started', 'last write', 'log'];
  return [
    '',
    title,
    ...formatTable(headers, rows, ['right', 'left', 'left', 'right', 'right', 'left', 'left', 'left']),
  ];
}

export function formatAnalysis(result: AnalysisResult): string {
  const { counts } = result;
  const lines = [
    `${counts.plots} plots in ${counts.logs} logs: ${counts.finished} finished, ${counts.running} running, ` +
      `${counts.failed} failed, ${counts.unfinished} unfinished`,
  ];
  if (result.since !== null) {
    lines.push(`since ${localTime(result.since)}; ${counts.beforeSince} plots started before that are left out`);
  }
  if (counts.finished === 0) lines.push('', 'No finished plots to time.');
  lines.push(...timesTable('Mean times of finished plots, by plotter', 'plotter', result.byPlotter));
  lines.push(...timesTable('By temp dir (a plot counts under each temp dir it used)', 'temp dir', result.byTempDir));
  lines.push(...timesTable('By destination disk', 'destination', result.byDestination));
  // a home without jobs has one job, default: its table would repeat the totals
  if (result.byJob.some((group) => group.key !== 'default')) lines.push(...timesTable('By job', 'job', result.byJob));
  if (result.perDay.length > 0) {
    const rows = result.perDay.map((day) => [day.day, String(day.plots)]);
    lines.push('', 'Plots finished per day', ...formatTable(['day', 'plots'], rows, ['left', 'right']));
  }
  lines.push(...listingTable('Failed plots (the log shows an error)', result.failed));
  lines.push(...listingTable('Unfinished plots (stopped without finishing)', result.unfinished));
  lines.push(...listingTable('Running plots', result.running));
  if (result.problems.length > 0) lines.push('', 'Problems', ...result.problems.map((problem) => `- ${problem}`));
  return `${lines.join('\n')}\n`;
}
