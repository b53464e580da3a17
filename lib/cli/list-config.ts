import { ConfigReader, type ValueSource } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { VALUE_SPECS, describeValue, type ValueName } from '../config/value-specs.js';

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

/** Aligned columns a person reads: name, value, where it came from, then any error below it. */
export function formatConfig(rows: ConfigRow[]): string {
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  const shown = rows.map((row) => describeValue(row.name, row.value));
  const valueWidth = Math.min(40, Math.max(...shown.map((value) => value.length)));
  const lines = rows.map((row, i) => {
    const source = row.error ? `${row.source} (file invalid)` : row.source;
    const line = `${row.name.padEnd(nameWidth)}  ${shown[i]!.padEnd(valueWidth)}  ${source.padEnd(24)}  ${row.help}`;
    return row.error ? `${line}\n  ! ${row.error}` : line;
  });
  return lines.join('\n');
}

/** The README's table of value files, made from the same specs the readers use. */
export function formatConfigMarkdown(): string {
  const rows = (Object.keys(VALUE_SPECS) as ValueName[]).map((name) => {
    const spec = VALUE_SPECS[name];
    const shown = describeValue(name, spec.default);
    return `| \`${name}.goplot\` | ${spec.kind} | ${spec.help.replace(/\|/g, '\\|')} | \`${shown}\` |`;
  });
  return ['| file | kind | meaning | default |', '|---|---|---|---|', ...rows].join('\n');
}
