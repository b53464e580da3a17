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
  type LeaseHolder,
} from './target-leases.js';
import { runTargetSh } from './target-sh.js';

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

/**
 * Claims on each target disk the room for the batch this pass gave it, atomically there, as
 * DESIGN §15 asks: another plotter may have taken that room since the survey. The plots that fit
 * (in their order) keep their place and share the lease; the others wait for the next pass. A
 * disk where no lease can be written beside plots/ takes its plots as before leases, and this is
 * said once. Call it under the state lock, after the choice.
 */
export async function claimLeases<T extends LeasedItem>(
  planned: T[],
  live: Reservation[],
  surveys: Extract<HostSurvey, { ok: true }>[],
  world: LeaseWorld,
  sayOnce: (key: string, level: 'info' | 'warn', message: string | null) => void,
): Promise<LeaseClaims<T>> {
  const batches = new Map<string, T[]>();
  for (const item of planned)
    batches.set(streamKey(item.reservation), [...(batches.get(streamKey(item.reservation)) ?? []), item]);
  const result: LeaseClaims<T> = { kept: [], dropped: [], notes: [] };
  for (const [key, batch] of batches) {
    const { reservation, target } = batch[0]!;
    const disk = surveys.flatMap((s) => s.disks).find((d) => streamKey(d) === key);
    const where = `${reservation.target}:${reservation.farm}/${reservation.disk}`;
    const names = new Set(batch.map((item) => item.plot.name));
    const name = leaseName(world.holder, world.pid, world.nextStream());
    const answer = await runTargetSh(
      target.place,
      world.sshConfig,
      claimScript({
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
      }),
      world.timeoutMs,
    );
    const claim = answer.ok ? parseClaim(answer.stdout) : { kind: 'none' as const, why: answer.problem };
    if (claim.kind === 'none' && claim.why.startsWith('cannot write a lease in ')) {
      sayOnce(
        `lease:${where}`,
        'warn',
        `${where}: ${claim.why}: its plots go without a lease, so another plotter sending there may overfill it`,
      );
      result.kept.push(...batch);
      continue;
    }
    sayOnce(`lease:${where}`, 'info', null);
    if (claim.kind === 'none') {
      result.notes.push({
        level: 'warn',
        text: `no lease on ${where} (${claim.why}): its ${batch.length} plot(s) wait for the next pass`,
      });
      result.dropped.push(...batch);
      continue;
    }
    for (const text of claim.expired)
      result.notes.push({
        level: 'warn',
        text: `${text} on ${where} was removed: its holder stopped renewing it, so its room is free again`,
      });
    for (const text of claim.old)
      result.notes.push({
        level: 'info',
        text: `${text.replace(/ \(expired at .*\)$/, '')} on ${where}, left by an earlier archiver of this home, was removed`,
      });
    const lease: StreamLease = { name, plotsDir: reservation.plotsDir, place: target.place, disk: where };
    batch.forEach((item, i) => {
      if (i < claim.granted) result.kept.push({ ...item, lease });
      else result.dropped.push(item);
    });
    if (claim.granted < batch.length)
      result.notes.push({
        level: 'info',
        text: `${where} has room for ${claim.granted} of ${batch.length} plot(s) once other plotters' leases are counted (${claim.roomBytes} bytes): the others wait`,
      });
  }
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
