import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '../config/config-reader.js';
import { highestPlotLogIndex } from '../farm/highest-plot-log-index.js';
import type { HomePaths } from '../config/home.js';
import { configLogSink, type Logger } from '../util/logger.js';
import { buildPlotterCommand, plotJobFromConfig } from '../plan/plotter-command.js';
import { planStart } from '../plan/start-plan.js';
import { JOB_ENV } from '../farm/plot-scope.js';
import { JobConfigReader } from '../jobs/job-config.js';
import { readHomeRunningPlots, readPlotScope } from '../farm/plot-scope.js';
import { withStateLock } from '../farm/state-lock.js';
import { initValueFiles } from '../config/write-value.js';
import { commitStartWrites, describeStartWrites, startValueWrites } from '../plan/start-writes.js';
import { countFailure, EXIT_FINISHED, ownTempDir } from './plot-exit.js';
import { wrapWithPriority } from './priority-wrapper.js';
import type { spawnPlotter } from './spawn-plotter.js';
import type { ReplotGuard } from './replot-guard.js';
import { isPos2Plotter } from '../config/value-specs.js';

export interface TractorOptions {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  force: boolean;
  dryRun: boolean;
  /** `--job NAME`: a plot of config/jobs/NAME/; absent: the global files, as before jobs. */
  job?: string;
  now: () => number;
  print: (line: string) => void;
  printError: (line: string) => void;
}

/** Exit codes: 0 plot finished, 1 plot failed, 2 nothing started (refused). */
export { EXIT_FAILED, EXIT_FINISHED } from './plot-exit.js';
export const EXIT_REFUSED = 2;

export async function runTractor(options: TractorOptions): Promise<number> {
  const { paths, env, log, now } = options;
  if (!options.dryRun) {
    // DESIGN §4: first start creates the missing value files, so a one-shot tractor does not log
    // "missing, using the default" for each of them on every plot.
    const { created } = initValueFiles(paths);
    if (created.length > 0)
      log.info(`created ${created.length} missing value files with their defaults in ${paths.configDir}`);
  }
  const jobName = options.job;
  const config =
    jobName === undefined
      ? new ConfigReader(paths, configLogSink(log), env)
      : new JobConfigReader(paths, jobName, configLogSink(log), env);
  const refuse = async (message: string, countAsFailure: boolean): Promise<number> => {
    log[countAsFailure ? 'error' : 'warn'](`tractor refused: ${message}`);
    options.printError(`tractor: ${message}`);
    if (countAsFailure && !options.dryRun) await countFailure(paths, config, now);
    return EXIT_REFUSED;
  };

  const notNow = await whyNotNow(options, config);
  if (notNow !== null) return await refuse(notNow, false);
  // a pos2 plotter makes a plot group, the unit of work for pos2 plots (DESIGN §17); a pos1
  // tractor loads none of the group's code
  if (isPos2Plotter(config.get('plotter'))) {
    const { runPlotGroup } = await import('./run-group.js');
    return await runPlotGroup({ ...options, config, job: jobName, refuse });
  }
  const settings = readPlotSettings(config);

  // The lock covers the choice AND the spawn: the next tractor then sees this plot in /proc when
  // it counts plots per temp dir (max_per_temp), instead of racing it.
  const chosen = await withStateLock(paths, async () => {
    const choice = await choosePlot(options, config, settings);
    if (!choice.ok || options.dryRun) return { ...choice, started: null };
    return { ...choice, started: await startChosen(options, config, settings, choice) };
  });
  if (!chosen.ok) return await refuse(chosen.message, chosen.countsAsFailure);
  if (chosen.started === null) {
    printDryRun(options, chosen);
    return EXIT_FINISHED;
  }
  return await followPlot(options, config, settings, chosen, chosen.started);
}

/** The values the tractor reads once, before the lock. */
function readPlotSettings(config: ConfigReader) {
  return {
    farmRoot: config.get('farm_root'),
    plotter: config.get('plotter'),
    k: config.get('k'),
    commandNames: readPlotScope(config).commandNames,
    priority: {
      nice: config.get('nice'),
      ioniceClass: config.get('ionice_class'),
      ioniceLevel: config.get('ionice_level'),
      cpuAffinity: config.get('cpu_affinity'),
    },
  };
}

/** Why the switches say no plot now (on_toggle, the job's own state), or null; never a failure. */
async function whyNotNow(options: TractorOptions, config: ConfigReader): Promise<string | null> {
  const onToggle = config.get('on_toggle');
  if (onToggle !== 'run' && !options.force && !options.dryRun) {
    return `on_toggle is ${JSON.stringify(onToggle)}, not "run" (echo run > ${config.inspect('on_toggle').file}, or use --force)`;
  }
  if (options.job === undefined) return null;
  const { checkJob } = await import('../jobs/home-jobs.js');
  return checkJob(options.paths, options.job, options.force || options.dryRun);
}

type PlotChoice = Extract<Awaited<ReturnType<typeof choosePlot>>, { ok: true }>;
type PlotSettings = ReturnType<typeof readPlotSettings>;
type StartedPlot = Awaited<ReturnType<typeof spawnPlotter>> & { guard: ReplotGuard };

/**
 * Under the state lock: the plan, the index, the state writes committed (unless a dry run), and
 * the command of the plot that would start; nothing is spawned yet.
 */
async function choosePlot(options: TractorOptions, config: ConfigReader, settings: PlotSettings) {
  const { paths, env, log, now } = options;
  const jobName = options.job;
  const running = readHomeRunningPlots(config);
  const plan = await planStart({ paths, config, env, running, log: (message: string) => log.info(message) });
  if (!plan.ok) {
    // what the re-checks found (a disk full, unmounted) is true whether or not a plot starts
    if (!options.dryRun) commitStartWrites({ disks: plan.diskWrites, values: [] }, paths);
    return plan;
  }
  const { temp, destination } = plan;
  const { plotter, k } = settings;
  // a lost or reset index.goplot must not hand out a number a plot log already has
  const index =
    Math.max(config.get('index'), await highestPlotLogIndex(settings.farmRoot, config.get('disk_timeout') * 1000)) + 1;
  const writes = { disks: plan.diskWrites, values: startValueWrites(paths, jobName, index, plan, now()) };
  if (!options.dryRun) commitStartWrites(writes, paths);
  const plotTempDir = ownTempDir(plotter, temp.dir, index, process.pid);
  const job = plotJobFromConfig(config, { tempDir: plotTempDir, destDir: destination.plotsDir });
  const built = buildPlotterCommand(job);
  if (!built.ok) return { ok: false as const, message: built.message, countsAsFailure: true };
  const wrapped = wrapWithPriority(built.command, built.args, settings.priority);
  const logFile = path.join(destination.logsDir, `plot.${index}.log`);
  const commandLine = [wrapped.command, ...wrapped.args].join(' ');
  const { farm, disk, diskDir, plotsDir } = destination;
  const kind = config.get('pool_contract') === '' ? ('solo' as const) : ('pool' as const);
  const compression = config.get('compression');
  const newPlot = { index, farm, disk, diskDir, plotsDir, plotter, k, compression, kind };
  return {
    ok: true as const,
    index,
    temp,
    plotTempDir,
    destination,
    job,
    logFile,
    commandLine,
    wrapped,
    newPlot,
    writes,
  };
}

/** Still under the state lock: the plot's replot guard, temp dir and job line, then the plotter spawned. */
async function startChosen(
  options: TractorOptions,
  config: ConfigReader,
  settings: PlotSettings,
  choice: PlotChoice,
): Promise<StartedPlot> {
  const { paths, env, log, now } = options;
  const jobName = options.job;
  const { plotTempDir, temp, logFile } = choice;
  // the guard (replot's room step, the plot log followed) is for a plot that starts: a dry run loads none of it
  const [{ createReplotGuard }, { spawnPlotter }] = await Promise.all([
    import('./replot-guard.js'),
    import('./spawn-plotter.js'),
  ]);
  const guard = createReplotGuard({ paths, config, log, plotter: settings.plotter, logFile, plot: choice.newPlot });
  await guard.beforeStart();
  if (plotTempDir !== temp.dir) fs.mkdirSync(plotTempDir, { recursive: true });
  const plotEnv = jobName === undefined ? env : { ...env, [JOB_ENV]: jobName };
  // the log outlives the process: goplot analyze reads the job from this line
  if (jobName !== undefined) fs.appendFileSync(logFile, `goplot job: ${jobName}\n`);
  const started = await spawnPlotter(choice.wrapped, logFile, plotEnv, settings.commandNames, now);
  guard.spawned(started.child.pid);
  return { ...started, guard };
}

function printDryRun(options: TractorOptions, choice: PlotChoice): void {
  const { index, destination, temp, logFile, commandLine, writes } = choice;
  if (options.job !== undefined) options.print(`job:         ${options.job}`);
  options.print(`index:       ${index}`);
  options.print(`farm:        ${destination.farm}`);
  options.print(`disk:        ${destination.disk} (${destination.diskDir})`);
  options.print(`temp:        ${temp.dir}`);
  options.print(`log:         ${logFile}`);
  options.print(`command:     ${commandLine}`);
  for (const line of describeStartWrites(writes, options.paths)) options.print(`would write: ${line}`);
}

/** After the spawn, outside the lock: the start told, the plot waited for, its end concluded. */
async function followPlot(
  options: TractorOptions,
  config: ConfigReader,
  settings: PlotSettings,
  choice: PlotChoice,
  started: StartedPlot,
): Promise<number> {
  const { paths, env, log, now } = options;
  const jobName = options.job;
  const { index, temp, plotTempDir, destination, job, logFile, commandLine } = choice;
  const { child, exited, startedMs, guard } = started;
  const { plotter, k } = settings;
  const plot = {
    index,
    farm: destination.farm,
    disk: destination.disk,
    tempDir: plotTempDir,
    destDir: destination.plotsDir,
    plotter,
    k,
    pid: child.pid ?? 0,
    ...(jobName === undefined ? {} : { job: jobName }),
  };
  const forJob = jobName === undefined ? '' : ` for job ${jobName}`;
  log.info(
    `plot ${index} started${forJob}: pid ${child.pid}, ${plotter} k${k}, temp ${temp.dir}, dest ${destination.farm}/${destination.disk}, log ${logFile}`,
  );
  log.info(`plot ${index} command: ${commandLine}`);
  options.print(`plot ${index} started (pid ${child.pid}); log: ${logFile}`);
  // got, the notifiers and what concludes a plot load only now, after the spawn: they cost a
  // start-up the plot need not wait for (and not at its end: the package may be upgraded meanwhile)
  const [{ createPlotEvents }, { concludePlot }] = await Promise.all([
    import('../notify/plot-events.js'),
    import('./conclude-plot.js'),
  ]);
  const events = createPlotEvents({ paths, config, log, env, now });
  events.started(plot);
  guard.started(events);
  leaveOnSignals(log, index, child.pid);

  const result = await exited;
  await guard.stop();
  const code = await concludePlot({
    paths,
    env,
    config,
    log,
    now,
    events,
    plot,
    result,
    startedMs,
    logFile,
    tempDirs: [plotTempDir, job.temp2Dir],
    ownTempDir: plotTempDir !== temp.dir ? plotTempDir : null,
  });
  guard.ended(code !== EXIT_FINISHED);
  return code;
}

/** A signal ends the tractor, never the plot (its own process group). */
function leaveOnSignals(log: Logger, index: number, pid: number | undefined): void {
  const leave = (signal: string) => {
    log.warn(`tractor got ${signal}; plot ${index} (pid ${pid}) keeps running, its end will not be logged`);
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => leave(signal));
}
