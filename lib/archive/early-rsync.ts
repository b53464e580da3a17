import fs from 'node:fs';
import type { ArchiveTarget } from './archive-targets.js';
import type { TargetStatus } from './archiver-progress.js';
import type { PlannedTransfer } from './pass-types.js';
import { StartedRsync } from './run-rsync.js';

export interface EarlyWorld {
  sshConfig: string;
  bwlimit: number;
  /** The ciphers a host's batches ask for; undefined while that waits for the host's survey (no early rsync then). */
  ciphersFor: (hostKey: string) => string | null | undefined;
  /** Whether a transfer of this archiver has the plot already. */
  inTransfer: (plot: string) => boolean;
  /** Hosts this archiver's batches send to now: their next batches are not waited for. */
  busyHosts: ReadonlySet<string>;
  /** The targets' states at the last pass: one down or full gets no rsync ahead of its survey. */
  statuses: TargetStatus[];
  newLinkDir: () => string;
}

/**
 * rsyncs started for the remote targets as a pass begins, before it has chosen their disks: each
 * logs in on a connection of its own (a key exchange and a login, about a third of a second on a
 * small box) while the pass surveys and plans, writing under the target's root; the pass's first
 * batch to that target takes it, and one no batch takes is given no plot and exits. Only when a
 * staged plot waits that no transfer has, for targets that were neither down nor full at the
 * last pass and whose host no batch of this archiver sends to (a pass started then goes on
 * beside them), so that an archiver whose plots wait for room does not log in for nothing; and
 * not to a host whose ciphers wait for its first survey (its CPU's answer).
 */
export class EarlyRsyncs {
  private readonly started = new Map<string, StartedRsync>();
  private readonly ending = new Set<Promise<void>>();

  start(targets: ArchiveTarget[], staged: { name: string }[], world: EarlyWorld): void {
    if (!staged.some((plot) => !world.inTransfer(plot.name))) return;
    for (const target of targets) {
      if (target.place.kind !== 'remote' || this.started.has(target.name) || world.busyHosts.has(target.hostKey))
        continue;
      const state = world.statuses.find((status) => status.name === target.name)?.state;
      const ciphers = world.ciphersFor(target.hostKey);
      if (state === 'down' || state === 'full' || ciphers === undefined) continue;
      this.started.set(
        target.name,
        new StartedRsync({
          place: target.place,
          sshConfig: world.sshConfig,
          bwlimit: world.bwlimit,
          ciphers,
          root: target.place.root,
          linkDir: world.newLinkDir(),
        }),
      );
    }
  }

  /** The rsync started for the batch's target, if it still waits and writes where the batch goes. */
  take(batch: PlannedTransfer[]): StartedRsync | undefined {
    const { target, reservation } = batch[0]!;
    const rsync = this.started.get(target.name);
    if (rsync === undefined || !rsync.waiting || rsync.linksFor(reservation.plotsDir) === null) return undefined;
    this.started.delete(target.name);
    return rsync;
  }

  /** The rsyncs no batch took get no plot: they exit, and their (empty) link folders go. */
  cancelRest(): void {
    for (const rsync of this.started.values()) {
      const ending = rsync.cancel().then(() => fs.rmSync(rsync.start.linkDir, { recursive: true, force: true }));
      this.ending.add(ending);
      void ending.finally(() => this.ending.delete(ending));
    }
    this.started.clear();
  }

  /** Once the rsyncs given no plot have exited (a `--once` run waits for them). */
  async ended(): Promise<void> {
    await Promise.all([...this.ending]);
  }
}
