import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import type { PlotterName } from '../config/value-specs.js';
import { withStateLock } from '../farm/state-lock.js';
import type { PlotEvents } from '../notify/plot-events.js';
import { atLastPhase, followPlotLog, roomMoment } from '../replot/final-write-watch.js';
import { makeRoomLocked, type NewPlot, type RemovedPlot, type RoomOutcome } from '../replot/make-room.js';
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

/**
 * One plot's replot duty: at most one old plot removed for it, just before it writes its final
 * file to its disk (see roomMoment), and only when the disk would not hold it otherwise.
 */
export function createReplotGuard(o: {
  paths: HomePaths;
  config: ConfigReader;
  log: Logger;
  plot: NewPlot;
  plotter: PlotterName;
  logFile: string;
}): ReplotGuard {
  const { log, plot, paths } = o;
  let asked = false;
  let stopped = false;
  let removed = null as RemovedPlot | null;
  let events: PlotEvents | null = null;
  let pid: number | undefined;
  let plotId: string | null = null;
  let claimKiB: number | null = null;
  const unsent: { subject: string; text: string }[] = [];
  let follow: { stop(): void } | null = null;
  let roomStep: Promise<void> | null = null;
  let duty: RoomDuty | null = null;
  // the duty outlives this tractor: whoever finds it orphaned makes the room (take-over-duties)
  const owe = (done: boolean): void => {
    if (pid === undefined || stopped) return;
    duty ??= {
      plot: { ...plot, pid },
      plotterStart: liveStart('/proc', pid),
      tractorPid: process.pid,
      tractorStart: liveStart('/proc', process.pid),
      logFile: o.logFile,
      moment: roomMoment(o.plotter),
      done,
      startedMs: Date.now(),
    };
    duty = { ...duty, done, plot: { ...duty.plot, plotId } };
    writeDuty(paths, duty);
  };

  const claim = (): void => {
    if (claimKiB !== null && pid !== undefined && !stopped)
      writeClaim(paths, plot.farm, plot.disk, { pid, needKiB: claimKiB, plotId });
  };
  const notify = (subject: string, text: string): void => {
    if (events) void events.notifyEvent('replot_removed', subject, text);
    else unsent.push({ subject, text });
  };
  const say = (outcome: RoomOutcome): void => {
    for (const note of outcome.notes ?? []) log.warn(`plot ${plot.index}: replot: ${note}`);
    if (outcome.removed) {
      removed = outcome.removed;
      for (const line of outcome.message.split('\n')) log.info(`plot ${plot.index}: ${line}`);
    } else if (outcome.level === 'warn' || outcome.message !== 'replot is off') {
      log[outcome.level](`plot ${plot.index}: replot: ${outcome.message}`);
    }
  };
  /** Holding the state lock. */
  const makeRoom = async (): Promise<void> => {
    if (asked || stopped) return;
    asked = true;
    try {
      const outcome = await makeRoomLocked({
        paths,
        config: o.config,
        plot: { ...plot, pid, plotId },
        notify,
        stillWanted: () => !stopped,
      });
      claimKiB = outcome.needKiB ?? null;
      claim();
      owe(true);
      say(outcome);
    } catch (error) {
      log.warn(
        `plot ${plot.index}: replot could not check ${plot.farm}/${plot.disk}: ${errorMessage(error)}; nothing removed`,
      );
    }
  };

  return {
    async beforeStart() {
      if (roomMoment(o.plotter) === 'before-start') await makeRoom();
    },
    spawned(plotPid) {
      pid = plotPid;
      claim();
      owe(asked);
    },
    started(plotEvents) {
      events = plotEvents;
      for (const { subject, text } of unsent.splice(0)) void plotEvents.notifyEvent('replot_removed', subject, text);
      follow = followPlotLog(o.logFile, (info) => {
        if (info.plotId && plotId === null) {
          plotId = info.plotId;
          claim();
        }
        if (roomMoment(o.plotter) === 'last-phase' && atLastPhase(info)) {
          // a rejection here would end the tractor (and orphan its plot) from a log line's callback
          roomStep = withStateLock(paths, makeRoom).catch((error: unknown) =>
            log.warn(
              `plot ${plot.index}: replot could not check ${plot.farm}/${plot.disk}: ${errorMessage(error)}; nothing removed`,
            ),
          );
          return true;
        }
        return roomMoment(o.plotter) === 'before-start' && plotId !== null;
      });
    },
    async stop() {
      stopped = true;
      follow?.stop();
      if (pid !== undefined) dropClaim(paths, plot.farm, plot.disk, pid);
      await roomStep;
      if (pid !== undefined) dropDuty(paths, pid);
    },
    ended(failed) {
      if (failed && removed) {
        log.warn(
          `plot ${plot.index} failed after replot removed ${removed.path} for it; its freed space goes to the next plot on ${plot.farm}/${plot.disk}`,
        );
      }
    },
  };
}
