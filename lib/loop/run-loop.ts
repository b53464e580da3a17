import path from 'node:path';
import { createRequire } from 'node:module';
import type * as Chokidar from 'chokidar';
import { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { configLogSink, type Logger } from '../util/logger.js';
import { initValueFiles } from '../config/write-value.js';
import { decideWithWorld } from '../plan/decide-with-world.js';
import { decideJobs, type JobWait } from '../plan/decide-jobs.js';
import { findForeignJobFiles, loadHomeJobs, type HomeJobs } from '../jobs/home-jobs.js';
import type { StartWorld } from '../plan/start-world.js';
import { acquirePidFile } from '../farm/pid-file.js';
import { Waker } from './waker.js';
import { takeOverDuties } from '../replot/take-over-duties.js';
import { sweepDeadGroups } from '../farm/group-leftovers.js';
import { hasGroupFiles } from '../farm/plot-groups.js';
import { withStateLock } from '../farm/state-lock.js';
import { errorMessage } from '../util/error-message.js';

/** How often an unchanged "not started" reason is written again, so the log shows the loop lives. */
export const HEARTBEAT_MS = 10 * 60 * 1000;
/** `echo 2 > file` truncates before it writes: read after the writer is done. */
const CONFIG_SETTLE_MS = 150;

/** The loop's view of the world, passed in so tests and the script can differ. */
export interface LoopWorld extends StartWorld {
  /** job: the tractor's --job (absent for the implicit job, as before jobs). */
  launchTractor: (
    onExit: (code: number | null, signal: NodeJS.Signals | null) => void,
    job?: string,
  ) => number | undefined;
}

export interface LoopOptions {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  world: LoopWorld;
  stop: AbortSignal;
}

export type LoopResult = { ok: true } | { ok: false; message: string };

/** How often the loop looks at a plot whose tractor died while its room is still to be made. */
const ORPHAN_LOOK_MS = 2000;

async function takeOverRoomDuties(paths: HomePaths, config: ConfigReader, log: Logger): Promise<number> {
  try {
    // a group whose tractor and plotter both died leaves half-written plots: they go before room is counted
    if (hasGroupFiles(paths))
      await withStateLock(paths, async () =>
        sweepDeadGroups({ paths, who: `loop pid ${process.pid}`, log: (level, message) => log[level](message) }),
      );
    return await takeOverDuties({
      paths,
      config,
      log: (level, message) => log[level](message),
      who: `loop pid ${process.pid}`,
      aheadSeconds: ORPHAN_LOOK_MS / 1000,
    });
  } catch (error) {
    log.warn(`could not take over the work of dead tractors: ${errorMessage(error)}`);
    return 0;
  }
}

export async function runLoop({ paths, env, log, world, stop }: LoopOptions): Promise<LoopResult> {
  const pidFile = acquirePidFile(path.join(paths.logsDir, 'goplot.pid'), {
    marker: 'goplot.js',
    what: 'goplot loop',
    onReplaced: (message) => log.warn(message),
  });
  if (!pidFile.ok) return { ok: false, message: pidFile.message };

  const { created } = initValueFiles(paths);
  if (created.length > 0)
    log.info(`created ${created.length} missing value files with their defaults in ${paths.configDir}`);
  const config = new ConfigReader(paths, configLogSink(log), env);
  const waker = new Waker();
  const watch = await watchConfig(paths, waker);
  stop.addEventListener('abort', () => waker.wake(), { once: true });
  const loopStartedMs = world.now();
  log.info(`loop started for home ${paths.home}`);

  // A tractor that died before it had a plot (a crash, a full disk) could not count its failure:
  // the loop counts it here, so it backs off instead of launching one tractor after another.
  const crashes = { count: 0, lastS: 0 };
  // Between fork and exec a new tractor's /proc cmdline is still this loop's: until it shows as a
  // tractor (or ends) the loop counts it itself, or a quick second pass would not see it pending.
  const launched = new Set<number>();
  const pass: PassContext = {
    ...{ paths, env, log, world, stop, config, loopStartedMs, crashes },
    decideWorld: { ...world, findTractors: () => [...new Set([...world.findTractors(), ...launched])] },
    launch: tractorLauncher(world, log, waker, crashes, launched),
    lastKey: '',
    lastLoggedMs: 0,
    homeJobs: undefined,
    saidJobProblems: new Set<string>(),
    jobKeys: new Map<string, { key: string; loggedMs: number }>(),
    nextJob: 0,
  };
  try {
    while (!stop.aborted) {
      let pause: number;
      try {
        pause = await runAnyPass(pass);
      } catch (error) {
        // a full disk, a directory where a state file belongs: said, and tried again, never a dead loop
        pause = Math.max(5, config.get('plot_poll')) * 1000;
        log.error(`loop pass failed: ${errorMessage(error)}; trying again in ${pause / 1000} s`);
      }
      // a plot whose tractor died gets its room from here, looked at often enough to be in time
      if ((await takeOverRoomDuties(paths, config, log)) > 0) pause = Math.min(pause, ORPHAN_LOOK_MS);
      await waker.sleep(pause);
    }
  } finally {
    await watch.close();
    pidFile.release();
  }
  log.info('loop stopped; running plots keep running');
  return { ok: true };
}

/** A settled change of a value file wakes the loop; resolves once the watcher is ready. */
async function watchConfig(paths: HomePaths, waker: Waker): Promise<{ close: () => Promise<void> }> {
  let settle: NodeJS.Timeout | null = null;
  // depth 2: config/jobs/<name>/<value>.goplot is watched as the global files are
  // required when the loop starts watching, not at the top: `--help` and the bundled entry
  // before it load none of chokidar's modules
  const chokidar = createRequire(import.meta.url)('chokidar') as typeof Chokidar;
  const watcher = chokidar.watch(paths.configDir, { ignoreInitial: true, depth: 2 });
  watcher.on('all', (_event, file) => {
    if (!file.endsWith('.goplot')) return;
    if (settle) clearTimeout(settle);
    settle = setTimeout(() => waker.wake(), CONFIG_SETTLE_MS);
  });
  // a change made before the watcher is ready would be missed until the next poll
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    close: async () => {
      if (settle) clearTimeout(settle);
      await watcher.close();
    },
  };
}

/** What the passes share: the world, the crash count, and what was said last (for the heartbeat). */
interface PassContext {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  world: LoopWorld;
  stop: AbortSignal;
  config: ConfigReader;
  loopStartedMs: number;
  crashes: { count: number; lastS: number };
  decideWorld: StartWorld;
  launch: (job: string | undefined) => number | undefined;
  lastKey: string;
  lastLoggedMs: number;
  homeJobs: HomeJobs | undefined;
  saidJobProblems: Set<string>;
  jobKeys: Map<string, { key: string; loggedMs: number }>;
  nextJob: number;
}

/** Launches a tractor, and counts its end: a crash backs the loop off, a plot's end resets that. */
function tractorLauncher(
  world: LoopWorld,
  log: Logger,
  waker: Waker,
  crashes: { count: number; lastS: number },
  launched: Set<number>,
): (job: string | undefined) => number | undefined {
  return (job) => {
    // the tractor writes last_start once it has a plot; a refused one sets off the back-off instead
    const pid = world.launchTractor((code, signal) => {
      if (pid !== undefined) launched.delete(pid);
      if (signal !== null || (code !== null && code > 2)) {
        crashes.count++;
        crashes.lastS = Math.floor(world.now() / 1000);
        log.error(
          `tractor pid ${pid ?? '?'} ended unexpectedly (${signal ?? `exit code ${code}`}); see its lines above`,
        );
      } else if (code === 0 || code === 1) {
        crashes.count = 0;
      }
      waker.wake();
    }, job);
    if (pid !== undefined) launched.add(pid);
    return pid;
  };
}

function sleepFor(c: PassContext, nowMs: number, retryAtMs: number | undefined): number {
  return Math.min(c.config.get('plot_poll') * 1000, retryAtMs !== undefined ? retryAtMs - nowMs + 20 : Infinity);
}

function sayOnce(c: PassContext, line: string): void {
  if (c.saidJobProblems.has(line)) return;
  c.saidJobProblems.add(line);
  c.log.warn(line);
}

/** The jobs of the home, read again each pass; returns how long to sleep. */
async function runAnyPass(c: PassContext): Promise<number> {
  const homeJobs = loadHomeJobs(c.config, configLogSink(c.log), c.env, c.homeJobs);
  c.homeJobs = homeJobs;
  for (const line of homeJobs.refused) sayOnce(c, line);
  for (const job of homeJobs.jobs)
    if (!job.implicit) findForeignJobFiles(c.paths, job.name).forEach((line) => sayOnce(c, line));
  const only = homeJobs.jobs[0];
  return homeJobs.jobs.length === 1 && only?.implicit ? runPass(c) : runJobsPass(c, homeJobs);
}

/** A "not started" line when the reason changed, or every HEARTBEAT_MS. */
function logNotStarted(c: PassContext, decision: { key: string; reason: string }, nowMs: number): void {
  if (decision.key !== c.lastKey || nowMs - c.lastLoggedMs >= HEARTBEAT_MS) {
    c.log.info(`${decision.key === c.lastKey ? 'still not started' : 'not started'}: ${decision.reason}`);
    c.lastLoggedMs = nowMs;
  }
}

/** The implicit job (no config/jobs/): one decision and its consequence; returns how long to sleep. */
async function runPass(c: PassContext): Promise<number> {
  const decision = await decideWithWorld(c.config, c.decideWorld, c.loopStartedMs, c.crashes);
  const nowMs = c.world.now();
  if (c.stop.aborted) return 0;
  if (decision.start) {
    const pid = c.launch(undefined);
    c.log.info(`starting a plot: ${decision.reason}; tractor pid ${pid ?? '?'}`);
  } else logNotStarted(c, decision, nowMs);
  c.lastKey = decision.key;
  return sleepFor(c, nowMs, decision.start ? undefined : decision.retryAtMs);
}

/**
 * A line per job whose reason to wait changed (or every HEARTBEAT_MS). A start of this or any
 * other job, or a global wait between, is no change of the job's reason: 1000 idle jobs were
 * said again after every start, 13,000 lines in 20 s.
 */
function logWaits(c: PassContext, waits: JobWait[], nowMs: number): void {
  for (const { job, decision } of waits) {
    const last = c.jobKeys.get(job);
    if (last && last.key === decision.key && nowMs - last.loggedMs < HEARTBEAT_MS) continue;
    c.log.info(`job ${job} ${last?.key === decision.key ? 'still waits' : 'waits'}: ${decision.reason}`);
    c.jobKeys.set(job, { key: decision.key, loggedMs: nowMs });
  }
}

/** With config/jobs/: the global limits, then each job in turn. */
async function runJobsPass(c: PassContext, jobs: HomeJobs): Promise<number> {
  if (jobs.jobs.length === 0) {
    sayOnce(c, `no job can run: config/jobs/ holds no folder with a valid job name`);
    return c.config.get('plot_poll') * 1000;
  }
  const result = await decideJobs(c.config, jobs.jobs, c.nextJob, c.decideWorld, c.loopStartedMs, c.crashes);
  const nowMs = c.world.now();
  if (c.stop.aborted) return 0;
  if (result.kind === 'global') {
    const { decision } = result;
    logNotStarted(c, decision, nowMs);
    c.lastKey = decision.key;
    return sleepFor(c, nowMs, decision.retryAtMs);
  }
  c.lastKey = '';
  logWaits(c, result.waits, nowMs);
  const retries = result.waits.map((wait) => wait.decision.retryAtMs).filter((ms): ms is number => ms !== undefined);
  if (result.kind === 'wait') return sleepFor(c, nowMs, retries.length > 0 ? Math.min(...retries) : undefined);
  const pid = c.launch(result.job.name);
  c.nextJob = jobs.jobs.indexOf(result.job) + 1;
  c.log.info(`starting a plot for job ${result.job.name}: ${result.decision.reason}; tractor pid ${pid ?? '?'}`);
  return sleepFor(c, nowMs, retries.length > 0 ? Math.min(...retries) : undefined);
}
