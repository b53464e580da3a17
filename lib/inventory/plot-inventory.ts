import type { PlotKind } from '../plot-file/plot-header.js';
import type { PlotFileFacts } from '../plot-file/read-plot-file.js';
import { ruleMatches, type ReplotRule } from '../replot/replot-rule.js';

/** Valid plots of one pos, k, compression (pos1) or strength (pos2) and kind. */
export interface PlotGroup {
  pos: 1 | 2;
  k: number;
  /** pos1 plots only: their compression level. */
  compression?: number;
  /** pos2 plots only: their strength. */
  strength?: number;
  kind: PlotKind;
  count: number;
  bytes: number;
}

export interface Amount {
  count: number;
  bytes: number;
}

/** Files of a proof of space whose format this version does not read (a newer pos2 version, Gigahorse): counted, not judged. */
export interface NotRead extends Amount {
  pos: 1 | 2;
  message: string;
}

/** Valid plots whose files were last written on one UTC day (YYYY-MM-DD), per pos. */
export interface LandedDay {
  day: string;
  pos1: number;
  pos2: number;
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
  /** Valid plots, pos1 and pos2. */
  count: number;
  bytes: number;
  pos1: Amount;
  pos2: Amount;
  groups: PlotGroup[];
  /** pos2 plot group files (`.gplot`), counted by their size: their format is not published yet. */
  groupFiles: Amount;
  notRead: NotRead[];
  oldest: PlotRef | null;
  newest: PlotRef | null;
  /** Every file that is not a valid plot; `invalid` lists the first LISTED of each disk. */
  invalidCount: number;
  invalid: InvalidRef[];
  /** Valid plots the current replot_match rule would let go, whether replot is on or not. */
  toReplot: Amount;
  /** Plots whose file name disagrees with their header; the first LISTED of each disk are listed. */
  nameMismatchCount: number;
  nameMismatches: { path: string; mismatches: string[] }[];
  /** Valid plots landed per UTC day (file mtime) over the last LANDED_DAYS days, days with none left out. */
  landed: LandedDay[];
}

/** One disk's tally and what only a disk has: its meta groups in use and its plots folder's problem. */
export interface DiskTally extends Tally {
  /** The pos2 meta groups of the plots on the disk, ascending. */
  metaGroups: number[];
  /** Why its plots/ could not be listed: its plots are not counted (not 0). */
  unreadable?: string;
}

export interface DiskInventory extends DiskTally {
  farm: string;
  disk: string;
  plotsDir: string;
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

/** Files listed per disk in `invalid` and `nameMismatches` (the counts are whole). */
export const LISTED = 100;
/** Days of landed plots kept: five weeks, for the replot rate the migration plan measures. */
export const LANDED_DAYS = 35;
const DAY_MS = 86_400_000;

export function emptyTally(): Tally {
  return {
    count: 0,
    bytes: 0,
    pos1: { count: 0, bytes: 0 },
    pos2: { count: 0, bytes: 0 },
    groups: [],
    groupFiles: { count: 0, bytes: 0 },
    notRead: [],
    oldest: null,
    newest: null,
    invalidCount: 0,
    invalid: [],
    toReplot: { count: 0, bytes: 0 },
    nameMismatchCount: 0,
    nameMismatches: [],
    landed: [],
  };
}

/** The first UTC day (YYYY-MM-DD) still inside the landed window at `nowMs`. */
export function firstLandedDay(nowMs: number): string {
  return utcDay(nowMs - (LANDED_DAYS - 1) * DAY_MS);
}

const dayNames = new Map<number, string>();

/** The UTC day of a time, YYYY-MM-DD (named once per day: a scan asks for a million of them). */
export function utcDay(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayNames.set(day, name);
  }
  return name;
}

function groupOrder(a: PlotGroup, b: PlotGroup): number {
  return (
    a.pos - b.pos ||
    a.k - b.k ||
    (a.compression ?? 0) - (b.compression ?? 0) ||
    (a.strength ?? 0) - (b.strength ?? 0) ||
    a.kind.localeCompare(b.kind)
  );
}

function addGroup(groups: PlotGroup[], group: PlotGroup): void {
  const same = groups.find((g) => groupOrder(g, group) === 0);
  if (same) {
    same.count += group.count;
    same.bytes += group.bytes;
  } else {
    groups.push({ ...group });
    groups.sort(groupOrder);
  }
}

function addNotRead(list: NotRead[], item: NotRead): void {
  const same = list.find((n) => n.pos === item.pos && n.message === item.message);
  if (same) {
    same.count += item.count;
    same.bytes += item.bytes;
  } else {
    list.push({ ...item });
    list.sort((a, b) => a.pos - b.pos || a.message.localeCompare(b.message));
  }
}

function addLanded(list: LandedDay[], item: LandedDay): void {
  const same = list.find((d) => d.day === item.day);
  if (same) {
    same.pos1 += item.pos1;
    same.pos2 += item.pos2;
  } else {
    list.push({ ...item });
    list.sort((a, b) => a.day.localeCompare(b.day));
  }
}

/** Adds `part` into `into` (a disk into its farm, a farm into the whole), the landed days from `fromDay` on. */
export function mergeTally(into: Tally, part: Tally, fromDay: string): void {
  into.count += part.count;
  into.bytes += part.bytes;
  for (const pos of ['pos1', 'pos2'] as const) {
    into[pos].count += part[pos].count;
    into[pos].bytes += part[pos].bytes;
  }
  for (const group of part.groups) addGroup(into.groups, group);
  into.groupFiles.count += part.groupFiles.count;
  into.groupFiles.bytes += part.groupFiles.bytes;
  for (const item of part.notRead) addNotRead(into.notRead, item);
  if (part.oldest && (!into.oldest || part.oldest.mtimeMs < into.oldest.mtimeMs)) into.oldest = part.oldest;
  if (part.newest && (!into.newest || part.newest.mtimeMs > into.newest.mtimeMs)) into.newest = part.newest;
  into.invalidCount += part.invalidCount;
  into.invalid.push(...part.invalid);
  into.toReplot.count += part.toReplot.count;
  into.toReplot.bytes += part.toReplot.bytes;
  into.nameMismatchCount += part.nameMismatchCount;
  into.nameMismatches.push(...part.nameMismatches);
  for (const day of part.landed) if (day.day >= fromDay) addLanded(into.landed, day);
}

function tallyRefused(tally: DiskTally, plot: PlotFileFacts & { ok: false }): void {
  const bytes = plot.stat?.sizeBytes ?? 0;
  if (plot.problem === 'group') {
    tally.groupFiles.count += 1;
    tally.groupFiles.bytes += bytes;
  } else if (plot.problem === 'unsupported') {
    addNotRead(tally.notRead, { pos: plot.pos ?? 1, message: plot.message, count: 1, bytes });
  } else {
    tally.invalidCount += 1;
    if (tally.invalid.length < LISTED)
      tally.invalid.push({ path: plot.path, problem: plot.problem, message: plot.message });
  }
}

function tallyPlot(tally: DiskTally, plot: PlotFileFacts & { ok: true }, rule: ReplotRule, fromDay: string): void {
  const { pos, k, compression, kind } = plot.header;
  const bytes = plot.sizeBytes;
  tally.count += 1;
  tally.bytes += bytes;
  const own = pos === 2 ? tally.pos2 : tally.pos1;
  own.count += 1;
  own.bytes += bytes;
  const strength = plot.header.pos2?.strength ?? 0;
  addGroup(
    tally.groups,
    pos === 2 ? { pos, k, strength, kind, count: 1, bytes } : { pos, k, compression, kind, count: 1, bytes },
  );
  const metaGroup = plot.header.pos2?.metaGroup;
  if (metaGroup !== undefined && !tally.metaGroups.includes(metaGroup)) tally.metaGroups.push(metaGroup);
  const ref = { path: plot.path, mtimeMs: plot.mtimeMs };
  if (!tally.oldest || plot.mtimeMs < tally.oldest.mtimeMs) tally.oldest = ref;
  if (!tally.newest || plot.mtimeMs > tally.newest.mtimeMs) tally.newest = ref;
  if (ruleMatches(rule, plot.header, plot.mtimeMs)) {
    tally.toReplot.count += 1;
    tally.toReplot.bytes += bytes;
  }
  if (plot.nameMismatches.length > 0) {
    tally.nameMismatchCount += 1;
    if (tally.nameMismatches.length < LISTED)
      tally.nameMismatches.push({ path: plot.path, mismatches: plot.nameMismatches });
  }
  const day = utcDay(plot.mtimeMs);
  if (day >= fromDay) addLanded(tally.landed, { day, pos1: pos === 1 ? 1 : 0, pos2: pos === 2 ? 1 : 0 });
}

/** One disk's tally from the facts of its plot files, landed days counted from `nowMs`'s window. */
export function tallyDisk(facts: Iterable<PlotFileFacts>, rule: ReplotRule, nowMs: number): DiskTally {
  const tally: DiskTally = { ...emptyTally(), metaGroups: [] };
  const fromDay = firstLandedDay(nowMs);
  for (const plot of facts) {
    if (plot.ok) tallyPlot(tally, plot, rule, fromDay);
    else tallyRefused(tally, plot);
  }
  tally.metaGroups.sort((a, b) => a - b);
  return tally;
}

export interface TalliedDisk {
  farm: string;
  disk: string;
  plotsDir: string;
  tally: DiskTally;
}

/** The inventory per disk, per farm and in all, in the order the disks come (natural order). */
export function buildInventory(
  disks: readonly TalliedDisk[],
  rule: ReplotRule,
  replot: 'on' | 'off',
  nowMs: number,
): PlotInventory {
  const fromDay = firstLandedDay(nowMs);
  const inventory: PlotInventory = { ...emptyTally(), replot, rule: rule.text, farms: [] };
  for (const disk of disks) {
    // a cached disk's landed days may start before today's window
    const own: DiskInventory = { farm: disk.farm, disk: disk.disk, plotsDir: disk.plotsDir, ...disk.tally };
    own.landed = disk.tally.landed.filter((day) => day.day >= fromDay);
    let farm = inventory.farms.find((f) => f.farm === disk.farm);
    if (!farm) {
      farm = { farm: disk.farm, ...emptyTally(), disks: [] };
      inventory.farms.push(farm);
    }
    farm.disks.push(own);
    mergeTally(farm, own, fromDay);
    mergeTally(inventory, own, fromDay);
  }
  return inventory;
}
