import type { ConfigReader } from '../config/config-reader.js';
import { listJobNames } from '../jobs/home-jobs.js';
import { JobConfigReader } from '../jobs/job-config.js';
import { readReplotSettings, type ReplotRule } from './replot-rule.js';

/** One rule that some plotter of this home removes old plots by, and the farms it may do that on. */
export interface RuleInForce {
  rule: ReplotRule;
  /** null: every farm. */
  farms: string[] | null;
  /** The job's name, or null for the global files (a home without jobs). */
  job: string | null;
}

/**
 * The replot rules the plots of this home are made under: the global one without jobs; with
 * jobs, each job's own (its folder's replot values, else the global ones) over its dest_farms.
 * Rules that are off or match nothing are left out. Read fresh each time, like every value.
 */
export function replotRulesInForce(global: ConfigReader): RuleInForce[] {
  const { names } = listJobNames(global.paths);
  const readers =
    names.length === 0
      ? [{ job: null, config: global as Pick<ConfigReader, 'get'> }]
      : names.map((name) => ({ job: name, config: new JobConfigReader(global.paths, name) }));
  const rules: RuleInForce[] = [];
  for (const { job, config } of readers) {
    const { on, rule } = readReplotSettings(config);
    if (!on || !rule.any) continue;
    const farms = config
      .get('dest_farms')
      .split(' ')
      .filter((farm) => farm !== '');
    rules.push({ rule, farms: farms.length === 0 ? null : farms, job });
  }
  return rules;
}

/** The rules that may remove plots on this farm. */
export function rulesForFarm(rules: readonly RuleInForce[], farm: string): RuleInForce[] {
  return rules.filter((entry) => entry.farms === null || entry.farms.includes(farm));
}

/** How a disk's log line names the rules that count there: `replot_match: kind=solo`, or per job. */
export function describeRules(rules: readonly RuleInForce[]): string {
  return rules
    .map((entry) => (entry.job === null ? `replot_match: ${entry.rule.text}` : `job ${entry.job}: ${entry.rule.text}`))
    .join('; ');
}
