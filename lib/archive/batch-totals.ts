import type { HomePaths } from '../config/home.js';
import { readTotals, writeTotals } from './archiver-progress.js';
import type { PlannedTransfer } from './pass-types.js';
import { dropFreed } from './replot-freed.js';
import type { TransferOutcome } from './transfer-plot.js';

/** A batch's outcomes in the kept totals: each plot moved, or a failure of its target (a stop is neither). */
export function countBatch(paths: HomePaths, batch: PlannedTransfer[], outcomes: Map<string, TransferOutcome>): void {
  const totals = readTotals(paths);
  for (const { plot, reservation } of batch) {
    const outcome = outcomes.get(plot.name);
    if (outcome?.ok) {
      // it arrived: the record of an old plot replot removed for it has served
      dropFreed(paths, plot.name);
      totals.movedPlots += 1;
      totals.movedBytes += plot.size;
    } else if (outcome !== undefined && outcome.kind !== 'stopped') {
      totals.failures[reservation.target] = (totals.failures[reservation.target] ?? 0) + 1;
    }
  }
  writeTotals(paths, totals);
}
