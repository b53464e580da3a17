import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import type { PlotterName } from '../config/value-specs.js';
import { withStateLock } from '../farm/state-lock.js';
import type { PlotEvents } from '../notify/plot-events.js';
import { atLastPhase, followPlotLog, roomMoment } from '../replot/final-write-watch.js';
import type { NewPlot, RemovedPlot, RoomOutcome } from '../replot/make-room.js';
import { dropClaim, writeClaim } from '../replot/room-claims.js';
import { dropDuty, liveStart, writeDuty, type RoomDuty } from '../replot/room-duty.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/error-message.js';

export interface ReplotGuard {
  /** For plotters that write into the destination while plotting: call holding the state lock, before the spawn. */
  beforeStart(): Promise<void>;
  /** Right after the spawn, still holding the lock: a room made before the start is claimed for this plotter. */
  spawned(pid: number | undefined): void;
  /** After the spawn: notifications can go out, and the log is followed for the plot id and the last phase. */
  started(events: PlotEvents): void;
  /**
   * As soon as the plotter has exited: nothing is removed for it after that, and its claim goes.
   * Resolves once a room step under way has let the state lock go: a tractor that exited holding
   * it would make every other tractor and diskhand wait until the lock goes stale.
   */
  stop(): Promise<void>;
  /** When the plot has ended; a failed plot that had an old plot removed for it says so. */
  ended(failed: boolean): void;
}

interface GuardOptions {
  paths: HomePaths;
  config: ConfigReader;
  log: Logger;
  plot: NewPlot;
  plotter: PlotterName;
  logFile: string;
}

/**
 * What one plot's guard knows and has done so far. The guard's calls come at different
 * moments (before the spawn, after it, from log lines, at the exit); each step below reads and
 * updates this one record, so the steps can be read apart.
 */
interface GuardState {
  o: GuardOptions;
  /** A room step ran (at most one per plot). */
  asked: boolean;
  /** The plotter exited: nothing more is removed, claimed or owed for it. */
  stopped: boolean;
  removed: RemovedPlot | null;
  events: PlotEvents | null;
  pid: number | undefined;
  plotId: string | null;
  claimKiB: number | null;
  /** Notifications from before started(), sent once the plot's events exist. */
  unsent: { subject: string; text: string }[];
  follow: { stop(): void } | null;
  roomStep: Promise<void> | null;
  duty: RoomDuty | null;
}

/** Writes the plot's room duty, `done` once its room step ran. */
function owe(s: GuardState, done: boolean): void {
  // the duty outlives this tractor: whoever finds it orphaned makes the room (take-over-duties)
  const { pid } = s;
  if (pid === undefined || s.stopped) return;
  s.duty ??= {
    plot: { ...s.o.plot, pid },
    plotterStart: liveStart('/proc', pid),
    tractorPid: process.pid,
    tractorStart: liveStart('/proc', process.pid),
    logFile: s.o.logFile,
    moment: roomMoment(s.o.plotter),
    done,
    startedMs: Date.now(),
  };
  s.duty = { ...s.duty, done, plot: { ...s.duty.plot, plotId: s.plotId } };
  writeDuty(s.o.paths, s.duty);
}

/** Claims the room made for this plotter, once both its size and the plotter's pid are known. */
function claim(s: GuardState): void {
  const { plot, paths } = s.o;
  if (s.claimKiB !== null && s.pid !== undefined && !s.stopped)
    writeClaim(paths, plot.farm, plot.disk, { pid: s.pid, needKiB: s.claimKiB, plotId: s.plotId });
}

function notify(s: GuardState, subject: string, text: string): void {
  if (s.events) void s.events.notifyEvent('replot_removed', subject, text);
  else s.unsent.push({ subject, text });
}

/** Logs a room step's outcome (replot being off is no news) and keeps what it removed. */
function say(s: GuardState, outcome: RoomOutcome): void {
  const { log, plot } = s.o;
  for (const note of outcome.notes ?? []) log.warn(`plot ${plot.index}: replot: ${note}`);
  if (outcome.removed) {
    s.removed = outcome.removed;
    for (const line of outcome.message.split('\n')) log.info(`plot ${plot.index}: ${line}`);
  } else if (outcome.level === 'warn' || outcome.message !== 'replot is off') {
    log[outcome.level](`plot ${plot.index}: replot: ${outcome.message}`);
  }
}

/** The room step, holding the state lock: at most once, and never after the plotter exited. */
async function makeRoom(s: GuardState): Promise<void> {
  const { log, plot, paths } = s.o;
  if (s.asked || s.stopped) return;
  s.asked = true;
  try {
    // the room step's code loads at its moment, once per plot: a tractor's start needs none of it
    const { makeRoomLocked } = await import('../replot/make-room.js');
    const outcome = await makeRoomLocked({
      paths,
      config: s.o.config,
      plot: { ...plot, pid: s.pid, plotId: s.plotId },
      notify: (subject, text) => notify(s, subject, text),
      stillWanted: () => !s.stopped,
    });
    s.claimKiB = outcome.needKiB ?? null;
    claim(s);
    owe(s, true);
    say(s, outcome);
  } catch (error) {
    log.warn(
      `plot ${plot.index}: replot could not check ${plot.farm}/${plot.disk}: ${errorMessage(error)}; nothing removed`,
    );
  }
}

/**
 * Follows the plot's log: its plot id goes into the claim, and for a last-phase plotter the
 * last phase starts the room step. Stops following once nothing more is wanted from the log.
 */
function followForRoom(s: GuardState): { stop(): void } {
  const { log, plot, paths, plotter } = s.o;
  return followPlotLog(s.o.logFile, (info) => {
    if (info.plotId && s.plotId === null) {
      s.plotId = info.plotId;
      claim(s);
    }
    if (roomMoment(plotter) === 'last-phase' && atLastPhase(info)) {
      // a rejection here would end the tractor (and orphan its plot) from a log line's callback
      s.roomStep = withStateLock(paths, () => makeRoom(s)).catch((error: unknown) =>
        log.warn(
          `plot ${plot.index}: replot could not check ${plot.farm}/${plot.disk}: ${errorMessage(error)}; nothing removed`,
        ),
      );
      return true;
    }
    return roomMoment(plotter) === 'before-start' && s.plotId !== null;
  });
}

/**
 * One plot's replot duty: at most one old plot removed for it, just before it writes its final
 * file to its disk (see roomMoment), and only when the disk would not hold it otherwise.
 */
export function createReplotGuard(o: GuardOptions): ReplotGuard {
  const { log, plot, paths } = o;
  const s: GuardState = {
    o,
    asked: false,
    stopped: false,
    removed: null,
    events: null,
    pid: undefined,
    plotId: null,
    claimKiB: null,
    unsent: [],
    follow: null,
    roomStep: null,
    duty: null,
  };
  return {
    async beforeStart() {
      if (roomMoment(o.plotter) === 'before-start') await makeRoom(s);
    },
    spawned(plotPid) {
      s.pid = plotPid;
      claim(s);
      owe(s, s.asked);
    },
    started(plotEvents) {
      s.events = plotEvents;
      for (const { subject, text } of s.unsent.splice(0)) void plotEvents.notifyEvent('replot_removed', subject, text);
      s.follow = followForRoom(s);
    },
    async stop() {
      s.stopped = true;
      s.follow?.stop();
      if (s.pid !== undefined) dropClaim(paths, plot.farm, plot.disk, s.pid);
      await s.roomStep;
      if (s.pid !== undefined) dropDuty(paths, s.pid);
    },
    ended(failed) {
      if (failed && s.removed) {
        log.warn(
          `plot ${plot.index} failed after replot removed ${s.removed.path} for it; its freed space goes to the next plot on ${plot.farm}/${plot.disk}`,
        );
      }
    },
  };
}
