/** `1h 02m 03s`, `4m 05s`, `7s`: short enough for a log line, exact to the second. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2025-06-01 14:05:09` in local time. */
export function formatDateTime(ms: number): string {
  const date = new Date(ms);
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/** A Unix-seconds value file (last_start, last_fail) as a person reads it: `2025-06-01 14:05:09 (4m 05s ago)`, `never` for 0. */
export function formatUnixTime(seconds: number, nowMs: number): string {
  if (seconds <= 0) return 'never';
  const ageSeconds = Math.round(nowMs / 1000 - seconds);
  const age = ageSeconds >= 0 ? `${formatDuration(ageSeconds)} ago` : `in ${formatDuration(-ageSeconds)}`;
  return `${formatDateTime(seconds * 1000)} (${age})`;
}
