import { chooseVictims } from './choose-victims.js';
import type { ReplotCandidate } from './removal-order.js';

export interface ReplotSequence {
  /** The old plots in the order they would go, each when the disk no longer holds the next new plot. */
  order: ReplotCandidate[];
  /** Those that would never go: too small alone to matter, or all that is left frees too little. */
  never: ReplotCandidate[];
  /** New plots the disk would take on the way (its free room first, then each removal's). */
  newPlots: number;
}

/**
 * What replot would do on one disk if new plots of `plotBytes` kept coming: fill the free room,
 * then, each time the next plot does not fit, remove the first of the fewest old plots that make
 * room for it (the same choice the tractors make), until none may go. Pure: the dry run shows it.
 */
export function replotSequence(
  usable: readonly ReplotCandidate[],
  freeBytes: number,
  plotBytes: number,
): ReplotSequence {
  const left = [...usable];
  const order: ReplotCandidate[] = [];
  let room = freeBytes;
  let newPlots = 0;
  if (plotBytes <= 0) return { order, never: left, newPlots };
  for (;;) {
    if (room >= plotBytes) {
      const fits = Math.floor(room / plotBytes);
      newPlots += fits;
      room -= fits * plotBytes;
    }
    const victim = chooseVictims(left, plotBytes - room).picked[0];
    if (!victim) return { order, never: left, newPlots };
    left.splice(left.indexOf(victim), 1);
    order.push(victim);
    room += victim.sizeBytes;
  }
}
