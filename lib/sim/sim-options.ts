/** One option of a plotter CLI; `level` is bladebit's `-z [level]`, whose value may be left out. */
export interface OptionSpec {
  flags: string[];
  key: string;
  type: 'int' | 'string' | 'flag' | 'level';
}

export type OptionValues = Record<string, string | number | boolean | undefined>;

export type OptionsParse =
  | { ok: true; values: OptionValues; positional: string[]; rest: string[] }
  | { ok: false; problem: 'unknown'; arg: string }
  | { ok: false; problem: 'missing-value'; flag: string }
  | { ok: false; problem: 'not-a-number'; flag: string; value: string };

/**
 * Reads options until the arguments end (or, with stopAtPositional, until the first word that
 * is not an option, which bladebit reads as its command). `--name=value` works as in click.
 */
export function parseOptions(args: string[], specs: OptionSpec[], stopAtPositional = false): OptionsParse {
  const values: OptionValues = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const spec = specs.find((s) => s.flags.includes(flag));
    if (!spec) {
      if (arg.startsWith('-') && arg !== '-') return { ok: false, problem: 'unknown', arg };
      if (stopAtPositional) return { ok: true, values, positional, rest: args.slice(i) };
      positional.push(arg);
      continue;
    }
    if (spec.type === 'flag') {
      values[spec.key] = true;
      continue;
    }
    if (spec.type === 'level') {
      const next = inline ?? args[i + 1];
      const given = next !== undefined && /^\d+$/.test(next);
      values[spec.key] = given ? Number(next) : 1;
      if (given && inline === undefined) i++;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) return { ok: false, problem: 'missing-value', flag };
    if (spec.type === 'int') {
      if (!/^-?\d+$/.test(value)) return { ok: false, problem: 'not-a-number', flag, value };
      values[spec.key] = Number(value);
    } else {
      values[spec.key] = value;
    }
  }
  return { ok: true, values, positional, rest: [] };
}

/** `-k, --size` style list for a usage text. */
export function describeOptions(specs: OptionSpec[]): string {
  return specs
    .map(
      (s) =>
        `  ${s.flags.join(', ')}${s.type === 'flag' ? '' : s.type === 'level' ? ' [LEVEL]' : ` ${s.type === 'int' ? 'INTEGER' : 'TEXT'}`}`,
    )
    .join('\n');
}

export function opt(flags: string, key: string, type: OptionSpec['type'] = 'string'): OptionSpec {
  return { flags: flags.split(' '), key, type };
}

/** A parsed string option, or the plotter's default when it was not given. */
export function str(values: OptionValues, key: string, fallback = ''): string {
  const value = values[key];
  return typeof value === 'string' ? value : fallback;
}

/** A parsed integer option, or the plotter's default when it was not given. */
export function num(values: OptionValues, key: string, fallback: number): number {
  const value = values[key];
  return typeof value === 'number' ? value : fallback;
}
