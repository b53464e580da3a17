import { createRequire } from 'node:module';

/** A parsed value, or why the raw text is not one: errors are data, as in execa. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

export type ValueParser<T> = (raw: string) => Parsed<T>;

export function wholeNumber(min: number, max: number): ValueParser<number> {
  const expected = `a whole number from ${min} to ${max}`;
  return (raw) => {
    if (!/^[+]?\d+$/.test(raw)) return { ok: false, expected };
    const value = Number(raw);
    return Number.isSafeInteger(value) && value >= min && value <= max ? { ok: true, value } : { ok: false, expected };
  };
}

export function decimalNumber(min: number, max: number): ValueParser<number> {
  const expected = `a number from ${min} to ${max}`;
  return (raw) => {
    if (!/^[+]?(\d+\.?\d*|\.\d+)$/.test(raw)) return { ok: false, expected };
    const value = Number(raw);
    return Number.isFinite(value) && value >= min && value <= max ? { ok: true, value } : { ok: false, expected };
  };
}

export function powerOfTwo(min: number, max: number): ValueParser<number> {
  const whole = wholeNumber(min, max);
  const expected = `a power of two from ${min} to ${max}`;
  return (raw) => {
    const parsed = whole(raw);
    return parsed.ok && (parsed.value & (parsed.value - 1)) === 0 ? parsed : { ok: false, expected };
  };
}

export function oneOf<T extends string>(values: readonly T[]): ValueParser<T> {
  const expected = `one of ${values.join(', ')}`;
  return (raw) =>
    (values as readonly string[]).includes(raw) ? { ok: true, value: raw as T } : { ok: false, expected };
}

export const ROLES = ['plotter', 'harvester', 'farmer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a host does, as a comma-separated list of roles in any order (`plotter,harvester`);
 * the value is the list in a fixed order, without repeats.
 */
export const roleList: ValueParser<string> = (raw) => {
  const expected = `one or more of ${ROLES.join(', ')}, separated by commas (e.g. plotter,harvester)`;
  const words = raw.split(',').map((word) => word.trim());
  if (words.some((word) => !(ROLES as readonly string[]).includes(word))) return { ok: false, expected };
  return { ok: true, value: ROLES.filter((role) => words.includes(role)).join(',') };
};

/** The roles a role_list value names. */
export function rolesOf(value: string): Set<Role> {
  return new Set(ROLES.filter((role) => value.split(',').includes(role)));
}

/** Any single line of text; the file protocol already rejects binary bytes. */
export const anyText: ValueParser<string> = (raw) => ({ ok: true, value: raw });

export const absolutePath: ValueParser<string> = (raw) =>
  raw.startsWith('/') || raw.startsWith('~/') ? { ok: true, value: raw } : { ok: false, expected: 'an absolute path' };

export const commandName: ValueParser<string> = (raw) =>
  raw.length > 0 && !/\s/.test(raw)
    ? { ok: true, value: raw }
    : { ok: false, expected: 'a command name or path without spaces' };

/** A file or directory name inside one folder, as farm and temp dir names are. */
export const plainName: ValueParser<string> = (raw) =>
  raw.length > 0 && !raw.includes('/') && raw !== '.' && raw !== '..'
    ? { ok: true, value: raw }
    : { ok: false, expected: 'a name without a slash' };

export const httpUrlOrEmpty: ValueParser<string> = (raw) => {
  if (raw === '') return { ok: true, value: '' };
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return { ok: true, value: raw.replace(/\/+$/, '') };
  } catch {
    // fall through to the error below
  }
  return { ok: false, expected: 'an http(s) URL, or nothing to turn it off' };
};

/** `0-3,8` as the numbers it names; null when it is not such a list (or a range runs backwards). */
export function expandCpuList(raw: string): number[] | null {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(raw)) return null;
  const cpus: number[] = [];
  for (const part of raw.split(',')) {
    const [low = NaN, high = low] = part.split('-').map(Number);
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high < low) return null;
    // a range wider than any host is refused by the host check below; no need to list it whole
    for (let cpu = low; cpu <= Math.min(high, low + 4096); cpu++) cpus.push(cpu);
    if (high > low + 4096) cpus.push(high);
  }
  return cpus;
}

/**
 * CPU list as taskset takes it: `0-3,8`, or empty for no affinity, naming only CPUs this host has
 * (`cpus()` gives them; null when it cannot tell, then only the form is checked). A CPU the host
 * lacks passes the form yet fails every plot at taskset.
 */
export function cpuListOf(cpus: () => number[] | null): ValueParser<string> {
  return (raw) => {
    if (raw === '') return { ok: true, value: raw };
    const asked = expandCpuList(raw);
    const host = cpus();
    const shown = host === null ? '' : ` of this host's CPUs (${compactCpuList(host)})`;
    const expected = `a CPU list${shown} such as 0-1, or nothing`;
    if (asked === null) return { ok: false, expected };
    if (host !== null && asked.some((cpu) => !host.includes(cpu))) return { ok: false, expected };
    return { ok: true, value: raw };
  };
}

/** [0, 1, 2, 5] as `0-2,5`. */
export function compactCpuList(cpus: number[]): string {
  const parts: string[] = [];
  const sorted = [...cpus].sort((a, b) => a - b);
  for (let at = 0; at < sorted.length;) {
    let end = at;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    parts.push(end === at ? `${sorted[at]}` : `${sorted[at]}-${sorted[end]}`);
    at = end + 1;
  }
  return parts.join(',');
}

export function hexOrEmpty(length: number, what: string): ValueParser<string> {
  const pattern = new RegExp(`^(0x)?[0-9a-fA-F]{${length}}$`);
  return (raw) =>
    raw === '' || pattern.test(raw)
      ? { ok: true, value: raw }
      : { ok: false, expected: `${what} (${length} hex digits), or nothing` };
}

export const poolContractOrEmpty: ValueParser<string> = (raw) =>
  raw === '' || /^(t?xch)1[02-9ac-hj-np-z]{58}$/.test(raw)
    ? { ok: true, value: raw }
    : { ok: false, expected: 'a pool contract address (xch1…), or nothing' };

interface CronCheck {
  valid: boolean;
  errors: { field: string; value?: string; message: string }[];
}

let checkCron: ((pattern: string) => CronCheck) | null = null;

/**
 * node-cron's own check, so what passes here is what `npm start` can schedule. Loaded on first
 * use: most scripts never parse a schedule, and node-cron costs them 15-40 ms of start-up.
 */
function cronCheck(pattern: string): CronCheck {
  checkCron ??= (createRequire(import.meta.url)('node-cron') as { validateDetailed: (pattern: string) => CronCheck })
    .validateDetailed;
  return checkCron(pattern);
}

const CRON_FIELD_NAMES: Record<string, string> = {
  second: 'second',
  minute: 'minute',
  hour: 'hour',
  dayOfMonth: 'day of month',
  month: 'month',
  dayOfWeek: 'day of week',
};

/** Five or six cron fields that node-cron accepts. */
export const cronExpression: ValueParser<string> = (raw) => {
  const expected = 'a cron schedule of five or six fields, such as */5 * * * *';
  const fields = raw.split(/\s+/);
  if (!((fields.length === 5 || fields.length === 6) && fields.every((field) => /^[\d*/,\-A-Za-z?]+$/.test(field))))
    return { ok: false, expected };
  const value = raw.replace(/\s+/g, ' ');
  // every minute (the default) needs no check: `goplot status` and `config` then never load node-cron
  if (fields.every((field) => field === '*')) return { ok: true, value };
  const check = cronCheck(value);
  if (check.valid) return { ok: true, value };
  const why = check.errors.map((error) =>
    error.field in CRON_FIELD_NAMES && error.value !== undefined && !error.message.includes('impossible')
      ? `${JSON.stringify(error.value)} is not a valid ${CRON_FIELD_NAMES[error.field]}`
      : error.message,
  );
  return { ok: false, expected: why.length > 0 ? `${expected}; ${why.join(', ')}` : expected };
};

export const absolutePathOrEmpty: ValueParser<string> = (raw) =>
  raw === '' ? { ok: true, value: '' } : absolutePath(raw);

export const commandNameOrEmpty: ValueParser<string> = (raw) =>
  raw === '' ? { ok: true, value: '' } : commandName(raw);

/**
 * Farm names (with `withDisks`, also `farm/disk`) separated by spaces or commas; empty for none.
 * No part is `.` or `..`, so a list can never point outside farm_root.
 */
export function nameList(withDisks: boolean): ValueParser<string> {
  const shape = withDisks ? /^[^/]+(\/[^/]+)?$/ : /^[^/]+$/;
  const expected = withDisks
    ? 'farm names or farm/disk, separated by spaces, or nothing'
    : 'farm names separated by spaces, or nothing';
  return (raw) => {
    const names = raw.split(/[\s,]+/).filter((name) => name !== '');
    const ok = names.every(
      (name) => shape.test(name) && !name.split('/').some((part) => part === '.' || part === '..'),
    );
    return ok ? { ok: true, value: names.join(' ') } : { ok: false, expected };
  };
}
