import path from 'node:path';
import { readPos2Headers } from '../plot-file/pos2-headers-in.js';
import type { PlotGroupState } from '../farm/plot-groups.js';

export const META_GROUPS = 256;
/** Groups on one disk keep at least this far apart while the disk has room for it (CHIP-49). */
export const META_GROUP_GAP = 16;

/**
 * The meta group for a new group on a disk: the free one farthest from every meta group in use
 * there (the lowest of equals), so groups stay at least 16 apart while that is possible and spread
 * as far as possible after. With all 256 in use, the least used one.
 */
export function chooseMetaGroup(inUse: Iterable<number>): number {
  const counts = new Array<number>(META_GROUPS).fill(0);
  for (const group of inUse) if (Number.isInteger(group) && group >= 0 && group < META_GROUPS) counts[group]!++;
  const used = counts.flatMap((count, group) => (count > 0 ? [group] : []));
  if (used.length === 0) return 0;
  let best = -1;
  let bestDistance = -1;
  for (let group = 0; group < META_GROUPS; group++) {
    if (counts[group]! > 0) continue;
    const distance = gapFrom(group, used);
    if (distance > bestDistance) {
      best = group;
      bestDistance = distance;
    }
  }
  if (best >= 0) return best;
  const fewest = Math.min(...counts);
  return counts.indexOf(fewest);
}

/** How far a meta group lies from the nearest of `used` (Infinity when none is used). */
export function gapFrom(group: number, used: Iterable<number>): number {
  let gap = Infinity;
  for (const other of used) gap = Math.min(gap, Math.abs(other - group));
  return gap;
}

/**
 * Whether a group with this meta group may join a disk whose other groups use `others`: at least
 * META_GROUP_GAP from each while the disk still has a meta group that far from all of them, and
 * otherwise as far as the best free one chooseMetaGroup would give a new group there.
 */
export function metaGroupFree(group: number, others: Iterable<number>): boolean {
  const used = [...new Set(others)].filter((other) => other !== group);
  if (used.length === 0) return true;
  const best = chooseMetaGroup(used);
  const possible = used.includes(best) ? 1 : gapFrom(best, used);
  return gapFrom(group, used) >= Math.min(META_GROUP_GAP, possible);
}

/**
 * The meta groups a disk holds: from the headers of its `.plot2` files (and the plotters' files
 * not renamed yet) and from the groups running into it. Unreadable files say nothing.
 */
export function metaGroupsInUse(plotsDir: string, running: PlotGroupState[]): Set<number> {
  const found = new Set<number>(readPos2Headers(plotsDir).map((header) => header.pos2!.metaGroup));
  const dir = path.resolve(plotsDir);
  for (const group of running)
    if (path.resolve(group.plotsDir) === dir && group.metaGroup !== null) found.add(group.metaGroup);
  return found;
}
