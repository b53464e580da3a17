import { formatBytes } from '../farm/disk-space.js';
import { formatGroupLine } from '../farm/format-group.js';
import { DEFAULT_JOB } from '../jobs/home-jobs.js';
import { formatDuration, formatUnixTime } from '../util/format-duration.js';
import { TIME_VALUES, type ConfigRow } from './list-config.js';
import type { Status } from './read-status.js';

const GIB = 1024 ** 3;

/** Rows of cells as aligned columns, the first row being the header. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const SHOWN_CONFIG = [
  'on_toggle',
  'max_plots',
  'plot_gap',
  'plot_poll',
  'load_max',
  'plotter',
  'k',
  'index',
  'last_start',
  'failures',
];

/** A value as a person reads it. */
export function showConfigValue(row: ConfigRow, nowMs: number): string {
  return TIME_VALUES.has(row.name) && typeof row.value === 'number'
    ? formatUnixTime(row.value, nowMs)
    : String(row.value);
}

export function formatStatus(status: Status, nowMs: number): string {
  const out: string[] = [`goplot home: ${status.home}`, ''];
  if (status.plots.length === 0) {
    out.push('running plots: none');
  } else {
    out.push(`running plots: ${status.plots.length}`);
    // a home without jobs keeps its table; the job column comes once a plot belongs to a named job
    const showJob = status.plots.some((plot) => plot.job !== DEFAULT_JOB);
    const jobCells = (cell: string) => (showJob ? [cell] : []);
    out.push(
      formatTable([
        ['index', ...jobCells('job'), 'pid', 'plotter', 'elapsed', 'phase', 'progress', 'temp', 'dest', 'log'],
        ...status.plots.map((plot) => [
          String(plot.index ?? '?'),
          ...jobCells(plot.job),
          String(plot.pid),
          plot.plotter,
          formatDuration(plot.elapsedSeconds),
          (plot.phase > 0 ? String(plot.phase) : '-') + (plot.suspended ? ' suspended' : ''),
          `${Math.floor(plot.progress * 100)}%`,
          plot.tempDir ?? '-',
          plot.destDir ?? '-',
          plot.logFile ?? '-',
        ]),
      ]),
    );
    for (const plot of status.plots) if (plot.group) out.push(`  ${formatGroupLine(plot.index, plot.group)}`);
  }
  out.push('', 'config:');
  const shown = status.config.filter((row) => SHOWN_CONFIG.includes(row.name));
  out.push(
    formatTable([
      ['name', 'value', 'source'],
      ...shown.map((row) => [
        row.name,
        showConfigValue(row, nowMs),
        row.error ? `${row.source} (file invalid)` : row.source,
      ]),
    ]),
  );
  const errors = status.config.filter((row) => row.error);
  for (const row of errors) out.push(`  ! ${row.error}`);
  out.push('', status.disks.length === 0 ? 'disks: none found' : `disks: ${status.disks.length}`);
  if (status.disks.length > 0) {
    out.push(
      formatTable([
        ['farm', 'disk', 'state', 'free', 'used+committed', 'plot files'],
        ...status.disks.map((disk) => [
          disk.farm,
          disk.disk,
          disk.state,
          // as goplot view shows it; '-' when not read (not mounted, no plots/ or logs/, no answer)
          disk.freeBytes === null ? '-' : formatBytes(disk.freeBytes),
          disk.kib === null ? '-' : `${((disk.kib * 1024) / GIB).toFixed(1)} GiB`,
          disk.plots === null ? '-' : String(disk.plots),
        ]),
      ]),
    );
    for (const disk of status.disks)
      for (const problem of disk.problems) out.push(`  ! ${disk.farm}/${disk.disk}: ${problem}`);
  }
  if (status.archive.length > 0) out.push('', ...status.archive);
  return out.join('\n');
}
