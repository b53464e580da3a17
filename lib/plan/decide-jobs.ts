import type { ConfigReader } from '../config/config-reader.js';
import { readJobLimits, type Job } from '../jobs/home-jobs.js';
import { decideStart, type Decision, type LoopSnapshot } from './decide-start.js';
import { checkRoomDecision, countSuspendedInPhase1, readLoopSnapshot, type Crashes } from './decide-with-world.js';
import type { RunningPlotSummary, StartWorld } from './start-world.js';

export interface JobWait {
  job: string;
  decision: Extract<Decision, { start: false }>;
}

export type JobsDecision =
  /** A global limit holds every job back. */
  | { kind: 'global'; decision: Extract<Decision, { start: false }> }
  | { kind: 'start'; job: Job; decision: Extract<Decision, { start: true }>; waits: JobWait[] }
  | { kind: 'wait'; waits: JobWait[] };

/** The jobs from `first` on, then the ones before it: each pass begins after the job that started last. */
function inTurn(jobs: Job[], first: number): Job[] {
  const at = jobs.length === 0 ? 0 : ((first % jobs.length) + jobs.length) % jobs.length;
  return [...jobs.slice(at), ...jobs.slice(0, at)];
}

/** A job's own limits as a start decision over its own plots; the global ones are checked before. */
function decideJobLimits(job: Job, global: LoopSnapshot, running: RunningPlotSummary[]): Decision {
  const limits = readJobLimits(job);
  if (!limits.ok) return { start: false, key: `invalid:${limits.message}`, reason: limits.message };
  const own = limits.limits;
  const plots = running.filter((plot) => (plot.job ?? 'default') === job.name);
  const decision = decideStart({
    ...global,
    onToggle: own.on_toggle ?? 'run',
    // the global max_plots and load_max passed already, over every plot: checked again here they
    // hold back nothing more, and the start line names the real limits, not the largest numbers
    maxPlots: own.max_plots ?? global.maxPlots,
    loadMax: global.loadMax,
    // its own plot_gap staggers its own starts; without one the global gap holds between any two starts
    plotGap: own.plot_gap ?? global.plotGap,
    lastStart: own.plot_gap === undefined ? global.lastStart : job.config.get('last_start'),
    initialDelay: own.initial_delay ?? 0,
    failures: 0,
    runningPhases: plots.map((plot) => plot.phase),
    pendingTractors: 0,
    startEarlyPhase: own.start_early_phase ?? global.startEarlyPhase,
    maxPhase1: own.max_phase1 ?? 0,
    suspendedInPhase1: countSuspendedInPhase1(plots),
  });
  if (decision.start) return decision;
  const where = `config/jobs/${job.name}/`;
  const reason = decision.key.startsWith('toggle:')
    ? `on_toggle is ${JSON.stringify(own.on_toggle)} in ${where}, not "run"`
    : decision.reason.replace(/\((max_plots|max_phase1 \d+)\)/, `($1 of ${where})`);
  return { ...decision, reason };
}

/**
 * The loop's decision when config/jobs/ has jobs: the global limits over every plot first (one
 * answer for all jobs), then each job in turn with its own limits and its own disks and temp dirs.
 * The first job that may start wins; one that cannot never blocks the ones after it.
 */
export async function decideJobs(
  global: ConfigReader,
  jobs: Job[],
  first: number,
  world: StartWorld,
  loopStartedMs: number,
  crashes: Crashes,
): Promise<JobsDecision> {
  const { running, snapshot } = await readLoopSnapshot(global, world, loopStartedMs, crashes);
  // plot_gap is left to each job: a job with its own gap staggers its own starts only
  const everyJob = decideStart({ ...snapshot, plotGap: 0 });
  if (!everyJob.start) return { kind: 'global', decision: everyJob };
  const waits: JobWait[] = [];
  for (const job of inTurn(jobs, first)) {
    const limited = decideJobLimits(job, snapshot, running);
    if (!limited.start) {
      waits.push({ job: job.name, decision: limited });
      continue;
    }
    const noRoom = await checkRoomDecision(job.config, world, running);
    if (noRoom !== null && !noRoom.start) {
      waits.push({ job: job.name, decision: noRoom });
      continue;
    }
    return { kind: 'start', job, decision: limited, waits };
  }
  return { kind: 'wait', waits };
}
