import fs from 'node:fs';
import { ConfigReader } from '../config/config-reader.js';
import type { CommandIo } from '../config/command-io.js';
import { describeValue, type ValueName } from '../config/value-specs.js';
import { setValue } from '../config/write-value.js';
import { JobConfigReader, jobPaths } from '../jobs/job-config.js';
import { checkJobName, listJobNames, readJobLimits } from '../jobs/home-jobs.js';
import { isJobValue, JOB_LIMIT_VALUES, JOB_PLOT_VALUES, JOB_STATE_VALUES } from '../jobs/job-values.js';
import { readHomeRunningPlots } from '../farm/plot-scope.js';
import { formatTable } from './format-status.js';

/** Why a job cannot be used by name: a bad name or no folder. */
function findJob(io: CommandIo, name: string): string | null {
  const badName = checkJobName(name);
  if (badName) return badName;
  const dir = jobPaths(io.paths, name).configDir;
  return fs.existsSync(dir) ? null : `no job ${name}: ${dir} does not exist (goplot job add ${name})`;
}

export function jobListCommand(io: CommandIo, json: boolean): number {
  const global = new ConfigReader(io.paths, () => {}, io.env);
  const { names, refused } = listJobNames(io.paths);
  const running = readHomeRunningPlots(global);
  const rows = names.map((name) => {
    const config = new JobConfigReader(io.paths, name, () => {}, io.env);
    const limits = readJobLimits({ name, implicit: false, config });
    return {
      name,
      state: limits.ok ? String(limits.limits.on_toggle ?? 'run') : 'stopped (invalid value)',
      plotter: config.get('plotter'),
      k: config.get('k'),
      tempRoot: config.get('temp_root'),
      destFarms: config.get('dest_farms') || '(all)',
      running: running.filter((plot) => plot.job === name).length,
      problem: limits.ok ? null : limits.message,
    };
  });
  if (json) {
    io.out(JSON.stringify({ jobs: rows, refused }, null, 2));
    return refused.length > 0 ? 1 : 0;
  }
  if (names.length === 0 && refused.length === 0) {
    io.out(`no jobs: the global files in ${io.paths.configDir} are the one job (goplot job add NAME makes one)`);
    return 0;
  }
  io.out(
    formatTable([
      ['job', 'on_toggle', 'plotter', 'k', 'temp_root', 'dest_farms', 'running'],
      ...rows.map((row) => [
        row.name,
        row.state,
        row.plotter,
        String(row.k),
        row.tempRoot,
        row.destFarms,
        String(row.running),
      ]),
    ]),
  );
  for (const row of rows) if (row.problem) io.out(`  ! ${row.problem}`);
  for (const line of refused) io.out(`  ! ${line}`);
  return refused.length > 0 || rows.some((row) => row.problem) ? 1 : 0;
}

export function jobAddCommand(io: CommandIo, name: string): number {
  const badName = checkJobName(name);
  if (badName) {
    io.err(`goplot job add: ${badName}`);
    return 2;
  }
  const first = listJobNames(io.paths).names.length === 0;
  const dir = jobPaths(io.paths, name).configDir;
  if (fs.existsSync(dir)) {
    io.err(`goplot job add: ${dir} exists already`);
    return 2;
  }
  fs.mkdirSync(dir, { recursive: true });
  io.out(
    `created job ${name} in ${dir}: it uses the global values until it has its own (goplot set --job ${name} NAME VALUE)`,
  );
  if (first)
    io.out(
      'config/jobs/ has a job now: the loop starts plots for the jobs there only; the global files are their defaults and global limits',
    );
  return 0;
}

export function jobShowCommand(io: CommandIo, name: string, json: boolean): number {
  const problem = findJob(io, name);
  if (problem) {
    io.err(`goplot job show: ${problem}`);
    return 2;
  }
  const config = new JobConfigReader(io.paths, name, () => {}, io.env);
  const limits = readJobLimits({ name, implicit: false, config });
  const row = (value: ValueName, kind: string) => {
    const own = config.hasOwn(value);
    const inspected = own ? config.own.inspect(value) : config.inspect(value);
    const shown = !own && kind === 'limit' ? '(none of its own)' : describeValue(value, inspected.value);
    const source = own
      ? `job${inspected.error ? ' (file invalid)' : ''}`
      : kind === 'limit'
        ? 'global limit only'
        : kind === 'state'
          ? 'default'
          : inspected.source === 'file'
            ? 'global'
            : 'default';
    return { name: value, kind, value: shown, source, file: inspected.file, error: inspected.error ?? null };
  };
  const rows = [
    ...[...JOB_PLOT_VALUES].map((value) => row(value, 'plot')),
    ...JOB_LIMIT_VALUES.map((value) => row(value, 'limit')),
    ...[...JOB_STATE_VALUES].map((value) => row(value, 'state')),
  ];
  if (json) {
    io.out(
      JSON.stringify({ job: name, ok: limits.ok, problem: limits.ok ? null : limits.message, values: rows }, null, 2),
    );
  } else {
    io.out(`job ${name} (${jobPaths(io.paths, name).configDir})`);
    io.out(formatTable([['name', 'value', 'source'], ...rows.map((r) => [r.name, r.value, r.source])]));
    if (!limits.ok) io.out(`  ! ${limits.message}`);
  }
  return limits.ok ? 0 : 1;
}

/** `goplot set --job NAME VALUE_NAME VALUE`: only a job value, validated, written atomically into the job's folder. */
export function setJobCommand(io: CommandIo, job: string, name: string, value: string): number {
  const problem = findJob(io, job);
  if (problem) {
    io.err(`goplot set: ${problem}`);
    return 2;
  }
  if (!isJobValue(name)) {
    io.err(
      `goplot set: ${name} is not a job value (a job has: ${[...JOB_PLOT_VALUES, ...JOB_LIMIT_VALUES].join(', ')})`,
    );
    return 2;
  }
  const result = setValue(jobPaths(io.paths, job), name, value);
  if (!result.ok) {
    io.err(`goplot set: ${result.message}`);
    return 2;
  }
  io.out(`${result.file} = ${result.value === '' ? '(empty)' : result.value}`);
  return 0;
}
