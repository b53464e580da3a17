import type { ConfigReader } from '../config/config-reader.js';
import { readPlotInventory } from '../inventory/scan-farm-plots.js';
import { plotEffectiveBytes } from './phaseout.js';
import { emptyTally, type FarmPosSummary } from './farm-pos-summary.js';

/**
 * The farm's plots by pos and its pos2 plots landed per day (the last 35 UTC days), from the plot
 * inventory: each disk's summary while its plots/ has not changed, so a million plots cost what
 * changed. Group files, files not read and invalid files count for neither pos.
 */
export async function scanPosSummary(config: ConfigReader): Promise<FarmPosSummary> {
  const { inventory } = await readPlotInventory({ config });
  const summary: FarmPosSummary = { pos1: emptyTally(), pos2: emptyTally(), pos2LandedByDay: {} };
  for (const group of inventory.groups) {
    const tally = group.pos === 1 ? summary.pos1 : summary.pos2;
    tally.plots += group.count;
    tally.bytes += group.bytes;
    tally.effectiveBytes += group.count * plotEffectiveBytes(group.pos, group.k);
    tally.byK[group.k] = (tally.byK[group.k] ?? 0) + group.count;
  }
  for (const day of inventory.landed) if (day.pos2 > 0) summary.pos2LandedByDay[day.day] = day.pos2;
  return summary;
}
