import { formatDuration } from '../util/format-duration.js';
import type { GroupProgress } from './farm-snapshot.js';

const TIB = 1024 ** 4;

/**
 * One line for a running pos2 plot group, the same in `goplot status` and `goplot view`:
 * `group 12: 3/8 plots, 40.0 plots/h, 0.86 TiB/day, ETA 7m 30s, meta group 33, strength 2`.
 */
export function formatGroupLine(index: number | null, group: GroupProgress): string {
  const rate =
    group.plotsPerHour === null || group.bytesPerDay === null
      ? 'rate - (no plot landed yet)'
      : `${group.plotsPerHour.toFixed(1)} plots/h, ${(group.bytesPerDay / TIB).toFixed(2)} TiB/day`;
  const eta = group.etaSeconds === null ? 'ETA -' : `ETA ${formatDuration(group.etaSeconds)}`;
  const meta = group.metaGroup === null ? 'meta group chosen by the plotter' : `meta group ${group.metaGroup}`;
  return `group ${index ?? '?'}: ${group.done}/${group.size} plots, ${rate}, ${eta}, ${meta}, strength ${group.strength}`;
}
