import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import { PACKAGE_ROOT, type HomePaths } from '../config/home.js';
import { createLogger, type Logger } from '../util/logger.js';
import { rolesOf, type Role } from '../config/value-parsers.js';
import { suiteJobs, type SuiteJob } from './suite-jobs.js';

/** A script of this package by its path from the package root. */
export const packageScript = (relative: string): string => path.join(PACKAGE_ROOT, relative);

interface LongRunningPart {
  part: string;
  role: Role;
  pidFile: string;
  wanted?: (config: ConfigReader) => boolean;
}

/** Each long-running script, the role that needs it, and the pid file that makes it one per home. */
const LONG_RUNNING: LongRunningPart[] = [
  { part: 'scripts/goplot.js', role: 'plotter', pidFile: 'goplot.pid' },
  { part: 'scripts/harvesterlog.js', role: 'harvester', pidFile: 'harvesterlog.pid' },
  // an archiver with nothing to empty would only idle: it runs once archive_staging names a farm or disk
  {
    part: 'scripts/archiver.js',
    role: 'plotter',
    pidFile: 'archiver.pid',
    wanted: (config) => config.get('archive_staging') !== '',
  },
];

/** What `node scripts/start.js` runs on this host, decided before anything starts. */
export interface SuitePlan {
  /** config/role.goplot as read at start. */
  role: string;
  roles: Set<Role>;
  /** The environment every child and run gets. */
  childEnv: NodeJS.ProcessEnv;
  /** The scheduled runs this host's roles need. */
  jobs: SuiteJob[];
  /** The long-running scripts this host's roles need, that are wanted and installed. */
  longRunning: LongRunningPart[];
  /** The scripts the role leaves out, for the log. */
  leftOut: string[];
}

/**
 * The parts this host runs: a harvester host runs no loop and no getfarm, which would only fail
 * there (config/role.goplot); the archiver runs once archive_staging names something to empty.
 */
export function planSuite(paths: HomePaths, env: NodeJS.ProcessEnv, config: ConfigReader): SuitePlan {
  const childEnv = { UV_THREADPOOL_SIZE: '64', ...env, GOPLOT_HOME: paths.home };
  let diskhandLogger: Logger | null = null;
  const role = config.get('role');
  const roles = rolesOf(role);
  const allJobs = suiteJobs(
    paths,
    childEnv,
    () => (diskhandLogger ??= createLogger(paths, 'diskhand', 'diskhand.log')),
  );
  const longRunning = LONG_RUNNING.filter(
    (candidate) =>
      roles.has(candidate.role) && (candidate.wanted?.(config) ?? true) && fs.existsSync(packageScript(candidate.part)),
  );
  const leftOut = [
    ...LONG_RUNNING.filter((candidate) => !roles.has(candidate.role)).map(({ part }) => part),
    ...allJobs.filter((job) => !roles.has(job.role)).map((job) => job.script),
  ];
  return { role, roles, childEnv, jobs: allJobs.filter((job) => roles.has(job.role)), longRunning, leftOut };
}
