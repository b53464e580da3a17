/**
 * The pos1 phase-out as chia computes it (DESIGN §18), by chain height: pure arithmetic, so the
 * collector, `goplot migrate` and the demo agree to the byte.
 */

export interface PhaseoutParams {
  /** Height from which pos2 proofs count and pos1 plots start losing weight. */
  forkHeight: number;
  /** Blocks in an epoch: the weight steps down once an epoch. */
  epochBlocks: number;
  /** Epochs from the fork until a pos1 proof is refused; at chia's 255 a step is 1/256. */
  phaseoutEpochs: number;
}

export const CHIA_PHASEOUT: PhaseoutParams = { forkHeight: 9_562_000, epochBlocks: 4_608, phaseoutEpochs: 255 };

/** Chia's target block time: 86 400 / 18.75 is 4,608 blocks, one epoch a day. */
export const BLOCK_SECONDS = 18.75;

/**
 * The steps left at height h: c = max(0, floor((F + P E - h) / E)), P at the fork down to 0. The
 * weight is c / (P + 1): chia's c/256 with its P = 255, so the first epoch weighs 255/256.
 */
export function pos1Steps(height: number, params: PhaseoutParams): number {
  const { forkHeight, epochBlocks, phaseoutEpochs } = params;
  return Math.max(0, Math.floor((forkHeight + phaseoutEpochs * epochBlocks - height) / epochBlocks));
}

/** The chance a pos1 plot keeps at chain height h: 1 before the fork, then one step less each epoch. */
export function pos1Weight(height: number, params: PhaseoutParams): number {
  if (height < params.forkHeight) return 1;
  return pos1Steps(height, params) / (params.phaseoutEpochs + 1);
}

/** pos2 plots count from the fork on, and not at all before it. */
export function pos2Weight(height: number, params: PhaseoutParams): number {
  return height < params.forkHeight ? 0 : 1;
}

export function posWeight(pos: 1 | 2, height: number, params: PhaseoutParams): number {
  return pos === 1 ? pos1Weight(height, params) : pos2Weight(height, params);
}

/**
 * The first height at which the pos1 weight is below `target` (0 < target <= 1): the weight is
 * below it once the steps left are at most the largest whole c with c / (P + 1) < target.
 */
export function heightWeightBelow(target: number, params: PhaseoutParams): number {
  const { forkHeight, epochBlocks, phaseoutEpochs } = params;
  const steps = Math.ceil(target * (phaseoutEpochs + 1)) - 1;
  if (steps >= phaseoutEpochs) return forkHeight;
  return forkHeight + (phaseoutEpochs - Math.max(steps, 0) - 1) * epochBlocks + 1;
}

/** The first height at which a pos1 plot weighs nothing. */
export function heightWeightZero(params: PhaseoutParams): number {
  const { forkHeight, epochBlocks, phaseoutEpochs } = params;
  return forkHeight + (phaseoutEpochs - 1) * epochBlocks + 1;
}

/** A pos1 plot of size k as chia counts it at weight 1: ((2k + 1) 2^(k-1)) x 0.78 bytes, whatever its compression. */
export function pos1PlotEffectiveBytes(k: number): number {
  return (2 * k + 1) * 2 ** (k - 1) * 0.78;
}

/**
 * A pos2 plot as chia counts it at weight 1: its table gives 1,717,986,918 x 0.78 bytes at k 28
 * (the only mainnet k); the test sizes (k 18..26) are scaled by 2^(k-28), an assumption of ours.
 */
export function pos2PlotEffectiveBytes(k: number): number {
  return 1_717_986_918 * 0.78 * 2 ** (k - 28);
}

export function plotEffectiveBytes(pos: 1 | 2, k: number): number {
  return pos === 1 ? pos1PlotEffectiveBytes(k) : pos2PlotEffectiveBytes(k);
}

/** The wall-clock time at which the chain reaches `height`, at 18.75 s a block from where it is now. */
export function heightToMs(height: number, currentHeight: number, nowMs: number): number {
  return nowMs + (height - currentHeight) * BLOCK_SECONDS * 1000;
}

/** Days the chain takes from one height to another at 18.75 s a block. */
export function blocksToDays(blocks: number): number {
  return (blocks * BLOCK_SECONDS) / 86_400;
}
