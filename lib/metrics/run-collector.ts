import fs from 'node:fs';
import path from 'node:path';
import { DeferredLog } from './deferred-log.js';
import { addGauge, type Registry } from './registry.js';
import { promDirProblem, writePromFile, writePromText } from './write-prom-file.js';
import { errorMessage } from '../util/error-message.js';

/** One value a collector means to export, and why it is not there when it is not. */
export interface CollectedValue {
  name: string;
  present: boolean;
  why?: string;
}

export type CollectResult = { ok: true; registry: Registry; values: CollectedValue[] } | { ok: false; problem: string };

export interface RunCollectorOptions {
  /** `getfarm` → `<promDir>/getfarm.prom` and `getfarm_collector_success`. */
  name: string;
  promDir: string;
  collect: () => Promise<CollectResult>;
  /** Flushed when the run ends; a good run with nothing new adds no line. */
  log: DeferredLog;
  now?: () => number;
  /**
   * Metrics that say how things are now (synced, farming, a process running). On a failed run
   * they are dropped from the kept file: a farm whose chia hangs must not keep saying it farms.
   * Totals and sizes stay, with `<name>_collector_success 0`.
   */
  statusMetrics?: readonly string[];
}

export interface CollectorOutcome {
  ok: boolean;
  file: string;
  problem?: string;
  missing: string[];
}

interface PreviousRun {
  exists: boolean;
  success: number | null;
  missing: string[];
}

/**
 * The shared shape of every chia collector run: collect, then either write a whole new file
 * (with `<name>_collector_success 1`, which values are present, how long it took, when) or keep
 * the last good file and turn only its success line to 0. Either way the file is replaced
 * atomically, so node_exporter never reads half of one, and the log gets one line when a run
 * fails or something changed, none on a quiet good run.
 */
export async function runCollector(options: RunCollectorOptions): Promise<CollectorOutcome> {
  try {
    return await collectAndWrite(options);
  } finally {
    await options.log.flush();
  }
}

async function collectAndWrite(options: RunCollectorOptions): Promise<CollectorOutcome> {
  const now = options.now ?? Date.now;
  const log = options.log;
  const started = now();
  const file = path.join(options.promDir, `${options.name}.prom`);
  const problem = promDirProblem(options.promDir);
  if (problem !== null) {
    log.addOnce('error', problem);
    return { ok: false, file, problem, missing: [] };
  }
  const previous = readPreviousRun(file, options.name);
  let result: CollectResult;
  try {
    result = await options.collect();
  } catch (error) {
    result = { ok: false, problem: `collector error: ${errorMessage(error)}` };
  }

  if (!result.ok) {
    let problem = result.problem;
    try {
      keepLastGoodFile(options.promDir, options.name, previous, options.statusMetrics ?? []);
      const dropped = options.statusMetrics?.length ? ' (without the status metrics)' : '';
      problem += `; kept the last good values${dropped} in ${file} with ${options.name}_collector_success 0`;
    } catch (error) {
      problem += `; and cannot write ${file}: ${errorMessage(error)}`;
    }
    // said when the collector starts failing or the reason changes, not on every cron run
    log.addOnce('warn', problem);
    return { ok: false, file, problem, missing: [] };
  }

  const missing = result.values.filter((value) => !value.present);
  addCollectorMetrics(result.registry, options.name, result.values, (now() - started) / 1000, now() / 1000);
  try {
    await writePromFile(options.promDir, options.name, result.registry);
  } catch (error) {
    const problem = `cannot write ${file}: ${errorMessage(error)}`;
    log.addOnce('error', problem);
    return { ok: false, file, problem, missing: missing.map((value) => value.name) };
  }

  const missingNames = missing.map((value) => value.name);
  if (!previous.exists) log.add('info', `wrote ${file}`);
  else if (previous.success !== 1) log.add('info', `recovered: wrote ${file} with ${options.name}_collector_success 1`);
  if (missingNames.join(',') !== previous.missing.join(',') && (previous.exists || missing.length > 0)) {
    log.add(
      'info',
      missing.length === 0
        ? 'all values present'
        : `values missing (left out of ${path.basename(file)}): ${missing.map((value) => (value.why ? `${value.name} (${value.why})` : value.name)).join(', ')}`,
    );
  }
  return { ok: true, file, missing: missingNames };
}

function addCollectorMetrics(
  registry: Registry,
  name: string,
  values: CollectedValue[],
  seconds: number,
  nowSeconds: number,
): void {
  const gauge = (metric: string, help: string, labelNames: string[] = []) =>
    addGauge(registry, `${name}_collector_${metric}`, help, labelNames);
  gauge('success', successHelp(name)).set(1);
  if (values.length > 0) {
    const present = gauge('value_present', `1 when the ${name} collector found this value, 0 when it was left out`, [
      'value',
    ]);
    for (const value of values) present.set({ value: value.name }, value.present ? 1 : 0);
  }
  gauge('duration_seconds', `how long the ${name} collector's last good run took`).set(seconds);
  gauge('last_success_timestamp_seconds', `when the ${name} collector last ran well (Unix time)`).set(
    Math.round(nowSeconds),
  );
}

/** What the file from the last run says about it: the state lives in the .prom file itself. */
function readPreviousRun(file: string, name: string): PreviousRun {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { exists: false, success: null, missing: [] };
  }
  const success = new RegExp(`^${name}_collector_success (\\S+)$`, 'm').exec(text);
  const missing = [...text.matchAll(new RegExp(`^${name}_collector_value_present\\{value="([^"]+)"\\} 0$`, 'gm'))].map(
    (match) => match[1]!,
  );
  return { exists: true, success: success ? Number(success[1]) : null, missing };
}

/**
 * The last good values stay as they were, less the status metrics; the success line turns to 0.
 * A file that is not ours (no success line) is replaced by one that holds just the success line.
 */
function keepLastGoodFile(
  promDir: string,
  name: string,
  previous: PreviousRun,
  statusMetrics: readonly string[],
): void {
  const successLine = new RegExp(`^${name}_collector_success \\S+$`, 'm');
  if (previous.exists) {
    const text = fs.readFileSync(path.join(promDir, `${name}.prom`), 'utf8');
    if (successLine.test(text)) {
      writePromText(
        promDir,
        name,
        dropMetrics(text, statusMetrics).replace(successLine, `${name}_collector_success 0`),
      );
      return;
    }
  }
  writePromText(
    promDir,
    name,
    `# HELP ${name}_collector_success ${successHelp(name)}\n` +
      `# TYPE ${name}_collector_success gauge\n${name}_collector_success 0\n`,
  );
}

/** The text without these metrics' samples and their HELP and TYPE lines. */
function dropMetrics(text: string, metrics: readonly string[]): string {
  if (metrics.length === 0) return text;
  const names = new Set(metrics);
  return text
    .split('\n')
    .filter((line) => {
      const metric =
        line.startsWith('# HELP ') || line.startsWith('# TYPE ') ? line.split(' ')[2] : /^[^\s{]+/.exec(line)?.[0];
      return metric === undefined || !names.has(metric);
    })
    .join('\n');
}

function successHelp(name: string): string {
  return `1 when the ${name} collector's last run worked; 0 when it failed and the other values are from the last good run`;
}
