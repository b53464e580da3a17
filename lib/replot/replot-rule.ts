import type { ConfigReader } from '../config/config-reader.js';
import type { PlotHeader } from '../plot-file/plot-header.js';
import { NO_RULE, parseReplotRule, type ReplotRule } from '../config/replot-match.js';

export { NO_RULE, parseReplotRule, RULE_SYNTAX, type ParsedRule, type ReplotRule } from '../config/replot-match.js';

/** The rule from a value already validated by the value file's parser (its canonical text). */
export function replotRuleOf(text: string): ReplotRule {
  const parsed = parseReplotRule(text);
  return parsed.ok ? parsed.rule : NO_RULE;
}

export interface ReplotSettings {
  on: boolean;
  rule: ReplotRule;
}

/**
 * Read fresh each time: `replot` and `replot_match` are live-tunable like every value file. Here, not
 * with the candidates: whoever only asks whether replot is on loads none of the plot file readers.
 */
export function readReplotSettings(config: Pick<ConfigReader, 'get'>): ReplotSettings {
  return { on: config.get('replot') === 'on', rule: replotRuleOf(config.get('replot_match')) };
}

/**
 * Whether a valid plot with this header and mtime may be replaced under the rule. The rule's
 * other conditions (compression, kind, k, date) were written for pos1 plots: a pos2 plot, which
 * has no compression level and is what replot makes now, matches only a rule that says pos=2.
 */
export function ruleMatches(rule: ReplotRule, header: PlotHeader, mtimeMs: number): boolean {
  if (!rule.any) return false;
  if (rule.pos === undefined ? header.pos === 2 : header.pos !== rule.pos) return false;
  if (rule.kind !== undefined && header.kind !== rule.kind) return false;
  if (rule.compressionBelow !== undefined && header.compression >= rule.compressionBelow) return false;
  if (rule.k !== undefined && header.k !== rule.k) return false;
  if (rule.beforeMs !== undefined && mtimeMs >= rule.beforeMs) return false;
  return true;
}
