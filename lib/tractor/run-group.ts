import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { parsePos2Template, templateNamesPlaceholder } from '../config/pos2-template.js';
import { writeStateValue } from '../config/write-value.js';
import { readKillMarker } from '../control/kill-marker.js';
import { highestPlotLogIndex } from '../farm/highest-plot-log-index.js';
import {
  groupsDir,
  readLiveGroups,
  removeGroupState,
  writeGroupState,
  type PlotGroupState,
} from '../farm/plot-groups.js';
import { removeGroupLeftovers } from '../farm/group-leftovers.js';
import { JOB_ENV, readHomeRunningPlots } from '../farm/plot-scope.js';
import { pos2PlotBytes } from '../farm/plot-size.js';
import { withStateLock } from '../farm/state-lock.js';
import { chooseMetaGroup, metaGroupsInUse } from '../plan/choose-meta-group.js';
import { planPos2Runs, pos2GroupFromConfig, type Pos2Run } from '../plan/pos2-command.js';
import { planStart } from '../plan/start-plan.js';
import { commitStartWrites, describeStartWrites, startValueWrites, type StartWrites } from '../plan/start-writes.js';
import { DEFAULT_JOB, recordPlotOutcome } from '../plot-outcomes/plot-outcomes.js';
import { errorMessage } from '../util/error-message.js';
import { formatDuration } from '../util/format-duration.js';
import type { Logger } from '../util/logger.js';
import { countFailure, EXIT_FAILED, EXIT_FINISHED, EXIT_KILLED } from './plot-exit.js';
import { GroupRoom } from './group-landing.js';
import { landFinishedPlots, startLandingWatch, type LandingWatch } from './land-pos2-plots.js';
import { releaseReservation } from './release-reservation.js';
import { runGroupPlotter } from './run-group-plotter.js';

export interface GroupOptions {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  config: ConfigReader;
  job?: string;
  dryRun: boolean;
  now: () => number;
  print: (line: string) => void;
  refuse: (message: string, countAsFailure: boolean) => Promise<number>;
  /** How often the runner looks for landed plots (ms). */
  pollMs?: number;
}

interface GroupStart {
  state: PlotGroupState;
  runs: Pos2Run[];
  diskDir: string;
  writes: StartWrites;
}

/** Under the state lock: the disk (with the whole group's room reserved), the index, the meta group, the runs. */
async function chooseGroup(o: GroupOptions): Promise<GroupStart | { refused: string; countsAsFailure: boolean }> {
  const { paths, config } = o;
  return withStateLock(paths, async () => {
    const running = readHomeRunningPlots(config);
    const plan = await planStart({ paths, config, env: o.env, running, log: (m) => o.log.info(m) });
    if (!plan.ok) {
      // what the re-checks found (a disk full, unmounted) is true whether or not a group starts
      if (!o.dryRun) commitStartWrites({ disks: plan.diskWrites, values: [] }, paths);
      return { refused: plan.message, countsAsFailure: plan.countsAsFailure };
    }
    const { temp, destination } = plan;
    const farmRoot = config.get('farm_root');
    const index =
      Math.max(config.get('index'), await highestPlotLogIndex(farmRoot, config.get('disk_timeout') * 1000)) + 1;
    const template = parsePos2Template(config.get('plot_command_v2'));
    const passesMeta =
      config.get('plotter') === 'xchplot2' || (template.ok && templateNamesPlaceholder(template.words, 'meta_group'));
    const metaGroup = passesMeta
      ? chooseMetaGroup(metaGroupsInUse(destination.plotsDir, readLiveGroups(groupsDir(paths))))
      : null;
    const tempDir = path.join(temp.dir, `goplot-group-${index}-${process.pid}`);
    const group = pos2GroupFromConfig(config, { tempDir, destDir: destination.plotsDir, metaGroup: metaGroup ?? 0 });
    const runs = planPos2Runs(group);
    if ('problem' in runs) return { refused: runs.problem, countsAsFailure: true };
    const state: PlotGroupState = {
      index,
      job: o.job ?? null,
      plotter: group.plotter as PlotGroupState['plotter'],
      tractorPid: process.pid,
      plotterPid: null,
      plotterArgv: null,
      farm: destination.farm,
      disk: destination.disk,
      plotsDir: destination.plotsDir,
      tempDir,
      logFile: path.join(destination.logsDir, `plot.${index}.log`),
      k: group.k,
      strength: group.strength,
      metaGroup,
      groupSize: group.groupSize,
      done: 0,
      plotBytes: pos2PlotBytes(group.k),
      startedMs: o.now(),
      plotFraction: 0,
    };
    const writes = { disks: plan.diskWrites, values: startValueWrites(paths, o.job, index, plan, o.now()) };
    if (!o.dryRun) {
      commitStartWrites(writes, paths);
      // written under the lock: the next tractor sees this group's meta group and room
      writeGroupState(paths, state);
    }
    return { state, runs, diskDir: destination.diskDir, writes };
  });
}

/**
 * One pos2 plot group: `group_size` plots on one disk, one meta group, indices 0..N-1, made by one
 * plotter run or one run per plot. Each plot is counted as it lands in plots/; a group cut short
 * keeps the plots already made. Exit codes as for a plot: 0 whole (or ended by goplot kill), 1 cut short.
 */
export async function runPlotGroup(o: GroupOptions): Promise<number> {
  const chosen = await chooseGroup(o);
  if ('refused' in chosen) return await o.refuse(chosen.refused, chosen.countsAsFailure);
  const { state, runs, diskDir, writes } = chosen;
  if (o.dryRun) {
    if (o.job !== undefined) o.print(`job:         ${o.job}`);
    o.print(`index:       ${state.index}`);
    o.print(
      `group:       ${state.groupSize} plots k${state.k} strength ${state.strength}, meta group ${state.metaGroup ?? 'chosen by the plotter'}`,
    );
    o.print(`disk:        ${state.farm}/${state.disk} (${diskDir})`);
    o.print(`temp:        ${state.tempDir}`);
    o.print(`log:         ${state.logFile}`);
    o.print(
      `command:     ${[runs[0]!.command, ...runs[0]!.args].join(' ')}${runs.length > 1 ? ` (and ${runs.length - 1} more runs, index raised each time)` : ''}`,
    );
    for (const line of describeStartWrites(writes, o.paths)) o.print(`would write: ${line}`);
    return EXIT_FINISHED;
  }
  const forJob = o.job === undefined ? '' : ` for job ${o.job}`;
  o.log.info(
    `group ${state.index} started${forJob}: ${state.plotter} ${state.groupSize} plots k${state.k} strength ${state.strength}, meta group ${state.metaGroup ?? 'chosen by the plotter'}, dest ${state.farm}/${state.disk}, ${runs.length} plotter run${runs.length === 1 ? '' : 's'}, log ${state.logFile}`,
  );
  o.print(
    `group ${state.index} started: ${state.groupSize} plots into ${state.farm}/${state.disk}; log: ${state.logFile}`,
  );
  fs.mkdirSync(state.tempDir, { recursive: true });
  if (o.job !== undefined) fs.appendFileSync(state.logFile, `goplot job: ${o.job}\n`);
  const disk = { farm: state.farm, disk: state.disk, diskDir, plotsDir: state.plotsDir };
  const room = new GroupRoom({ paths: o.paths, config: o.config, log: o.log, state, diskDir });
  await room.landed({ disk, nextPlotBytes: state.plotBytes, plotsLeft: state.groupSize });
  const watch = startLandingWatch({ plotsDir: state.plotsDir, tempDir: state.tempDir, k: state.k });
  const leave = (signal: string) => {
    o.log.warn(
      `tractor got ${signal}; group ${state.index} (pid ${state.plotterPid}) keeps running, its end will not be logged`,
    );
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => leave(signal));
  let end: { exitCode: number | null; signal: NodeJS.Signals | null } = { exitCode: 0, signal: null };
  for (const run of runs) {
    end = await runGroupPlotter({
      run,
      state,
      env: o.job === undefined ? o.env : { ...o.env, [JOB_ENV]: o.job },
      pollMs: o.pollMs ?? 250,
      save: () => {
        writeGroupState(o.paths, state);
        room.plotterIs(state.plotterPid);
      },
      look: (writerGone) => landPlots(o, state, watch, room, disk, writerGone),
    });
    if (end.signal !== null || end.exitCode !== 0) break;
  }
  room.ended();
  return await concludeGroup(o, state, end);
}

/** Counts what landed since the last look, says so, and calls the landing point for the next plot. */
async function landPlots(
  o: GroupOptions,
  state: PlotGroupState,
  watch: LandingWatch,
  room: GroupRoom,
  disk: { farm: string; disk: string; diskDir: string; plotsDir: string },
  writerGone: boolean,
): Promise<void> {
  let landed;
  try {
    landed = landFinishedPlots(watch, writerGone, state.metaGroup);
  } catch (error) {
    o.log.error(`group ${state.index}: cannot move a finished plot into ${state.plotsDir}: ${errorMessage(error)}`);
    return;
  }
  for (const plot of landed) {
    state.done += 1;
    state.plotFraction = 0;
    const facts = plot.header.pos2!;
    state.metaGroup ??= facts.metaGroup;
    const from = plot.movedFrom === null ? '' : ` (moved from ${plot.movedFrom})`;
    o.log.info(
      `group ${state.index}: plot ${state.done}/${state.groupSize} landed: ${path.basename(plot.file)}${from}, index ${facts.plotIndex}, meta group ${facts.metaGroup}, strength ${plot.header.pos2!.strength}, on ${state.farm}/${state.disk}`,
    );
    if (facts.metaGroup !== state.metaGroup)
      o.log.warn(
        `group ${state.index}: ${path.basename(plot.file)} has meta group ${facts.metaGroup}, not the group's ${state.metaGroup}`,
      );
    writeGroupState(o.paths, state);
    const plotsLeft = Math.max(0, state.groupSize - state.done);
    await room.landed({ disk, nextPlotBytes: plotsLeft > 0 ? state.plotBytes : 0, plotsLeft });
  }
}

/** Says how the group ended; the plots already made stay, whatever the end. */
async function concludeGroup(
  o: GroupOptions,
  state: PlotGroupState,
  end: { exitCode: number | null; signal: NodeJS.Signals | null },
): Promise<number> {
  const seconds = (o.now() - state.startedMs) / 1000;
  // the plotter has ended (its exit was awaited): what it left half-written in plots/ goes, its plots stay
  const liveGroups = readLiveGroups(groupsDir(o.paths));
  removeGroupLeftovers(state, { liveGroups }, (level, message) => o.log[level](message));
  removeGroupState(o.paths, state.index);
  fs.rmSync(state.tempDir, { recursive: true, force: true });
  const job = o.job ?? DEFAULT_JOB;
  const count = async (outcome: 'finished' | 'failed', plots: number) => {
    for (let plot = 0; plot < plots; plot++) {
      const problem = await recordPlotOutcome(
        o.paths,
        { job, plotter: state.plotter, outcome, seconds: seconds / Math.max(1, state.done) },
        o.now,
      ).catch(
        (error: unknown) => `group ${state.index}: cannot count its plots for the metrics: ${errorMessage(error)}`,
      );
      if (problem) o.log.warn(problem);
    }
  };
  const where = `${state.farm}/${state.disk}, meta group ${state.metaGroup ?? 'unknown'}`;
  if (end.exitCode === 0 && end.signal === null && state.done >= state.groupSize) {
    writeStateValue(o.paths, 'failures', 0);
    o.log.info(
      `group ${state.index} finished: ${state.done}/${state.groupSize} plots in ${formatDuration(seconds)} (${where})`,
    );
    // its plots are on the disk now: measured again (with the room replot can still make) as a
    // finished plot's is, or the group's reservation left a replot disk `full` until diskhand ran
    await releaseReservation({ paths: o.paths, config: o.config, env: o.env, log: o.log, plot: state });
    await count('finished', state.done);
    return EXIT_FINISHED;
  }
  const how = end.signal
    ? `killed by ${end.signal}`
    : end.exitCode === 0
      ? `the plotter ended with ${state.done} of ${state.groupSize} plots made`
      : `exit code ${end.exitCode}`;
  const killed = readKillMarker(o.paths, state.index);
  const cause = killed === null ? how : `ended on request (goplot kill by ${killed.by})`;
  o.log[killed === null ? 'error' : 'info'](
    `group ${state.index} cut short: ${cause} after ${formatDuration(seconds)}; keeps its ${state.done} plot${state.done === 1 ? '' : 's'} made of ${state.groupSize} (${where})`,
  );
  await count('finished', state.done);
  await releaseReservation({ paths: o.paths, config: o.config, env: o.env, log: o.log, plot: state });
  if (killed !== null) return EXIT_KILLED;
  await countFailure(o.paths, o.config, o.now);
  await count('failed', 1);
  return EXIT_FAILED;
}
