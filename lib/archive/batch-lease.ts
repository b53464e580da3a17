import type { ConfigReader } from '../config/config-reader.js';
import { roomFor } from './choose-target.js';
import type { TransferProgress } from './archiver-progress.js';
import type { LeaseHolder } from './target-leases.js';
import { releaseScript, renewScript } from './target-leases.js';
import { runOnHost, type HostSession } from './host-session.js';
import type { PlannedTransfer } from './pass-types.js';

export interface BatchLeaseWorld {
  config: ConfigReader;
  holder: LeaseHolder;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** The batch's session on its host (the pass's): renewals and the release go there while it lives. */
  session?: HostSession;
}

/** Renews the batch's lease on its disk every third of its lifetime with the bytes its plots still need. */
export function renewLease(
  batch: PlannedTransfer[],
  progressOf: Map<string, TransferProgress>,
  world: BatchLeaseWorld,
): NodeJS.Timeout | undefined {
  const lease = batch[0]?.lease;
  if (!lease) return undefined;
  const { config, log } = world;
  const ttl = config.get('archive_lease_seconds');
  let said = false;
  const timer = setInterval(
    () => {
      const bytes = batch.reduce(
        (sum, p) => sum + Math.max(0, roomFor(p.plot.size) - (progressOf.get(p.plot.name)?.bytesDone ?? 0)),
        0,
      );
      const script = renewScript(lease.plotsDir, world.holder, lease.name, bytes, ttl);
      void runOnHost(world.session, lease.place, config.get('archive_ssh_config'), script, 30_000).then((answer) => {
        if (said || (answer.ok && !answer.stdout.includes('GONE'))) return;
        said = true;
        log(
          'warn',
          `the lease on ${lease.disk} could not be renewed (${answer.ok ? 'it expired and another plotter removed it' : answer.problem}): the transfer goes on, but that room is no longer held for it`,
        );
      });
    },
    Math.max(5, ttl / 3) * 1000,
  );
  timer.unref();
  return timer;
}

/**
 * The lease's release, to run on a harvester in the same session as the copies' finish (a round
 * trip saved per batch); null where there is no lease or the target is this host.
 */
export function releaseAfterFinish(batch: PlannedTransfer[]): { script: string; ran: boolean } | undefined {
  const lease = batch[0]?.lease;
  if (!lease || lease.place.kind !== 'remote') return undefined;
  return { script: releaseScript(lease.plotsDir, lease.name), ran: false };
}

/** The batch's lease goes once its plots are plots there (or the batch stopped). */
export async function releaseLease(batch: PlannedTransfer[], world: BatchLeaseWorld): Promise<void> {
  const lease = batch[0]?.lease;
  if (!lease) return;
  const answer = await runOnHost(
    world.session,
    lease.place,
    world.config.get('archive_ssh_config'),
    releaseScript(lease.plotsDir, lease.name),
    30_000,
  );
  if (!answer.ok)
    world.log('warn', `could not remove the lease on ${lease.disk} (${answer.problem}): it expires by itself`);
}
