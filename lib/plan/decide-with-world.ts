import type { ConfigReader } from '../config/config-reader.js';
import { decideStart, type Decision, type LoopSnapshot } from './decide-start.js';
import type { RunningPlotSummary, StartWorld } from './start-world.js';

export type Crashes = { count: number; lastS: number };

/** Plots in phase 1 that are suspended: max_phase1 does not count them. */
export function countSuspendedInPhase1(plots: RunningPlotSummary[]): number {
  return plots.filter((plot) => plot.suspended === true && plot.phase <= 1).length;
}

/** The global limits' inputs, read from the world as it is now. */
export async function readLoopSnapshot(
  config: ConfigReader,
  world: StartWorld,
  loopStartedMs: number,
  crashes: Crashes,
): Promise<{ running: RunningPlotSummary[]; snapshot: LoopSnapshot }> {
  const running = await world.readRunning(config);
  const tractors = world.findTractors();
  const pendingTractors = tractors.filter((pid) => !running.some((plot) => plot.ppid === pid)).length;
  const [, load5 = 0, load15 = 0] = world.loadavg();
  const snapshot: LoopSnapshot = {
    nowMs: world.now(),
    loopStartedMs,
    onToggle: config.get('on_toggle'),
    maxPlots: config.get('max_plots'),
    loadMax: config.get('load_max'),
    plotGap: config.get('plot_gap'),
    initialDelay: config.get('initial_delay'),
    load5,
    load15,
    lastStart: config.get('last_start'),
    failures: config.get('failures') + crashes.count,
    lastFail: Math.max(config.get('last_fail'), crashes.lastS),
    backoffBase: config.get('backoff_base'),
    backoffMax: config.get('backoff_max'),
    runningPhases: running.map((plot) => plot.phase),
    pendingTractors,
    startEarlyPhase: config.get('start_early_phase'),
    maxPhase1: config.get('max_phase1'),
    suspendedInPhase1: countSuspendedInPhase1(running),
  };
  return { running, snapshot };
}

const GIB = 1024 ** 3;

/**
 * A plotter that plots from memory (every pos2 plotter) and declares it in plot_ram starts only
 * when that much is available: swapping would make it crawl, and the OOM killer would end it.
 */
export function checkMemory(config: ConfigReader, world: StartWorld): Decision | null {
  const needGiB = config.get('plot_ram');
  const available = needGiB > 0 ? (world.memAvailableBytes?.() ?? null) : null;
  if (available === null || needGiB * GIB <= available) return null;
  return {
    start: false,
    key: `plot_ram:${needGiB}`,
    reason: `plot_ram ${needGiB} GiB of the plotter does not fit in MemAvailable ${(available / GIB).toFixed(1)} GiB (/proc/meminfo); waiting for memory`,
  };
}

/** The memory, disk and temp checks after the limits: a wait for memory or room, or null. */
export async function checkRoomDecision(
  config: ConfigReader,
  world: StartWorld,
  running: RunningPlotSummary[],
): Promise<Decision | null> {
  const noMemory = checkMemory(config, world);
  if (noMemory !== null) return noMemory;
  const noRoom = await world.checkRoom(config, running);
  if (noRoom === null) return null;
  // free space changes a little on every poll: the log line is new when the kind of wait or a
  // value the user set changes, not the measured numbers
  const settings = [config.get('max_per_temp'), config.get('k'), config.get('plotter'), config.get('compression')].join(
    ':',
  );
  return { start: false, key: `room:${noRoom.replace(/[\d.]+/g, '#')}:${settings}`, reason: noRoom };
}

/** The loop's decision from the world as it is now; `goplot view` shows the same answer. */
export async function decideWithWorld(
  config: ConfigReader,
  world: StartWorld,
  loopStartedMs: number,
  crashes: Crashes = { count: 0, lastS: 0 },
): Promise<Decision> {
  const { running, snapshot } = await readLoopSnapshot(config, world, loopStartedMs, crashes);
  const decision = decideStart(snapshot);
  if (!decision.start) return decision;
  return (await checkRoomDecision(config, world, running)) ?? decision;
}
