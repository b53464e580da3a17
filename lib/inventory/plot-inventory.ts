import type { PlotKind } from '../plot-file/plot-header.js';
import type { PlotFileFacts } from '../plot-file/read-plot-file.js';
import { ruleMatches, type ReplotRule } from '../replot/replot-rule.js';

export interface PlotGroup {
  k: number;
  compression: number;
  kind: PlotKind;
  count: number;
  bytes: number;
}

export interface PlotRef {
  path: string;
  mtimeMs: number;
}

export interface InvalidRef {
  path: string;
  problem: string;
  message: string;
}

export interface Tally {
  count: number;
  bytes: number;
  groups: PlotGroup[];
  oldest: PlotRef | null;
  newest: PlotRef | null;
  invalid: InvalidRef[];
  /** Valid plots the current replot_match rule would let go, whether replot is on or not. */
  toReplot: { count: number; bytes: number };
  /** Plots whose file name disagrees with their header. */
  nameMismatches: { path: string; mismatches: string[] }[];
}

export interface DiskInventory extends Tally {
  farm: string;
  disk: string;
  plotsDir: string;
  /** Why its plots/ could not be listed: its plots are not counted (not 0). */
  unreadable?: string;
}

export interface FarmInventory extends Tally {
  farm: string;
  disks: DiskInventory[];
}

export interface PlotInventory extends Tally {
  replot: 'on' | 'off';
  rule: string;
  farms: FarmInventory[];
}

function emptyTally(): Tally {
  return {
    count: 0,
    bytes: 0,
    groups: [],
    oldest: null,
    newest: null,
    invalid: [],
    toReplot: { count: 0, bytes: 0 },
    nameMismatches: [],
  };
}

function groupOrder(a: PlotGroup, b: PlotGroup): number {
  return a.k - b.k || a.compression - b.compression || a.kind.localeCompare(b.kind);
}

function addGroup(groups: PlotGroup[], group: PlotGroup): void {
  const same = groups.find((g) => g.k === group.k && g.compression === group.compression && g.kind === group.kind);
  if (same) {
    same.count += group.count;
    same.bytes += group.bytes;
  } else {
    groups.push({ ...group });
    groups.sort(groupOrder);
  }
}

/** Adds `part` into `into` (a disk into its farm, a farm into the whole). */
function merge(into: Tally, part: Tally): void {
  into.count += part.count;
  into.bytes += part.bytes;
  for (const group of part.groups) addGroup(into.groups, group);
  if (part.oldest && (!into.oldest || part.oldest.mtimeMs < into.oldest.mtimeMs)) into.oldest = part.oldest;
  if (part.newest && (!into.newest || part.newest.mtimeMs > into.newest.mtimeMs)) into.newest = part.newest;
  into.invalid.push(...part.invalid);
  into.toReplot.count += part.toReplot.count;
  into.toReplot.bytes += part.toReplot.bytes;
  into.nameMismatches.push(...part.nameMismatches);
}

/** One disk's tally from the facts of its plot files. */
export function tallyDisk(facts: readonly PlotFileFacts[], rule: ReplotRule): Tally {
  const tally = emptyTally();
  for (const plot of facts) {
    if (!plot.ok) {
      tally.invalid.push({ path: plot.path, problem: plot.problem, message: plot.message });
      continue;
    }
    const { k, compression, kind } = plot.header;
    tally.count += 1;
    tally.bytes += plot.sizeBytes;
    addGroup(tally.groups, { k, compression, kind, count: 1, bytes: plot.sizeBytes });
    const ref = { path: plot.path, mtimeMs: plot.mtimeMs };
    if (!tally.oldest || plot.mtimeMs < tally.oldest.mtimeMs) tally.oldest = ref;
    if (!tally.newest || plot.mtimeMs > tally.newest.mtimeMs) tally.newest = ref;
    if (ruleMatches(rule, plot.header, plot.mtimeMs)) {
      tally.toReplot.count += 1;
      tally.toReplot.bytes += plot.sizeBytes;
    }
    if (plot.nameMismatches.length > 0) tally.nameMismatches.push({ path: plot.path, mismatches: plot.nameMismatches });
  }
  return tally;
}

export interface DiskFacts {
  farm: string;
  disk: string;
  plotsDir: string;
  facts: readonly PlotFileFacts[];
  unreadable?: string;
}

/** The inventory per disk, per farm and in all, in the order the disks come (natural order). */
export function buildInventory(disks: readonly DiskFacts[], rule: ReplotRule, replot: 'on' | 'off'): PlotInventory {
  const inventory: PlotInventory = { ...emptyTally(), replot, rule: rule.text, farms: [] };
  for (const disk of disks) {
    const tally: DiskInventory = {
      farm: disk.farm,
      disk: disk.disk,
      plotsDir: disk.plotsDir,
      ...tallyDisk(disk.facts, rule),
      ...(disk.unreadable === undefined ? {} : { unreadable: disk.unreadable }),
    };
    let farm = inventory.farms.find((f) => f.farm === disk.farm);
    if (!farm) {
      farm = { farm: disk.farm, ...emptyTally(), disks: [] };
      inventory.farms.push(farm);
    }
    farm.disks.push(tally);
    merge(farm, tally);
    merge(inventory, tally);
  }
  return inventory;
}
