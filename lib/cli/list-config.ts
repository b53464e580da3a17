import { ConfigReader, type ValueSource } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { VALUE_SPECS, describeValue, type ValueName } from '../config/value-specs.js';
import { formatUnixTime } from '../util/format-duration.js';

/** Value files that hold a time: shown as a date and an age, not as the raw epoch. */
export const TIME_VALUES: ReadonlySet<string> = new Set(['last_start', 'last_fail']);

export interface ConfigRow {
  name: ValueName;
  value: string | number;
  source: ValueSource;
  kind: 'config' | 'state';
  file: string;
  error: string | null;
  help: string;
}

export function listConfig(paths: HomePaths, env: NodeJS.ProcessEnv): ConfigRow[] {
  const config = new ConfigReader(paths, () => {}, env);
  return (Object.keys(VALUE_SPECS) as ValueName[]).map((name) => {
    const inspected = config.inspect(name);
    return {
      name,
      value: inspected.value as string | number,
      source: inspected.source,
      kind: VALUE_SPECS[name].kind,
      file: inspected.file,
      error: inspected.error ?? null,
      help: VALUE_SPECS[name].help,
    };
  });
}

/** Aligned columns a person reads under a header: name, value, where it came from, meaning; any error below its row. */
export function formatConfig(rows: ConfigRow[], nowMs: number): string {
  const shown = rows.map((row) =>
    TIME_VALUES.has(row.name) && typeof row.value === 'number'
      ? formatUnixTime(row.value, nowMs)
      : describeValue(row.name, row.value),
  );
  const sources = rows.map((row) => (row.error ? `${row.source} (file invalid)` : row.source));
  const nameWidth = Math.max('name'.length, ...rows.map((row) => row.name.length));
  const valueWidth = Math.min(40, Math.max('value'.length, ...shown.map((value) => value.length)));
  const sourceWidth = 24;
  const line = (name: string, value: string, source: string, help: string) =>
    `${name.padEnd(nameWidth)}  ${value.padEnd(valueWidth)}  ${source.padEnd(sourceWidth)}  ${help}`;
  const lines = rows.map((row, i) => {
    const text = line(row.name, shown[i]!, sources[i]!, row.help);
    return row.error ? `${text}\n  ! ${row.error}` : text;
  });
  return [line('name', 'value', 'source', 'meaning'), ...lines].join('\n');
}

/** The table of value files in docs/values.md, made from the same specs the readers use. */
export function formatConfigMarkdown(): string {
  const rows = (Object.keys(VALUE_SPECS) as ValueName[]).map((name) => {
    const spec = VALUE_SPECS[name];
    const shown = describeValue(name, spec.default);
    return `| \`${name}.goplot\` | ${spec.kind} | ${spec.help.replace(/\|/g, '\\|')} | \`${shown}\` |`;
  });
  return ['| file | kind | meaning | default |', '|---|---|---|---|', ...rows].join('\n');
}
