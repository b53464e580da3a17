// The replot_match value's syntax, here because value-specs validates it; matching plots is lib/replot's.

/**
 * Which old plots replot may remove (`replot_match.goplot`): `none`, or conditions joined by
 * spaces, all of which must hold: `pos=1|2`, `kind=solo|pool`, `compression<N`, `k=N`, `before=YYYY-MM-DD`.
 */
export interface ReplotRule {
  /** Canonical text: the conditions in a fixed order, or `none`. */
  text: string;
  /** false for `none`: the rule matches no plot. */
  any: boolean;
  /** Which proof of space: `pos=1` lets only today's plots go (the migration to pos2). */
  pos?: 1 | 2;
  kind?: 'solo' | 'pool';
  compressionBelow?: number;
  k?: number;
  /** Made before this local midnight (the plot file's mtime, when it was finished). */
  beforeMs?: number;
  beforeText?: string;
}

export type ParsedRule = { ok: true; rule: ReplotRule } | { ok: false; expected: string };

export const RULE_SYNTAX =
  'none, or space-separated conditions that must all hold: pos=1|2, kind=solo|pool, compression<N (1-10), k=N (18-50), before=YYYY-MM-DD';
export const NO_RULE: ReplotRule = { text: 'none', any: false };

function wrong(why: string): ParsedRule {
  return { ok: false, expected: `${RULE_SYNTAX} (${why})` };
}

function wholeIn(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** A calendar date as a farmer means it: local midnight at its start. */
function localMidnight(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day
    ? date.getTime()
    : undefined;
}

export function parseReplotRule(raw: string): ParsedRule {
  const words = raw
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length === 0) return wrong('it is empty');
  if (words.length === 1 && words[0] === 'none') return { ok: true, rule: NO_RULE };
  const rule: Omit<ReplotRule, 'text' | 'any'> = {};
  for (const word of words) {
    const match = /^(pos|kind|compression|k|before)(=|<)(.*)$/.exec(word);
    if (!match) return wrong(`"${word}" is not a condition`);
    const [, name, operator, value] = match as unknown as [
      string,
      'pos' | 'kind' | 'compression' | 'k' | 'before',
      string,
      string,
    ];
    const expectedOperator = name === 'compression' ? '<' : '=';
    if (operator !== expectedOperator) return wrong(`"${word}": write ${name}${expectedOperator}…`);
    const seen = name === 'compression' ? rule.compressionBelow : name === 'before' ? rule.beforeMs : rule[name];
    if (seen !== undefined) return wrong(`${name} is given twice`);
    if (name === 'pos') {
      if (value !== '1' && value !== '2') return wrong(`"${word}": pos is 1 or 2`);
      rule.pos = value === '1' ? 1 : 2;
    } else if (name === 'kind') {
      if (value !== 'solo' && value !== 'pool') return wrong(`"${word}": kind is solo or pool`);
      rule.kind = value;
    } else if (name === 'compression') {
      const level = wholeIn(value, 1, 10);
      if (level === undefined) return wrong(`"${word}": N is a whole number from 1 to 10`);
      rule.compressionBelow = level;
    } else if (name === 'k') {
      const k = wholeIn(value, 18, 50);
      if (k === undefined) return wrong(`"${word}": k is a whole number from 18 to 50`);
      rule.k = k;
    } else {
      const ms = localMidnight(value);
      if (ms === undefined) return wrong(`"${word}": the date is YYYY-MM-DD`);
      rule.beforeMs = ms;
      rule.beforeText = value;
    }
  }
  const parts = [
    rule.pos !== undefined ? `pos=${rule.pos}` : '',
    rule.kind !== undefined ? `kind=${rule.kind}` : '',
    rule.compressionBelow !== undefined ? `compression<${rule.compressionBelow}` : '',
    rule.k !== undefined ? `k=${rule.k}` : '',
    rule.beforeText !== undefined ? `before=${rule.beforeText}` : '',
  ].filter((part) => part !== '');
  return { ok: true, rule: { ...rule, text: parts.join(' '), any: true } };
}
