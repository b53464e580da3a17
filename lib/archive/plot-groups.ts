import { metaGroupFree } from '../plan/choose-meta-group.js';
import { parsePlotHeader } from '../plot-file/plot-header.js';
import { reservedOn, roomFor, streamKey } from './choose-target.js';
import { groupIdentity } from './disk-groups.js';
import type { Reservation } from './reservations.js';
import type { StagedPlot } from './staging-plots.js';
import type { HostSurvey, TargetDisk } from './target-disk.js';

/** The pos2 plots on one staging disk that share a meta group, strength and kind: they go to one disk. */
export interface StagedGroup {
  key: string;
  /** Its meta group, strength and kind, as a target disk's survey names the groups there. */
  identity: string;
  metaGroup: number;
  plots: StagedPlot[];
}

export interface GroupPlacement {
  /** Group key → the one disk its plots go to this pass. */
  diskOf: Map<string, TargetDisk>;
  /** Group key → why it waits on staging (said once per group). */
  waits: Map<string, string>;
  /** Plot name → its group's key. */
  groupOf: Map<string, string>;
}

/**
 * The surveys a staged plot may choose from: all of them for a pos1 plot, only its group's disk
 * for a pos2 plot, none (null) while its group waits.
 */
export function surveysFor(
  plot: StagedPlot,
  placement: GroupPlacement,
  surveys: Extract<HostSurvey, { ok: true }>[],
): Extract<HostSurvey, { ok: true }>[] | null {
  const key = placement.groupOf.get(plot.name);
  if (key === undefined) return surveys;
  const disk = placement.diskOf.get(key);
  if (disk === undefined) return null;
  return surveys.filter((survey) => survey.disks.includes(disk)).map((survey) => ({ ...survey, disks: [disk] }));
}

/** The group of a staged pos2 plot, from the header bytes the staging check read; null for pos1 plots. */
export function groupKeyOf(plot: StagedPlot): { key: string; identity: string; metaGroup: number } | null {
  const parsed = parsePlotHeader(plot.head);
  if (!parsed.ok || parsed.header.pos2 === undefined) return null;
  const identity = groupIdentity(parsed.header)!;
  return { key: `${plot.farm}/${plot.disk} ${identity}`, identity, metaGroup: parsed.header.pos2.metaGroup };
}

/** The group identity of a staged plot (null for pos1). */
export function stagedIdentity(plot: StagedPlot): string | null {
  return groupKeyOf(plot)?.identity ?? null;
}

export function stagedGroups(plots: StagedPlot[]): StagedGroup[] {
  const groups = new Map<string, StagedGroup>();
  for (const plot of plots) {
    const of = groupKeyOf(plot);
    if (of === null) continue;
    const group = groups.get(of.key) ?? { key: of.key, identity: of.identity, metaGroup: of.metaGroup, plots: [] };
    group.plots.push(plot);
    groups.set(of.key, group);
  }
  return [...groups.values()];
}

/** GiB from 1 GiB up, MiB below (a test's groups are small). */
export function groupSize(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/**
 * One target disk for each staged group, where the whole group fits (after its leases, what is
 * heading there and the other groups given to it this pass) and its meta group is free. A disk
 * that already holds the group (its meta group, strength and kind: the same meta group of another
 * group is only not free), or that an earlier pass's copy of the group goes to, is the group's own and is taken first: later plots of a group join the others.
 */
export function placeGroups(
  groups: StagedGroup[],
  surveys: Extract<HostSurvey, { ok: true }>[],
  live: Reservation[],
  creditOf: (group: StagedGroup) => ((disk: TargetDisk) => number) | undefined = () => undefined,
): GroupPlacement {
  const disks = surveys.flatMap((survey) => survey.disks).filter((disk) => disk.problem === null);
  const metas = new Map(disks.map((disk) => [streamKey(disk), new Set(disk.metaGroups ?? [])]));
  const promised = new Map<string, number>();
  const placement: GroupPlacement = { diskOf: new Map(), waits: new Map(), groupOf: new Map() };
  const metaOf = new Map(groups.flatMap((group) => group.plots.map((plot) => [plot.name, group.metaGroup] as const)));
  // copies of staged groups still heading to a disk hold their meta group there (a remote survey does not see them)
  for (const r of live) {
    const meta = metaOf.get(r.plot);
    if (meta !== undefined) metas.get(streamKey(r))?.add(meta);
  }
  for (const group of groups) {
    for (const plot of group.plots) placement.groupOf.set(plot.name, group.key);
    const pending = group.plots.filter((plot) => !live.some((r) => r.plot === plot.name));
    const need = pending.reduce((sum, plot) => sum + roomFor(plot.size), 0);
    const context = { disks, metas, promised, live, need };
    // free room first; only where no disk has it, the room replot would make (old plots the rule matches)
    let pick = chooseGroupDisk(group, context, undefined);
    const credit = creditOf(group);
    if (pick.chosen === undefined && credit !== undefined) pick = chooseGroupDisk(group, context, credit);
    const { own, chosen } = pick;
    if (chosen === undefined) {
      const why =
        own !== undefined
          ? `${own.target}:${own.plotsDir} holds its meta group and has no room for the rest`
          : `no target disk has room for it with meta group ${group.metaGroup} free`;
      placement.waits.set(
        group.key,
        `group meta ${group.metaGroup} (${group.plots.length} plots, ${groupSize(need)}) waits: ${why}`,
      );
      continue;
    }
    placement.diskOf.set(group.key, chosen);
    metas.get(streamKey(chosen))!.add(group.metaGroup);
    promised.set(streamKey(chosen), (promised.get(streamKey(chosen)) ?? 0) + need);
  }
  return placement;
}

/** The group's own disk if it has one (and the room), else the least used disk with room where its meta group is free. */
function chooseGroupDisk(
  group: StagedGroup,
  context: {
    disks: TargetDisk[];
    metas: Map<string, Set<number>>;
    promised: Map<string, number>;
    live: Reservation[];
    need: number;
  },
  credit: ((disk: TargetDisk) => number) | undefined,
): { own: TargetDisk | undefined; chosen: TargetDisk | undefined } {
  const { disks, metas, promised, live, need } = context;
  const names = new Set(group.plots.map((plot) => plot.name));
  const heading = (disk: TargetDisk) => reservedOn(disk, live, '') + (promised.get(streamKey(disk)) ?? 0);
  const room = (disk: TargetDisk) => disk.freeBytes - heading(disk) + (credit?.(disk) ?? 0) >= need;
  const own = disks.find(
    (disk) =>
      live.some((r) => names.has(r.plot) && streamKey(r) === streamKey(disk)) ||
      (disk.groups?.has(group.identity) ?? false),
  );
  if (own !== undefined) return { own, chosen: room(own) ? own : undefined };
  const use = (disk: TargetDisk) => disk.totalBytes - disk.freeBytes + heading(disk);
  const chosen = disks
    .filter((disk) => {
      const inUse = metas.get(streamKey(disk))!;
      return room(disk) && !inUse.has(group.metaGroup) && metaGroupFree(group.metaGroup, inUse);
    })
    .sort((a, b) => use(a) - use(b) || a.plotsDir.localeCompare(b.plotsDir))[0];
  return { own, chosen };
}
