/**
 * Numbers and sizes as the chia CLI prints them. chia's format_bytes uses binary units
 * (MiB … YiB, 3 decimals) and 2.x appends `e` for effective sizes (`168.835 TiBe`).
 * Python prints small floats in scientific notation (`1.75e-05`), so numbers accept an exponent.
 */

const BINARY_POWER: Record<string, number> = { B: 0, KIB: 1, MIB: 2, GIB: 3, TIB: 4, PIB: 5, EIB: 6, ZIB: 7, YIB: 8 };
const DECIMAL_POWER: Record<string, number> = { KB: 1, MB: 2, GB: 3, TB: 4, PB: 5, EB: 6, ZB: 7, YB: 8 };

export const BYTES_PER_TIB = 2 ** 40;
export const BYTES_PER_PIB = 2 ** 50;

const NUMBER = /^[+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A plain or scientific-notation number, or null for `Unknown`, `Not available`, garbage. */
export function parseChiaNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!NUMBER.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** A whole number such as a height or a plot count. */
export function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * `9.008 TiB`, `35.360 EiB`, `168.835 TiBe`, `0.000 MiB` → bytes; decimal units (`TB`) are taken
 * at 1000^n in case a fork prints them. Anything else (`Unknown`, `Invalid`) is null.
 */
export function parseSize(text: string): number | null {
  const match = /^\s*([+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([KMGTPEZY]i?B|B|bytes?)(e)?\s*$/i.exec(text);
  if (!match) return null;
  const value = parseChiaNumber(match[1]!);
  if (value === null) return null;
  const unit = match[2]!.toUpperCase();
  const binary = BINARY_POWER[unit.startsWith('BYTE') ? 'B' : unit];
  // chia prints 3 decimals: the bytes are an estimate, so whole bytes are as exact as it gets.
  if (binary !== undefined) return Math.round(value * 1024 ** binary);
  const decimal = DECIMAL_POWER[unit];
  return decimal === undefined ? null : Math.round(value * 1000 ** decimal);
}

/**
 * chia's own output text, lines trimmed on the right: colour codes and carriage returns
 * (a Windows-edited fixture, a tty wrapper) must not hide a value.
 */
export function outputLines(text: string): string[] {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
      .split(/\r?\n|\r/)
      .map((line) => line.trimEnd())
  );
}

/** `Connection error. Check if full node is running at 8555` → `full node`, and the 2.x `… rpc is running` form. */
export function readUnreachableService(line: string): string | null {
  const connection = /^Connection error\. Check if (.+?)(?: rpc)? is running at\b/.exec(line.trim());
  if (connection) return connection[1]!;
  const exception = /^Exception from '([^']+)'/.exec(line.trim());
  return exception ? exception[1]!.replace(/_/g, ' ') : null;
}
