import type { ValueParser } from './value-parsers.js';

/** The placeholders a pos2 plotter template may name (DESIGN §17), without their braces. */
export const POS2_PLACEHOLDERS = [
  'chia_bin',
  'k',
  'strength',
  'count',
  'index',
  'meta_group',
  'temp',
  'dest',
  'threads',
  'farmer_key',
  'pool_key',
  'pool_contract',
  'plot_id',
] as const;
export type Pos2Placeholder = (typeof POS2_PLACEHOLDERS)[number];

/**
 * chia's `plots create2` as proposed: its key and directory options, `--strength`, no k. A key
 * option whose value is empty is left out whole, so the keys that are set are the ones passed.
 */
export const DEFAULT_POS2_TEMPLATE =
  '{chia_bin} plots create2 --strength {strength} -n {count} -d {dest} -f {farmer_key} -p {pool_key} -c {pool_contract}';

export type Pos2Template = { ok: true; words: string[] } | { ok: false; problem: string };

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The template's words (split on spaces, no shell), or the first thing in it that is not a placeholder. */
export function parsePos2Template(text: string): Pos2Template {
  const words = text.split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return { ok: false, problem: 'an empty template' };
  for (const word of words) {
    for (const match of word.matchAll(PLACEHOLDER)) {
      if (!(POS2_PLACEHOLDERS as readonly string[]).includes(match[1]!))
        return { ok: false, problem: `{${match[1]}} is not a placeholder` };
    }
    const stray = word.replace(PLACEHOLDER, '');
    if (stray.includes('{') || stray.includes('}')) return { ok: false, problem: `${word} has an unclosed brace` };
  }
  return { ok: true, words };
}

/** The value parser of plot_command_v2: a refusal names the placeholder, and the reader names the file. */
export const pos2TemplateValue: ValueParser<string> = (raw) => {
  const parsed = parsePos2Template(raw);
  if (parsed.ok) return { ok: true, value: parsed.words.join(' ') };
  return {
    ok: false,
    expected: `a command template of words and placeholders; ${parsed.problem} (the placeholders: ${POS2_PLACEHOLDERS.map((name) => `{${name}}`).join(' ')})`,
  };
};

/** Whether one run of the template makes a whole group: without `{count}` it makes one plot a run. */
export function templateMakesGroup(words: string[]): boolean {
  return words.some((word) => word.includes('{count}'));
}

/** Whether the template passes the meta group: without it the plotter chooses and goplot reads it from the headers. */
export function templateNamesPlaceholder(words: string[], name: Pos2Placeholder): boolean {
  return words.some((word) => word.includes(`{${name}}`));
}

/**
 * The argv for one run. A word that is one placeholder with an empty value is dropped, and so is
 * the option word just before it (`-p {pool_key}` with no pool key passes nothing).
 */
export function expandPos2Template(words: string[], values: Record<Pos2Placeholder, string>): string[] {
  const argv: string[] = [];
  for (const word of words) {
    const whole = /^\{([a-z_0-9]+)\}$/.exec(word);
    if (whole && values[whole[1] as Pos2Placeholder] === '') {
      if (argv.length > 1 && argv.at(-1)!.startsWith('-')) argv.pop();
      continue;
    }
    argv.push(word.replace(PLACEHOLDER, (_, name: string) => values[name as Pos2Placeholder]));
  }
  return argv;
}
