import type { ReplotCandidate } from './removal-order.js';

export interface VictimChoice {
  /** The fewest plots that free `missingBytes`, in removal order; empty when none are missing or all would not do. */
  picked: ReplotCandidate[];
  /** Candidates passed over because they free too little to be one of the fewest plots. */
  tooSmall: ReplotCandidate[];
  /** The fewest plots that free enough; null when all candidates together free too little. */
  fewest: number | null;
}

function sumOfLargest(sizes: readonly number[], count: number): number {
  return [...sizes]
    .sort((a, b) => b - a)
    .slice(0, count)
    .reduce((sum, size) => sum + size, 0);
}

/**
 * The fewest candidates whose sizes free `missingBytes`, preferring each in the order given (the
 * removal order): a candidate is taken when the plots after it can still complete the room within
 * that many plots, else passed over as too small alone to matter. Pure: the caller removes.
 */
export function chooseVictims(ordered: readonly ReplotCandidate[], missingBytes: number): VictimChoice {
  if (missingBytes <= 0) return { picked: [], tooSmall: [], fewest: 0 };
  const sizes = ordered.map((plot) => plot.sizeBytes);
  const descending = [...sizes].sort((a, b) => b - a);
  let fewest: number | null = null;
  for (let n = 1, sum = 0; n <= descending.length; n += 1) {
    sum += descending[n - 1]!;
    if (sum >= missingBytes) {
      fewest = n;
      break;
    }
  }
  if (fewest === null) return { picked: [], tooSmall: [], fewest: null };
  const picked: ReplotCandidate[] = [];
  const tooSmall: ReplotCandidate[] = [];
  let left = missingBytes;
  for (let at = 0; at < ordered.length && left > 0; at += 1) {
    const plot = ordered[at]!;
    const slots = fewest - picked.length;
    if (plot.sizeBytes + sumOfLargest(sizes.slice(at + 1), slots - 1) >= left) {
      picked.push(plot);
      left -= plot.sizeBytes;
    } else tooSmall.push(plot);
  }
  return { picked, tooSmall, fewest };
}
