// Apart from run-chia.ts so a collector can read its options without loading execa.
/** `30`, `30s`, `1.5s` or `500ms` (a bare number is seconds, as in a crontab-minded config) → ms; null if invalid. */
export function parseTimeout(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(text);
  if (!match) return null;
  const ms = match[2] === 'ms' ? Number(match[1]) : Number(match[1]) * 1000;
  return ms >= 1 && ms <= 3_600_000 ? Math.round(ms) : null;
}
