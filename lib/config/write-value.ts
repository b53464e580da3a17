import fs from 'node:fs';
import { valueFilePath, type HomePaths } from './home.js';
import { VALUE_SPECS, isValueName, type ValueName } from './value-specs.js';
import { createFileExclusiveSync, writeFileAtomicSync } from '../util/write-file-atomic.js';

export type SetResult = { ok: true; file: string; value: string } | { ok: false; message: string };

/** Validates as the readers will, then writes atomically: a bad value never reaches the file. */
export function setValue(paths: HomePaths, name: string, raw: string): SetResult {
  if (!isValueName(name)) {
    return { ok: false, message: `unknown value name "${name}"; known names: ${Object.keys(VALUE_SPECS).join(', ')}` };
  }
  const text = raw.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\ufffd]/.test(text)) {
    return {
      ok: false,
      message: `${valueFilePath(paths, name)}: refusing ${JSON.stringify(raw)} (it holds control or binary bytes)`,
    };
  }
  const parsed = (VALUE_SPECS[name].parse as (raw: string) => { ok: boolean; expected?: string })(text);
  const file = valueFilePath(paths, name);
  if (!parsed.ok || text.includes('\n')) {
    return {
      ok: false,
      message: `${file}: refusing ${JSON.stringify(raw)} (expected ${parsed.expected ?? 'one line'})`,
    };
  }
  writeFileAtomicSync(file, `${text}\n`);
  return { ok: true, file, value: text };
}

/** For the scripts' own state files, whose values they made themselves. */
export function writeStateValue(paths: HomePaths, name: ValueName, value: string | number): void {
  writeFileAtomicSync(valueFilePath(paths, name), `${value}\n`);
}

/** Creates each missing file with its default; an existing file is never touched. */
export function initValueFiles(paths: HomePaths): { created: string[]; kept: string[] } {
  fs.mkdirSync(paths.configDir, { recursive: true });
  fs.mkdirSync(paths.disksDir, { recursive: true });
  fs.mkdirSync(paths.logsDir, { recursive: true });
  const created: string[] = [];
  const kept: string[] = [];
  for (const [name, spec] of Object.entries(VALUE_SPECS)) {
    const file = valueFilePath(paths, name);
    if (createFileExclusiveSync(file, `${spec.default}\n`)) created.push(file);
    else kept.push(file);
  }
  return { created, kept };
}
