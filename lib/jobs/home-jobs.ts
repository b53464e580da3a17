import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader, type LogSink } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import type { ValueOf } from '../config/value-specs.js';
import { naturalSort } from '../util/natural-sort.js';
import { JobConfigReader, jobPaths } from './job-config.js';
import { isJobValue, JOB_LIMIT_VALUES, JOB_PLOT_VALUES, JOB_STATE_VALUES, type JobLimitName } from './job-values.js';

import { DEFAULT_JOB } from '../config/job.js';

export { DEFAULT_JOB };

export const JOB_NAME = /^[A-Za-z0-9_-]+$/;

export interface Job {
  name: string;
  /** true: no config/jobs/ folders, the global files are the one job (today's behaviour). */
  implicit: boolean;
  config: ConfigReader;
}

export interface HomeJobs {
  jobs: Job[];
  /** One line per folder under config/jobs/ that is not a job, naming it. */
  refused: string[];
}

export function jobsDir(paths: HomePaths): string {
  return path.join(paths.configDir, 'jobs');
}

/** Why a name cannot be a job, or null. */
export function checkJobName(name: string): string | null {
  return JOB_NAME.test(name) ? null : `job name ${JSON.stringify(name)} is refused: only letters, digits, - and _`;
}

/** The job folders in natural order, and the entries refused by name. No folder at all: none. */
export function listJobNames(paths: HomePaths): { names: string[]; refused: string[] } {
  const dir = jobsDir(paths);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return { names: [], refused: [] };
  }
  const names: string[] = [];
  const refused: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (!entry.isDirectory()) {
      refused.push(`${path.join(dir, entry.name)}: not a folder, so not a job`);
      continue;
    }
    const problem = checkJobName(entry.name);
    if (problem) refused.push(`${path.join(dir, entry.name)}: ${problem}`);
    else names.push(entry.name);
  }
  return { names: naturalSort(names), refused };
}

/**
 * The jobs of a home. Readers are kept per name (pass the previous result) so each keeps its last
 * good values and says each problem once, as the global reader does.
 */
export function loadHomeJobs(
  global: ConfigReader,
  log: LogSink,
  env: NodeJS.ProcessEnv,
  previous?: HomeJobs,
): HomeJobs {
  const { names, refused } = listJobNames(global.paths);
  if (names.length === 0 && refused.length === 0)
    return { jobs: [{ name: DEFAULT_JOB, implicit: true, config: global }], refused };
  const jobs = names.map((name): Job => {
    const kept = previous?.jobs.find((job) => job.name === name && !job.implicit);
    return kept ?? { name, implicit: false, config: new JobConfigReader(global.paths, name, log, env) };
  });
  return { jobs, refused };
}

/** Files in a job's folder that are not job values: said so they are not thought to apply. */
export function findForeignJobFiles(paths: HomePaths, job: string): string[] {
  const dir = jobPaths(paths, job).configDir;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.goplot') && !isJobValue(name.slice(0, -'.goplot'.length)))
    .map((name) => `${path.join(dir, name)}: not a job value, ignored (it only has a meaning in ${paths.configDir})`);
}

export type JobLimitValues = Partial<{ [N in JobLimitName]: ValueOf<N> }>;

export type JobLimits = { ok: true; limits: JobLimitValues } | { ok: false; message: string };

/**
 * The limits the job's folder sets. Any invalid value in the folder (a limit or a plot value)
 * stops this job alone: its message names the file, the other jobs go on.
 */
export function readJobLimits(job: Job): JobLimits {
  if (!(job.config instanceof JobConfigReader)) return { ok: true, limits: {} };
  const own = job.config.own;
  for (const name of [...JOB_PLOT_VALUES, ...JOB_STATE_VALUES]) {
    if (!job.config.hasOwn(name)) continue;
    const error = own.inspect(name).error;
    if (error) return { ok: false, message: `job ${job.name} stopped: ${error.replace(/; using .*$/, '')}` };
  }
  const limits: Record<string, unknown> = {};
  for (const name of JOB_LIMIT_VALUES) {
    if (!job.config.hasOwn(name)) continue;
    const inspected = own.inspect(name);
    if (inspected.error)
      return { ok: false, message: `job ${job.name} stopped: ${inspected.error.replace(/; using .*$/, '')}` };
    limits[name] = inspected.value;
  }
  return { ok: true, limits: limits as JobLimitValues };
}

/**
 * Why the tractor may not start a plot of this job now, or null: a bad name, no folder, a bad
 * value in its folder, or its own on_toggle (unless forced).
 */
export function checkJob(paths: HomePaths, name: string, force: boolean): string | null {
  const badName = checkJobName(name);
  if (badName) return badName;
  const dir = jobPaths(paths, name).configDir;
  if (!fs.existsSync(dir)) return `no job ${name}: ${dir} does not exist (goplot job add ${name})`;
  const limits = readJobLimits({ name, implicit: false, config: new JobConfigReader(paths, name) });
  if (!limits.ok) return limits.message;
  const toggle = limits.limits.on_toggle;
  if (!force && toggle !== undefined && toggle !== 'run')
    return `job ${name}: on_toggle is ${JSON.stringify(toggle)} in ${dir}/on_toggle.goplot, not "run" (or use --force)`;
  return null;
}
