import { formatDateTime } from '../util/format-duration.js';

export { formatDateTime };

/**
 * Control characters in a path or a log-derived string could move the cursor or switch the
 * terminal's mode; on screen they become `?`.
 */
export function sanitizeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** At most `width` characters (code points), so a line never wraps; Infinity leaves it whole. */
export function cutToWidth(line: string, width: number): string {
  if (!Number.isFinite(width)) return line;
  const chars = Array.from(line);
  return chars.length <= width ? line : chars.slice(0, Math.max(0, width)).join('');
}

/** `[#########.........]  45%` in plain characters, which every terminal and SSH client shows. */
export function drawProgressBar(ratio: number, barWidth: number): string {
  const clamped = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
  const filled = Math.floor(clamped * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${String(Math.floor(clamped * 100)).padStart(3)}%`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `14:05:09` today, `06-01 14:05` on another day (local time, as the farmer's clock shows it). */
export function formatClock(ms: number, nowMs: number): string {
  const date = new Date(ms);
  const today = new Date(nowMs);
  const sameDay =
    date.getFullYear() === today.getFullYear() &&
    date.getMonth() === today.getMonth() &&
    date.getDate() === today.getDate();
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  return sameDay
    ? `${time}:${pad2(date.getSeconds())}`
    : `${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${time}`;
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** Cells aligned under their headers, two spaces apart, trailing spaces trimmed. */
export function alignColumns(columns: Column[], rows: string[][]): string[] {
  const all = [columns.map((column) => column.header), ...rows];
  const widths = columns.map((_, i) => Math.max(...all.map((row) => Array.from(row[i] ?? '').length)));
  return all.map((row) =>
    row
      .map((cell, i) => {
        const padding = ' '.repeat(widths[i]! - Array.from(cell).length);
        return columns[i]!.align === 'right' ? padding + cell : cell + padding;
      })
      .join('  ')
      .trimEnd(),
  );
}
