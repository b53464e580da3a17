import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { PACKAGE_ROOT } from '../../lib/config/home.js';

/** The folder of shipped rule files: every `*.rules.yml` there is loaded, each with a `*.rules.test.yml` beside it. */
export const ALERTS_DIR = path.join(PACKAGE_ROOT, 'prometheus', 'alerts');

export interface AlertRule {
  file: string;
  group: string;
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleFile {
  groups?: { name: string; rules?: (Partial<AlertRule> & { record?: string })[] }[];
}

interface RuleTestFile {
  rule_files?: string[];
  tests?: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] | null }[] }[];
}

export function ruleFiles(dir = ALERTS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.rules.yml'))
    .sort()
    .map((file) => path.join(dir, file));
}

export function ruleTestFiles(dir = ALERTS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.rules.test.yml'))
    .sort()
    .map((file) => path.join(dir, file));
}

/** Every alerting rule of every rule file in dir (recording rules are left out). */
export function readAlerts(dir = ALERTS_DIR): AlertRule[] {
  return ruleFiles(dir).flatMap((file) => {
    const parsed = yaml.load(fs.readFileSync(file, 'utf8')) as RuleFile;
    return (parsed.groups ?? []).flatMap((group) =>
      (group.rules ?? [])
        .filter((rule) => typeof rule.alert === 'string')
        .map((rule) => ({
          ...rule,
          file: path.basename(file),
          group: group.name,
          alert: rule.alert!,
          expr: String(rule.expr),
        })),
    );
  });
}

/**
 * Alerts without a unit test that sees them fire and one that sees them stay quiet, as
 * `alert (file): what is missing`. Test files count only for the rule files they load.
 */
export function findUntestedAlerts(dir = ALERTS_DIR): string[] {
  const firing = new Set<string>();
  const quiet = new Set<string>();
  for (const file of ruleTestFiles(dir)) {
    const parsed = yaml.load(fs.readFileSync(file, 'utf8')) as RuleTestFile;
    const loads = new Set((parsed.rule_files ?? []).map((ruleFile) => path.basename(ruleFile)));
    for (const test of parsed.tests ?? []) {
      for (const check of test.alert_rule_test ?? []) {
        for (const ruleFile of loads) {
          ((check.exp_alerts ?? []).length > 0 ? firing : quiet).add(`${ruleFile}/${check.alertname}`);
        }
      }
    }
  }
  return readAlerts(dir).flatMap(({ file, alert }) => {
    const lacking = [
      firing.has(`${file}/${alert}`) ? '' : 'firing',
      quiet.has(`${file}/${alert}`) ? '' : 'not firing',
    ].filter(Boolean);
    return lacking.length === 0 ? [] : [`${alert} (${file}): no unit test of it ${lacking.join(' nor ')}`];
  });
}
