import { nextRoundRobin } from '../util/natural-sort.js';
import type { Reservation } from './reservations.js';
import type { HostSurvey, TargetDisk } from './target-disk.js';

/** Room held per plot: its size and 1 %, as the tractor commits for a running plot. */
export function roomFor(size: number): number {
  return Math.ceil(size * 1.01);
}

export interface TargetChoiceInput {
  plot: { name: string; size: number };
  /** Reachable hosts' surveys; hosts take turns in natural order. */
  surveys: Extract<HostSurvey, { ok: true }>[];
  reservations: Reservation[];
  /** The host that got the last plot: the round robin goes on after it. */
  lastHost: string;
  maxPerHost: number;
  /**
   * Replot's credit on a disk in bytes (the next matching old plot that replot may remove for
   * this plot), or absent when this plot gets none (replot off, or the rule matches it too).
   */
  replotCredit?: (disk: TargetDisk) => number;
  /**
   * One stream per disk: the plots given to a disk in this pass go together in one rsync (its
   * batch, up to maxBatchBytes), a disk that an earlier pass's stream is still sending to takes
   * no plot, and maxPerHost and maxTotal count streams. Absent: each plot is a stream of its own.
   */
  streams?: { thisPass: ReadonlySet<string>; maxBatchBytes: number; maxTotal: number };
}

/** replot: the disk holds the plot only once an old plot is removed for it. */
export type TargetChoice =
  { ok: true; disk: TargetDisk; bytes: number; resumed: number; replot: boolean } | { ok: false; why: string };

const sameDisk = (r: Reservation, d: TargetDisk) => r.target === d.target && r.farm === d.farm && r.disk === d.disk;

/** A disk's stream key: its target and plots dir. */
export function streamKey(r: { target: string; plotsDir: string }): string {
  return `${r.target}\0${r.plotsDir}`;
}

/**
 * Whether a plot may go to a disk as far as streams go: it joins the batch this pass opened
 * there while the batch has room, or opens a new stream on a disk nobody sends to while its host
 * and the total are below their limits.
 */
function streamRule(input: TargetChoiceInput): {
  allows: (disk: TargetDisk) => boolean;
  joins: (disk: TargetDisk) => boolean;
  hostFull: (h: string) => boolean;
} {
  const { plot, reservations, maxPerHost } = input;
  const others = reservations.filter((r) => r.plot !== plot.name);
  const streams = input.streams;
  if (streams === undefined) {
    const perHost = new Map<string, number>();
    for (const r of others) perHost.set(r.hostKey, (perHost.get(r.hostKey) ?? 0) + 1);
    const hostFull = (hostKey: string) => (perHost.get(hostKey) ?? 0) >= maxPerHost;
    return { allows: (disk) => !hostFull(disk.hostKey), joins: () => false, hostFull };
  }
  // a pass of 200 plots asks this for each plot with every reservation: the lists grow in place
  // (a copy per reservation made it quadratic)
  const byDisk = new Map<string, Reservation[]>();
  for (const r of others) {
    const key = streamKey(r);
    const list = byDisk.get(key);
    if (list === undefined) byDisk.set(key, [r]);
    else list.push(r);
  }
  const perHost = new Map<string, number>();
  for (const list of byDisk.values()) perHost.set(list[0].hostKey, (perHost.get(list[0].hostKey) ?? 0) + 1);
  const hostFull = (hostKey: string) => (perHost.get(hostKey) ?? 0) >= maxPerHost || byDisk.size >= streams.maxTotal;
  const allows = (disk: TargetDisk) => {
    const list = byDisk.get(streamKey(disk));
    if (list === undefined) return !hostFull(disk.hostKey);
    if (!list.every((r) => streams.thisPass.has(r.plot))) return false;
    return list.reduce((sum, r) => sum + r.bytes, 0) + roomFor(plot.size) <= streams.maxBatchBytes;
  };
  return { allows, joins: (disk) => byDisk.has(streamKey(disk)), hostFull };
}

/** Bytes the transfers already heading to the disk will still write there (their partials are counted in its free space). */
export function reservedOn(disk: TargetDisk, reservations: Reservation[], except: string): number {
  return reservations
    .filter((r) => r.plot !== except && sameDisk(r, disk))
    .reduce((sum, r) => sum + Math.max(0, r.bytes - (disk.partials.get(r.plot) ?? 0)), 0);
}

/** Free bytes on the disk still missing for the plot (or the rest of its partial copy) after what is heading there. */
export function shortfall(disk: TargetDisk, plot: { name: string; size: number }, reservations: Reservation[]): number {
  const need = roomFor(plot.size) - (disk.partials.get(plot.name) ?? 0);
  return need - (disk.freeBytes - reservedOn(disk, reservations, plot.name));
}

/**
 * Whether the disk is usable and has room for the plot after what is heading there; with a
 * replot credit, counting the old plot replot would remove for it.
 */
export function diskFits(
  disk: TargetDisk,
  plot: { name: string; size: number },
  reservations: Reservation[],
  replotCredit?: (disk: TargetDisk) => number,
): boolean {
  if (disk.problem !== null) return false;
  const missing = shortfall(disk, plot, reservations);
  return missing <= 0 || (replotCredit !== undefined && replotCredit(disk) >= missing);
}

/**
 * The disk for one plot. A partial copy of it on a usable disk with room for the rest is
 * resumed there; otherwise hosts take turns (round robin after the last one used), and within
 * a host the disk with the least used space (counting what is heading there) that has room
 * for the plot after the transfers already heading to it. Only when no disk anywhere has that
 * room does replot's credit count (the same order again): a disk with free space is always
 * chosen before an old plot is removed.
 */
export function chooseTarget(input: TargetChoiceInput): TargetChoice {
  const plain = chooseWith(input, undefined);
  if (plain.ok || input.replotCredit === undefined) return plain;
  const replot = chooseWith(input, input.replotCredit);
  return replot.ok ? replot : plain;
}

function chooseWith(input: TargetChoiceInput, credit: ((disk: TargetDisk) => number) | undefined): TargetChoice {
  const { plot, surveys, reservations } = input;
  const room = roomFor(plot.size);
  const rule = streamRule(input);
  // an old plot is removed just before its new plot's own rsync: a plot that needs one opens a stream
  const needsCredit = (disk: TargetDisk) => credit !== undefined && shortfall(disk, plot, reservations) > 0;
  const fits = (disk: TargetDisk) =>
    rule.allows(disk) && diskFits(disk, plot, reservations, credit) && !(rule.joins(disk) && needsCredit(disk));
  const chosen = (disk: TargetDisk, resumed: number): TargetChoice => ({
    ok: true,
    disk,
    bytes: room,
    resumed,
    replot: credit !== undefined && shortfall(disk, plot, reservations) > 0,
  });

  const resumable = surveys
    .flatMap((survey) => survey.disks)
    .find((disk) => disk.partials.has(plot.name) && fits(disk));
  if (resumable) return chosen(resumable, resumable.partials.get(plot.name) ?? 0);

  const hosts = surveys.map((survey) => survey.hostKey);
  const reasons: string[] = [];
  for (const hostKey of nextRoundRobin(hosts, input.lastHost)) {
    const survey = surveys.find((s) => s.hostKey === hostKey)!;
    const candidates = survey.disks
      .filter(fits)
      .map((disk) => ({ disk, use: disk.totalBytes - disk.freeBytes + reservedOn(disk, reservations, plot.name) }))
      .sort((a, b) => a.use - b.use || a.disk.plotsDir.localeCompare(b.disk.plotsDir));
    if (candidates.length > 0) return chosen(candidates[0].disk, 0);
    reasons.push(
      rule.hostFull(hostKey)
        ? `${hostKey}: ${input.maxPerHost} transfer(s) at once already`
        : `${hostKey}: ${describeNoRoom(survey.disks)}`,
    );
  }
  return { ok: false, why: reasons.length > 0 ? reasons.join('; ') : 'no reachable target' };
}

function describeNoRoom(disks: TargetDisk[]): string {
  if (disks.length === 0) return 'no disks';
  const counts = new Map<string, number>();
  for (const disk of disks) {
    const reason = disk.problem === null ? 'full' : disk.problem.replace(/:.*$/, '');
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].map(([reason, n]) => `${n} disk${n > 1 ? 's' : ''} ${reason}`).join(', ');
}
