import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import type { PlotGroupState } from '../farm/plot-groups.js';
import { withStateLock } from '../farm/state-lock.js';
import { groupRoomLocked } from '../replot/group-room.js';
import type { NewPlot, RoomOutcome } from '../replot/make-room.js';
import { readReplotSettings } from '../replot/replot-candidates.js';
import { dropDuty, liveStart, writeDuty } from '../replot/room-duty.js';
import { errorMessage } from '../util/error-message.js';
import type { Logger } from '../util/logger.js';

/** Where a plot group stands when a plot of it has landed (and when the group starts, before the first). */
export interface GroupLanding {
  disk: { farm: string; disk: string; diskDir: string; plotsDir: string };
  /** Bytes the next plot of the group will take on the disk (0 when none is left). */
  nextPlotBytes: number;
  /** Plots of the group still to land. */
  plotsLeft: number;
}

/**
 * The plots that land before the runner looks again (it polls, then may wait for the state lock)
 * get their room now too: a GPU plotter lands one every few seconds and does not wait for us.
 */
const LOOK_AHEAD_SECONDS = 5;

export interface GroupRoomWorld {
  paths: HomePaths;
  config: ConfigReader;
  log: Logger;
  state: PlotGroupState;
  diskDir: string;
}

/**
 * The group's side of replot: at its start and as each plot lands, room for the next plot is made
 * on its disk (old plots replot_match allows, the fewest that free what the rest of the group
 * needs, one removed only when the next plot would not fit); while a plotter runs, a room duty
 * names the group, so the loop or diskhand goes on making its room if this tractor dies.
 */
export class GroupRoom {
  private dutyPid: number | null = null;

  constructor(private readonly w: GroupRoomWorld) {}

  private get on(): boolean {
    const { on, rule } = readReplotSettings(this.w.config);
    return on && rule.any;
  }

  private newPlot(pid: number | undefined): NewPlot {
    const { state, config } = this.w;
    return {
      index: state.index,
      farm: state.farm,
      disk: state.disk,
      diskDir: this.w.diskDir,
      plotsDir: state.plotsDir,
      plotter: state.plotter,
      k: state.k,
      compression: 0,
      kind: config.get('pool_contract') === '' ? 'solo' : 'pool',
      pos: 2,
      ...(pid === undefined ? {} : { pid }),
    };
  }

  /** Called when the plotter run changes (a template without {count} runs once per plot). */
  plotterIs(pid: number | null): void {
    if (pid === this.dutyPid) return;
    if (this.dutyPid !== null) dropDuty(this.w.paths, this.dutyPid);
    this.dutyPid = pid;
    if (pid === null || !this.on) return;
    const { state } = this.w;
    writeDuty(this.w.paths, {
      plot: { ...this.newPlot(pid), pid },
      plotterStart: liveStart('/proc', pid),
      tractorPid: process.pid,
      tractorStart: liveStart('/proc', process.pid),
      logFile: state.logFile,
      moment: 'group',
      done: false,
      group: { size: state.groupSize, plotBytes: state.plotBytes, metaGroup: state.metaGroup },
      startedMs: state.startedMs,
    });
  }

  /** The landing point: room for the next plot, made now (never while the disk still holds it). */
  async landed(landing: GroupLanding): Promise<void> {
    if (landing.plotsLeft <= 0 || !this.on) return;
    const { paths, config, state, log } = this.w;
    let outcome: RoomOutcome | null;
    try {
      outcome = await withStateLock(paths, () =>
        groupRoomLocked({
          paths,
          config,
          plot: this.newPlot(state.plotterPid ?? undefined),
          shape: {
            size: state.groupSize,
            plotBytes: state.plotBytes,
            startedMs: state.startedMs,
            metaGroup: state.metaGroup,
          },
          nowMs: Date.now(),
          aheadSeconds: LOOK_AHEAD_SECONDS,
        }),
      );
    } catch (error) {
      log.warn(`group ${state.index}: replot could not check ${state.farm}/${state.disk}: ${errorMessage(error)}`);
      return;
    }
    if (outcome === null) return;
    for (const note of outcome.notes ?? []) log.warn(`group ${state.index}: replot: ${note}`);
    if (outcome.removed) for (const line of outcome.message.split('\n')) log.info(`group ${state.index}: ${line}`);
    else if (outcome.level === 'warn') log.warn(`group ${state.index}: ${outcome.message}`);
  }

  /** The group ended: nothing more is owed to it. */
  ended(): void {
    this.plotterIs(null);
  }
}
