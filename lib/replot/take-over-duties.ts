import fs from 'node:fs';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { withStateLock } from '../farm/state-lock.js';
import { parsePlotLog } from '../plot-log/parse-plot-log.js';
import { atLastPhase } from './final-write-watch.js';
import { groupRoomLocked } from './group-room.js';
import type { RoomOutcome } from './make-room.js';
import { makeRoomLocked } from './make-room.js';
import { dropClaim, writeClaim } from './room-claims.js';
import { dropDuty, readDuties, stillRuns, writeDuty, type RoomDuty } from './room-duty.js';

export interface TakeOverOptions {
  paths: HomePaths;
  config: ConfigReader;
  log: (level: 'info' | 'warn', message: string) => void;
  /** `loop pid 123`: named in the duty and the log lines. */
  who: string;
  /** Seconds until this caller looks again: a group's room covers the plots that land meanwhile. */
  aheadSeconds: number;
  procDir?: string;
  now?: () => number;
}

/** Whether a duty is owed now: its plotter runs, its tractor is gone, and room is still to be made. */
function orphaned(duty: RoomDuty, procDir: string): boolean {
  return (
    stillRuns(procDir, duty.plot.pid, duty.plotterStart) &&
    !stillRuns(procDir, duty.tractorPid, duty.tractorStart) &&
    !(duty.moment !== 'group' && duty.done)
  );
}

function logText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function say(o: TakeOverOptions, duty: RoomDuty, outcome: RoomOutcome | null): void {
  if (outcome === null) return;
  // named as its tractor names it, so a group's removals read alike whoever made them
  const what = duty.moment === 'group' ? 'group' : 'plot';
  const head = `${what} ${duty.plot.index}: replot (${o.who}, its tractor pid ${duty.tractorPid} is gone):`;
  for (const note of outcome.notes ?? []) o.log('warn', `${head} ${note}`);
  if (outcome.removed) for (const line of outcome.message.split('\n')) o.log('info', `${head} ${line}`);
  else if (outcome.level === 'warn') o.log('warn', `${head} ${outcome.message}`);
}

/**
 * The room duties whose tractor died while its plotter runs: made here, in time, under the state
 * lock (so two takers never remove for one plot; a pos1 duty is marked done in the same lock).
 * A pos1 plot gets its room once its log reaches the last phase, as its tractor would have; a
 * pos2 group before its next plots land. Duties of plotters gone are dropped. Returns how many
 * duties are orphaned (the loop looks again sooner while some are).
 */
export async function takeOverDuties(o: TakeOverOptions): Promise<number> {
  const procDir = o.procDir ?? '/proc';
  const now = o.now ?? Date.now;
  const { duties, problems } = readDuties(o.paths);
  for (const problem of problems) o.log('warn', `replot: ${problem}`);
  let count = 0;
  for (const duty of duties) {
    if (!stillRuns(procDir, duty.plot.pid, duty.plotterStart)) {
      dropDuty(o.paths, duty.plot.pid);
      dropClaim(o.paths, duty.plot.farm, duty.plot.disk, duty.plot.pid);
      continue;
    }
    if (!orphaned(duty, procDir)) continue;
    count += 1;
    if (duty.moment === 'group') await groupStep(o, duty, now());
    else if (atLastPhase(parsePlotLog(logText(duty.logFile)))) await lastPhaseStep(o, duty, procDir);
  }
  return count;
}

async function lastPhaseStep(o: TakeOverOptions, first: RoomDuty, procDir: string): Promise<void> {
  await withStateLock(o.paths, async () => {
    // another taker may have made it meanwhile
    const duty = readDuties(o.paths).duties.find((d) => d.plot.pid === first.plot.pid);
    if (!duty || !orphaned(duty, procDir)) return;
    const plotId = parsePlotLog(logText(duty.logFile)).plotId ?? null;
    const outcome = await makeRoomLocked({
      paths: o.paths,
      config: o.config,
      plot: { ...duty.plot, plotId },
      stillWanted: () => stillRuns(procDir, duty.plot.pid, duty.plotterStart),
    });
    if (outcome.needKiB !== undefined)
      writeClaim(o.paths, duty.plot.farm, duty.plot.disk, { pid: duty.plot.pid, needKiB: outcome.needKiB, plotId });
    writeDuty(o.paths, { ...duty, done: true, takenBy: o.who });
    say(o, duty, outcome);
  });
}

async function groupStep(o: TakeOverOptions, duty: RoomDuty, nowMs: number): Promise<void> {
  if (!duty.group) return;
  const shape = { ...duty.group, startedMs: duty.startedMs };
  await withStateLock(o.paths, async () => {
    const outcome = await groupRoomLocked({
      paths: o.paths,
      config: o.config,
      plot: duty.plot,
      shape,
      nowMs,
      aheadSeconds: o.aheadSeconds,
    });
    if (duty.takenBy !== o.who) writeDuty(o.paths, { ...duty, takenBy: o.who });
    say(o, duty, outcome);
  });
}
