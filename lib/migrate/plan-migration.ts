import { finalPlotBytes } from '../farm/plot-size.js';
import type { FarmPosSummary } from './farm-pos-summary.js';
import { utcDay } from './farm-pos-summary.js';
import {
  BLOCK_SECONDS,
  blocksToDays,
  heightToMs,
  heightWeightBelow,
  heightWeightZero,
  pos1PlotEffectiveBytes,
  pos1Weight,
  pos2PlotEffectiveBytes,
  pos2Weight,
  type PhaseoutParams,
} from './phaseout.js';

const DAY_MS = 86_400_000;
/** DESIGN §17: a mainnet (k 28) pos2 plot is about 0.92 GiB on disk; used until the farm has one to measure. */
const POS2_K28_FILE_BYTES = Math.round(0.92 * 1024 ** 3);

export interface MigrationInputs {
  farm: FarmPosSummary;
  /** The chain height now, and the clock now: both passed in, so a plan is reproducible. */
  height: number;
  nowMs: number;
  params: PhaseoutParams;
  /** migrate_target_weight: the pos1 weight to be all pos2 before. */
  targetWeight: number;
}

/**
 * A replot rate in two units: pos2 plots landed a day, and the bytes of pos1 plots they replace a
 * day (each pos2 plot takes the room of its own file size of pos1 plots).
 */
export interface Rate {
  pos2PlotsPerDay: number;
  pos1BytesPerDay: number;
}

export interface Deadline {
  /** The pos1 weight the deadline is about: the target, or 0. */
  weight: number;
  /** The first height at which the pos1 weight is below `weight` (for 0: is 0). */
  height: number;
  atMs: number;
  /** Days from the race's start to the deadline; 0 or less when it has passed. */
  days: number;
  /** The rate that replaces every pos1 plot left by the deadline; null when it has passed (or nothing is left). */
  needed: Rate | null;
}

export interface Checkpoint {
  label: string;
  height: number;
  atMs: number;
  pos1Weight: number;
  /** Effective space by pos at that height, at the measured (last week's) rate from the race's start. */
  pos1EffectiveBytes: number;
  pos2EffectiveBytes: number;
  /** The phase-out line: what the farm would count for had it kept pos1 plots in all its room. */
  noReplotBytes: number;
}

export interface MigrationPlan {
  height: number;
  nowMs: number;
  pos1Weight: number;
  params: PhaseoutParams;
  fork: { height: number; atMs: number };
  /** pos1 left: files, bytes on disk, effective bytes now (at the current weight) and at weight 1. */
  pos1: { plots: number; bytes: number; effectiveBytes: number; fullEffectiveBytes: number };
  pos2: { plots: number; bytes: number; effectiveBytes: number };
  /** What one new pos2 plot is taken to be: the farm's most common pos2 k, its mean file size (or DESIGN's 0.92 GiB at k 28, scaled). */
  newPos2: { k: number; fileBytes: number; effectiveBytes: number; measured: boolean };
  /** pos2 plots that fit in the room the pos1 plots left take (pos1 bytes / pos2 file bytes). */
  pos2ToMake: number;
  measured: {
    today: { day: string; plots: number };
    lastDay: { day: string; plots: number };
    /** The 7 whole UTC days before today. */
    lastWeek: { from: string; to: string; plots: number };
    /** last week's mean: the rate the finish is planned at */
    rate: Rate;
    lastDayRate: Rate;
  };
  /** Before the fork the race starts at the fork: replacing pos1 earlier only loses space. */
  raceStart: { height: number; atMs: number; fromFork: boolean };
  /** All pos2 at the measured rate; null when the rate is 0 and pos1 plots are left. */
  finish: { height: number; atMs: number; days: number } | null;
  target: Deadline;
  zero: Deadline;
  /** Effective space now, with the phase-out line. */
  current: Checkpoint;
  checkpoints: Checkpoint[];
}

type PlanBase = Omit<MigrationPlan, 'current' | 'checkpoints'>;

function rateOf(pos2PlotsPerDay: number, pos2FileBytes: number): Rate {
  return { pos2PlotsPerDay, pos1BytesPerDay: pos2PlotsPerDay * pos2FileBytes };
}

function mostCommonK(byK: Record<number, number>, fallback: number): number {
  const ks = Object.entries(byK).sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]));
  return ks.length > 0 ? Number(ks[0]![0]) : fallback;
}

function newPos2Plot(farm: FarmPosSummary): MigrationPlan['newPos2'] {
  const k = mostCommonK(farm.pos2.byK, 28);
  const measured = farm.pos2.plots > 0;
  const fileBytes = measured ? farm.pos2.bytes / farm.pos2.plots : POS2_K28_FILE_BYTES * 2 ** (k - 28);
  return { k, fileBytes, effectiveBytes: pos2PlotEffectiveBytes(k), measured };
}

/** pos2 plots landed on whole UTC days: yesterday, and the 7 days before today. */
function measureRate(farm: FarmPosSummary, nowMs: number, fileBytes: number): MigrationPlan['measured'] {
  const dayAt = (back: number) => utcDay(nowMs - back * DAY_MS);
  const landed = (day: string) => farm.pos2LandedByDay[day] ?? 0;
  let week = 0;
  for (let back = 1; back <= 7; back += 1) week += landed(dayAt(back));
  return {
    today: { day: dayAt(0), plots: landed(dayAt(0)) },
    lastDay: { day: dayAt(1), plots: landed(dayAt(1)) },
    lastWeek: { from: dayAt(7), to: dayAt(1), plots: week },
    rate: rateOf(week / 7, fileBytes),
    lastDayRate: rateOf(landed(dayAt(1)), fileBytes),
  };
}

function deadline(
  weight: number,
  height: number,
  start: { height: number },
  clock: { height: number; nowMs: number },
  room: { pos1Bytes: number; fileBytes: number },
): Deadline {
  const days = blocksToDays(height - start.height);
  const needed = days > 0 && room.pos1Bytes > 0 ? rateOf(room.pos1Bytes / room.fileBytes / days, room.fileBytes) : null;
  return { weight, height, atMs: heightToMs(height, clock.height, clock.nowMs), days, needed };
}

/** The plan: where the farm stands, how fast it is replacing pos1, and what the race needs. */
export function planMigration(inputs: MigrationInputs): MigrationPlan {
  const { farm, height, nowMs, params } = inputs;
  const newPos2 = newPos2Plot(farm);
  const measured = measureRate(farm, nowMs, newPos2.fileBytes);
  const fromFork = height < params.forkHeight;
  const startHeight = fromFork ? params.forkHeight : height;
  const raceStart = { height: startHeight, atMs: heightToMs(startHeight, height, nowMs), fromFork };
  const pos1Bytes = farm.pos1.bytes;
  const perDay = measured.rate.pos2PlotsPerDay;
  let finish: MigrationPlan['finish'] = null;
  if (pos1Bytes === 0) finish = { height, atMs: nowMs, days: 0 };
  else if (perDay > 0) {
    const days = pos1Bytes / newPos2.fileBytes / perDay;
    const at = startHeight + (days * 86_400) / BLOCK_SECONDS;
    finish = { height: Math.ceil(at), atMs: heightToMs(at, height, nowMs), days };
  }
  const clock = { height, nowMs };
  const room = { pos1Bytes, fileBytes: newPos2.fileBytes };
  const plan: PlanBase = {
    height,
    nowMs,
    pos1Weight: pos1Weight(height, params),
    params,
    fork: { height: params.forkHeight, atMs: heightToMs(params.forkHeight, height, nowMs) },
    pos1: {
      plots: farm.pos1.plots,
      bytes: pos1Bytes,
      effectiveBytes: farm.pos1.effectiveBytes * pos1Weight(height, params),
      fullEffectiveBytes: farm.pos1.effectiveBytes,
    },
    pos2: {
      plots: farm.pos2.plots,
      bytes: farm.pos2.bytes,
      effectiveBytes: farm.pos2.effectiveBytes * pos2Weight(height, params),
    },
    newPos2,
    pos2ToMake: Math.floor(pos1Bytes / newPos2.fileBytes),
    measured,
    raceStart,
    finish,
    target: deadline(inputs.targetWeight, heightWeightBelow(inputs.targetWeight, params), raceStart, clock, room),
    zero: deadline(0, heightWeightZero(params), raceStart, clock, room),
  };
  return { ...plan, current: checkpointAt(plan, farm, 'now', height), checkpoints: checkpoints(plan, farm) };
}

/** Effective space at one height, replacing at the measured rate from the race's start. */
function checkpointAt(plan: PlanBase, farm: FarmPosSummary, label: string, at: number): Checkpoint {
  const { params, newPos2 } = plan;
  const days = Math.max(0, blocksToDays(at - plan.raceStart.height));
  const made = Math.min(plan.pos1.bytes / newPos2.fileBytes, plan.measured.rate.pos2PlotsPerDay * days);
  const pos1Left = plan.pos1.bytes === 0 ? 0 : Math.max(0, 1 - (made * newPos2.fileBytes) / plan.pos1.bytes);
  const weight = pos1Weight(at, params);
  // pos1 effective bytes per byte of file: the farm's own, else an uncompressed k32's
  const perByte =
    plan.pos1.bytes > 0 ? farm.pos1.effectiveBytes / plan.pos1.bytes : pos1PlotEffectiveBytes(32) / finalPlotBytes(32);
  return {
    label,
    height: at,
    atMs: heightToMs(at, plan.height, plan.nowMs),
    pos1Weight: weight,
    pos1EffectiveBytes: farm.pos1.effectiveBytes * pos1Left * weight,
    pos2EffectiveBytes: (farm.pos2.effectiveBytes + made * newPos2.effectiveBytes) * pos2Weight(at, params),
    noReplotBytes: (farm.pos1.effectiveBytes + farm.pos2.bytes * perByte) * weight,
  };
}

/** Now (or the fork), the target, a quarter and three quarters of the way, all pos2, and weight 0. */
function checkpoints(plan: PlanBase, farm: FarmPosSummary): Checkpoint[] {
  const { params } = plan;
  const span = params.phaseoutEpochs * params.epochBlocks;
  const wanted: [string, number][] = [
    [plan.raceStart.fromFork ? 'fork' : 'now', plan.raceStart.height],
    ['1/4 of the phase-out', params.forkHeight + Math.round(span / 4)],
    [`weight under ${plan.target.weight}`, plan.target.height],
    ['3/4 of the phase-out', params.forkHeight + Math.round((3 * span) / 4)],
    ['weight 0', plan.zero.height],
  ];
  if (plan.finish !== null && plan.finish.height > plan.raceStart.height) wanted.push(['all pos2', plan.finish.height]);
  const seen = new Set<number>();
  return wanted
    .filter(([, at]) => at >= plan.raceStart.height && at <= plan.zero.height)
    .sort((a, b) => a[1] - b[1])
    .filter(([, at]) => !seen.has(at) && seen.add(at) !== undefined)
    .map(([label, at]) => checkpointAt(plan, farm, label, at));
}
