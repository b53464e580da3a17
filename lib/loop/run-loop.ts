import path from 'node:path';
import chokidar from 'chokidar';
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
    return await takeOverDuties({
      paths,
      config,
      log: (level, message) => log[level](message),
      who: `loop pid ${process.pid}`,
      aheadSeconds: ORPHAN_LOOK_MS / 1000,
    });
  } catch (error) {
    log.warn(`replot: could not take over room duties: ${errorMessage(error)}`);
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
  let settle: NodeJS.Timeout | null = null;
  // depth 2: config/jobs/<name>/<value>.goplot is watched as the global files are
  const watcher = chokidar.watch(paths.configDir, { ignoreInitial: true, depth: 2 });
  watcher.on('all', (_event, file) => {
    if (!file.endsWith('.goplot')) return;
    if (settle) clearTimeout(settle);
    settle = setTimeout(() => waker.wake(), CONFIG_SETTLE_MS);
  });
  // a change made before the watcher is ready would be missed until the next poll
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  stop.addEventListener('abort', () => waker.wake(), { once: true });
  const loopStartedMs = world.now();
  log.info(`loop started for home ${paths.home}`);

  let lastKey = '';
  let lastLoggedMs = 0;
  // A tractor that died before it had a plot (a crash, a full disk) could not count its failure:
  // the loop counts it here, so it backs off instead of launching one tractor after another.
  const crashes = { count: 0, lastS: 0 };
  // Between fork and exec a new tractor's /proc cmdline is still this loop's: until it shows as a
  // tractor (or ends) the loop counts it itself, or a quick second pass would not see it pending.
  const launched = new Set<number>();
  const decideWorld: StartWorld = {
    ...world,
    findTractors: () => [...new Set([...world.findTractors(), ...launched])],
  };
  const launch = (job: string | undefined): number | undefined => {
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
  const sleepFor = (nowMs: number, retryAtMs: number | undefined): number =>
    Math.min(config.get('plot_poll') * 1000, retryAtMs !== undefined ? retryAtMs - nowMs + 20 : Infinity);

  /** The implicit job (no config/jobs/): one decision and its consequence; returns how long to sleep. */
  const runPass = async (): Promise<number> => {
    const decision = await decideWithWorld(config, decideWorld, loopStartedMs, crashes);
    const nowMs = world.now();
    if (stop.aborted) return 0;
    if (decision.start) {
      const pid = launch(undefined);
      log.info(`starting a plot: ${decision.reason}; tractor pid ${pid ?? '?'}`);
    } else if (decision.key !== lastKey || nowMs - lastLoggedMs >= HEARTBEAT_MS) {
      log.info(`${decision.key === lastKey ? 'still not started' : 'not started'}: ${decision.reason}`);
      lastLoggedMs = nowMs;
    }
    lastKey = decision.key;
    return sleepFor(nowMs, decision.start ? undefined : decision.retryAtMs);
  };

  let homeJobs: HomeJobs | undefined;
  const saidJobProblems = new Set<string>();
  const jobKeys = new Map<string, { key: string; loggedMs: number }>();
  let nextJob = 0;
  const sayOnce = (line: string) => {
    if (saidJobProblems.has(line)) return;
    saidJobProblems.add(line);
    log.warn(line);
  };
  /**
   * A line per job whose reason to wait changed (or every HEARTBEAT_MS). A start of this or any
   * other job, or a global wait between, is no change of the job's reason: 1000 idle jobs were
   * said again after every start, 13,000 lines in 20 s.
   */
  const logWaits = (waits: JobWait[], nowMs: number) => {
    for (const { job, decision } of waits) {
      const last = jobKeys.get(job);
      if (last && last.key === decision.key && nowMs - last.loggedMs < HEARTBEAT_MS) continue;
      log.info(`job ${job} ${last?.key === decision.key ? 'still waits' : 'waits'}: ${decision.reason}`);
      jobKeys.set(job, { key: decision.key, loggedMs: nowMs });
    }
  };
  /** With config/jobs/: the global limits, then each job in turn. */
  const runJobsPass = async (jobs: HomeJobs): Promise<number> => {
    if (jobs.jobs.length === 0) {
      sayOnce(`no job can run: config/jobs/ holds no folder with a valid job name`);
      return config.get('plot_poll') * 1000;
    }
    const result = await decideJobs(config, jobs.jobs, nextJob, decideWorld, loopStartedMs, crashes);
    const nowMs = world.now();
    if (stop.aborted) return 0;
    if (result.kind === 'global') {
      const { decision } = result;
      if (decision.key !== lastKey || nowMs - lastLoggedMs >= HEARTBEAT_MS) {
        log.info(`${decision.key === lastKey ? 'still not started' : 'not started'}: ${decision.reason}`);
        lastLoggedMs = nowMs;
      }
      lastKey = decision.key;
      return sleepFor(nowMs, decision.retryAtMs);
    }
    lastKey = '';
    logWaits(result.waits, nowMs);
    const retries = result.waits.map((wait) => wait.decision.retryAtMs).filter((ms): ms is number => ms !== undefined);
    if (result.kind === 'wait') return sleepFor(nowMs, retries.length > 0 ? Math.min(...retries) : undefined);
    const pid = launch(result.job.name);
    nextJob = jobs.jobs.indexOf(result.job) + 1;
    log.info(`starting a plot for job ${result.job.name}: ${result.decision.reason}; tractor pid ${pid ?? '?'}`);
    return sleepFor(nowMs, retries.length > 0 ? Math.min(...retries) : undefined);
  };
  const runAnyPass = async (): Promise<number> => {
    homeJobs = loadHomeJobs(config, configLogSink(log), env, homeJobs);
    for (const line of homeJobs.refused) sayOnce(line);
    for (const job of homeJobs.jobs) if (!job.implicit) findForeignJobFiles(paths, job.name).forEach(sayOnce);
    const only = homeJobs.jobs[0];
    return homeJobs.jobs.length === 1 && only?.implicit ? runPass() : runJobsPass(homeJobs);
  };
  try {
    while (!stop.aborted) {
      let pause: number;
      try {
        pause = await runAnyPass();
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
    if (settle) clearTimeout(settle);
    await watcher.close();
    pidFile.release();
  }
  log.info('loop stopped; running plots keep running');
  return { ok: true };
}
