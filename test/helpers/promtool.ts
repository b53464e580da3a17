import fs from 'node:fs';
import { execa } from 'execa';

export interface PromtoolCheck {
  ok: boolean;
  /** promtool's own words (its lint problems), stdout and stderr together. */
  output: string;
}

export const PROMTOOL_MISSING =
  "promtool is not installed: it is in Debian's prometheus package (apt-get update && apt-get install -y prometheus), " +
  'or set PROMTOOL to its path';

/**
 * Runs the real `promtool check metrics` on a .prom file, as node_exporter's users would. A
 * missing promtool is an error, never a pass: the check is the point.
 */
export async function checkMetrics(file: string): Promise<PromtoolCheck> {
  return runPromtool(['check', 'metrics'], { inputFile: file });
}

/** `promtool check rules FILES…`: each rule file parses and every expression is valid PromQL. */
export function checkRules(files: string[]): Promise<PromtoolCheck> {
  return runPromtool(['check', 'rules', ...files]);
}

/** `promtool test rules FILES…`: the alert unit tests, run from their own folder (rule_files are relative). */
export function testRules(files: string[], cwd: string): Promise<PromtoolCheck> {
  return runPromtool(['test', 'rules', ...files], { cwd });
}

/** `promtool check config FILE`: the config and the rule files it names. */
export function checkConfig(file: string): Promise<PromtoolCheck> {
  return runPromtool(['check', 'config', file]);
}

async function runPromtool(args: string[], options: { inputFile?: string; cwd?: string } = {}): Promise<PromtoolCheck> {
  const promtool = process.env.PROMTOOL || 'promtool';
  const result = await execa(promtool, args, { ...options, reject: false, all: true, timeout: 60_000 });
  if (result.code === 'ENOENT') throw new Error(PROMTOOL_MISSING);
  return { ok: result.exitCode === 0, output: (result.all ?? '').trim() };
}

/** `name{labels} value` lines of a .prom file, as a map from the series to its value. */
export function readSeries(file: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}
