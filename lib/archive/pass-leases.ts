import type { ArchiveTarget, TargetPlace } from './archive-targets.js';
import { reservedOn, roomFor, streamKey } from './choose-target.js';
import type { PassNote } from './pass-replot.js';
import type { Reservation } from './reservations.js';
import type { HostSurvey } from './target-disk.js';
import {
  claimScript,
  leaseListLines,
  leaseName,
  parseClaim,
  parseLeaseLines,
  type ClaimAnswer,
  type LeaseHolder,
} from './target-leases.js';
import { runOnHost, runTargetSh, type HostSession } from './host-session.js';

/** A stream's lease on its target disk, renewed while it runs and removed when it ends. */
export interface StreamLease {
  name: string;
  plotsDir: string;
  place: TargetPlace;
  /** `h1:farm1/disk3`, for log lines. */
  disk: string;
}

export interface LeaseWorld {
  sshConfig: string;
  holder: LeaseHolder;
  pid: number;
  ttlSeconds: number;
  timeoutMs: number;
  /** A number for the next stream's lease name, unique in this process. */
  nextStream: () => number;
  /** The pass's session on each host: the claims go there after its survey, with no login of their own. */
  sessions?: Map<string, HostSession>;
}

/** What a claim needs of a planned transfer. */
export interface LeasedItem {
  reservation: Reservation;
  target: ArchiveTarget;
  plot: { name: string; size: number };
  lease?: StreamLease | null;
}

export interface LeaseClaims<T extends LeasedItem> {
  kept: T[];
  /** Plots no room was leased for: they wait for the next pass. */
  dropped: T[];
  notes: PassNote[];
}

type Reachable = Extract<HostSurvey, { ok: true }>;

/** One disk's batch and the lease it asks for. */
interface DiskClaim<T extends LeasedItem> {
  batch: T[];
  where: string;
  name: string;
  script: string;
}

/** The claim script for one disk's batch: what each plot still needs there, and what this home's other streams hold. */
function diskClaim<T extends LeasedItem>(
  batch: T[],
  live: Reservation[],
  surveys: Reachable[],
  world: LeaseWorld,
): DiskClaim<T> {
  const { reservation } = batch[0]!;
  const disk = surveys.flatMap((s) => s.disks).find((d) => streamKey(d) === streamKey(reservation));
  const names = new Set(batch.map((item) => item.plot.name));
  const name = leaseName(world.holder, world.pid, world.nextStream());
  const script = claimScript({
    plotsDir: reservation.plotsDir,
    holder: world.holder,
    pid: world.pid,
    name,
    ttlSeconds: world.ttlSeconds,
    needs: batch.map((item) => ({
      plot: item.plot.name,
      bytes: Math.max(0, roomFor(item.plot.size) - (disk?.partials.get(item.plot.name) ?? 0)),
    })),
    ownBytes: disk
      ? reservedOn(
          disk,
          live.filter((r) => !names.has(r.plot)),
          '',
        )
      : 0,
  });
  return { batch, where: `${reservation.target}:${reservation.farm}/${reservation.disk}`, name, script };
}

/**
 * Every claim to one host in one script (each in a subshell of its own, its answer after a
 * `goplot-claim <i>` line), in the pass's session there when it is alive: a host with many disks
 * costs one round trip, not one per disk, and no login of its own.
 */
async function claimOnHost<T extends LeasedItem>(claims: DiskClaim<T>[], world: LeaseWorld): Promise<ClaimAnswer[]> {
  const script = claims.map((claim, i) => `echo "goplot-claim ${i}"\n(\n${claim.script})`).join('\n');
  const { target } = claims[0]!.batch[0]!;
  const session = world.sessions?.get(target.hostKey);
  const answer = await runOnHost(session, target.place, world.sshConfig, `${script}\n`, world.timeoutMs);
  if (!answer.ok) return claims.map(() => ({ kind: 'none', why: answer.problem }));
  const sections = answer.stdout.split(/^goplot-claim (\d+)$/m);
  const outputs = new Map<number, string>();
  for (let i = 1; i + 1 < sections.length; i += 2) outputs.set(Number(sections[i]), sections[i + 1]);
  return claims.map((_, i) => parseClaim(outputs.get(i) ?? ''));
}

/** What one disk's answer means for its batch: kept with the lease, kept without one, or waiting. */
function judgeClaim<T extends LeasedItem>(
  claim: DiskClaim<T>,
  answer: ClaimAnswer,
  result: LeaseClaims<T>,
  sayOnce: (key: string, level: 'info' | 'warn', message: string | null) => void,
): void {
  const { batch, where } = claim;
  if (answer.kind === 'none' && answer.why.startsWith('cannot write a lease in ')) {
    sayOnce(
      `lease:${where}`,
      'warn',
      `${where}: ${answer.why}: its plots go without a lease, so another plotter sending there may overfill it`,
    );
    result.kept.push(...batch);
    return;
  }
  sayOnce(`lease:${where}`, 'info', null);
  if (answer.kind === 'none') {
    result.notes.push({
      level: 'warn',
      text: `no lease on ${where} (${answer.why}): its ${batch.length} plot(s) wait for the next pass`,
    });
    result.dropped.push(...batch);
    return;
  }
  for (const text of answer.expired)
    result.notes.push({
      level: 'warn',
      text: `${text} on ${where} was removed: its holder stopped renewing it, so its room is free again`,
    });
  for (const text of answer.old)
    result.notes.push({
      level: 'info',
      text: `${text.replace(/ \(expired at .*\)$/, '')} on ${where}, left by an earlier archiver of this home, was removed`,
    });
  const { reservation, target } = batch[0]!;
  const lease: StreamLease = { name: claim.name, plotsDir: reservation.plotsDir, place: target.place, disk: where };
  batch.forEach((item, i) => {
    if (i < answer.granted) result.kept.push({ ...item, lease });
    else result.dropped.push(item);
  });
  if (answer.granted < batch.length)
    result.notes.push({
      level: 'info',
      text: `${where} has room for ${answer.granted} of ${batch.length} plot(s) once other plotters' leases are counted (${answer.roomBytes} bytes): the others wait`,
    });
}

/**
 * Claims on each target disk the room for the batch this pass gave it, atomically there, as
 * DESIGN §15 asks: another plotter may have taken that room since the survey. The plots that fit
 * (in their order) keep their place and share the lease; the others wait for the next pass. A
 * disk where no lease can be written beside plots/ takes its plots as before leases, and this is
 * said once. One round trip per host. Call it under the state lock, after the choice.
 */
export async function claimLeases<T extends LeasedItem>(
  planned: T[],
  live: Reservation[],
  surveys: Reachable[],
  world: LeaseWorld,
  sayOnce: (key: string, level: 'info' | 'warn', message: string | null) => void,
): Promise<LeaseClaims<T>> {
  const batches = new Map<string, T[]>();
  for (const item of planned)
    batches.set(streamKey(item.reservation), [...(batches.get(streamKey(item.reservation)) ?? []), item]);
  const byHost = new Map<string, DiskClaim<T>[]>();
  for (const batch of batches.values()) {
    const hostKey = batch[0]!.target.hostKey;
    byHost.set(hostKey, [...(byHost.get(hostKey) ?? []), diskClaim(batch, live, surveys, world)]);
  }
  const answers = await Promise.all([...byHost.values()].map((claims) => claimOnHost(claims, world)));
  const result: LeaseClaims<T> = { kept: [], dropped: [], notes: [] };
  [...byHost.values()].forEach((claims, h) =>
    claims.forEach((claim, i) => judgeClaim(claim, answers[h]![i]!, result, sayOnce)),
  );
  return result;
}

/** Takes the room other homes' live leases hold on this host's target disks off their free space. */
export async function applyLocalLeases(
  survey: Extract<HostSurvey, { ok: true }>,
  roots: string[],
  ownHome: string,
  timeoutMs: number,
): Promise<void> {
  const answer = await runTargetSh(
    { kind: 'local', root: null },
    '',
    `${roots.flatMap(leaseListLines).join('\n')}\n`,
    timeoutMs,
  );
  if (!answer.ok) return;
  const leased = parseLeaseLines(answer.stdout.split('\n'), ownHome);
  for (const disk of survey.disks) {
    const held = leased.get(disk.plotsDir) ?? 0;
    disk.leasedBytes = held;
    disk.freeBytes = Math.max(0, disk.freeBytes - held);
  }
}
