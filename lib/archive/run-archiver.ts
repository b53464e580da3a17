import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { holderOf, planPass, type PassResult, type PlannedTransfer, type PassWorld } from './archive-pass.js';
import { writeOutputs, writeProgress, type ArchiverShown } from './archiver-outputs.js';
import { releaseAfterFinish, releaseLease, renewLease, type BatchLeaseWorld } from './batch-lease.js';
import { batchProgress } from './batch-progress.js';
import { TargetReader } from './archive-targets.js';
import { closeMasters, SessionPool, type SessionUse } from './host-session.js';
import type { TransferProgress } from './archiver-progress.js';
import { countBatch } from './batch-totals.js';
import { releaseReservations } from './reservations.js';
import type { TargetNews } from './target-outages.js';
import { transferBatch } from './transfer-plot.js';
import { streamKey } from './choose-target.js';
import { EarlyRsyncs } from './early-rsync.js';
import { HostCiphers, hostCpuFile, localAesGcm } from './bulk-cipher.js';
import type { StartedRsync } from './run-rsync.js';
import { archiveStateDir } from './archive-state.js';
import { errorMessage } from '../util/error-message.js';

export type ArchiverLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface ArchiverOptions {
  paths: HomePaths;
  config: ConfigReader;
  log: ArchiverLog;
  notify: (news: TargetNews) => Promise<unknown>;
  now?: () => number;
  procDir?: string;
  mountinfoPath: string;
  pidStart: number;
  /** ms between progress writes while transfers run. */
  progressEveryMs?: number;
  /** Whether this machine's CPU does AES-GCM in hardware (default: its /proc/cpuinfo says). */
  localAesGcm?: boolean;
}

interface Active {
  planned: PlannedTransfer;
  progress: TransferProgress;
  abort: AbortController;
  done: Promise<void>;
}

/** Passes and the transfers they start; one per home (the caller holds the pid file). */
export class Archiver {
  private readonly active = new Map<string, Active>();
  private readonly sending = new Set<Promise<unknown>>();
  private readonly said = new Map<string, string>();
  private readonly targets: TargetReader;
  private last: Pick<PassResult, 'waiting' | 'statuses' | 'staging'> = { waiting: 0, statuses: [] };
  private timer: NodeJS.Timeout | null = null;
  private batches = 0;
  private wake: (() => void) | null = null;
  private readonly now: () => number;
  private readonly sessions = new SessionPool();
  private readonly early = new EarlyRsyncs();
  private readonly ciphers: HostCiphers;

  constructor(private readonly options: ArchiverOptions) {
    this.now = options.now ?? Date.now;
    this.targets = new TargetReader(options.paths, (level, message) => options.log(level, message));
    this.ciphers = new HostCiphers(hostCpuFile(archiveStateDir(options.paths)), options.localAesGcm ?? localAesGcm());
    // links left by an archiver killed mid-batch: only this home's one archiver uses them
    fs.rmSync(path.join(archiveStateDir(options.paths), 'send'), { recursive: true, force: true });
  }

  private passWorld(): PassWorld {
    const { options } = this;
    return {
      paths: options.paths,
      config: options.config,
      now: this.now,
      procDir: options.procDir ?? '/proc',
      mountinfoPath: options.mountinfoPath,
      pid: process.pid,
      pidStart: options.pidStart,
      sayOnce: (key, level, message) => this.sayOnce(key, level, message),
      sessions: this.sessions,
      onStaged: (plots, targets) =>
        this.early.start(targets, plots, {
          sshConfig: options.config.get('archive_ssh_config'),
          bwlimit: options.config.get('archive_bwlimit'),
          ciphersFor: (hostKey) => this.ciphersFor(hostKey),
          inTransfer: (plot) => this.active.has(plot),
          busyHosts: new Set([...this.active.values()].map((active) => active.planned.target.hostKey)),
          statuses: this.last.statuses,
          newLinkDir: () => this.newLinkDir(),
        }),
    };
  }

  /** One pass: plan under the lock, then start the planned transfers (not awaited). */
  async pass(): Promise<PassResult | null> {
    const { options } = this;
    let result: PassResult;
    try {
      result = await planPass(this.targets.read(), this.passWorld());
    } catch (error) {
      this.early.cancelRest();
      options.log('error', `archive pass failed: ${errorMessage(error)}`);
      await this.writeOutputs(false);
      return null;
    }
    for (const note of result.notes) options.log(note.level, note.text);
    for (const item of result.news) {
      options.log(item.level, item.text);
      const sending = options.notify(item).catch(() => undefined);
      this.sending.add(sending);
      void sending.finally(() => this.sending.delete(sending));
    }
    this.last = result;
    if (result.hostAes) this.ciphers.learn(result.hostAes, this.cipherSetting(), (text) => options.log('info', text));
    const batches = new Map<string, PlannedTransfer[]>();
    for (const planned of result.planned) {
      const key = streamKey(planned.reservation);
      batches.set(key, [...(batches.get(key) ?? []), planned]);
    }
    // each batch holds its host's session (the pass's) for its lease renewals and its finish
    for (const batch of batches.values()) {
      const rsync = this.early.take(batch);
      this.startBatch(batch, rsync?.start.linkDir ?? this.newLinkDir(), this.sessionFor(batch), rsync);
    }
    this.early.cancelRest();
    result.release?.();
    await this.writeOutputs(true);
    return result;
  }

  /** `--once`: a pass, then wait for its transfers. */
  async runOnce(signal?: AbortSignal): Promise<void> {
    await this.pass();
    const stopAll = () => {
      for (const active of this.active.values()) active.abort.abort();
    };
    signal?.addEventListener('abort', stopAll, { once: true });
    if (signal?.aborted) stopAll();
    await this.settle();
    signal?.removeEventListener('abort', stopAll);
  }

  /** Passes every archive_interval seconds, and at once when a transfer ends, until signal aborts. */
  async runForever(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.pass();
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(sleep);
          signal.removeEventListener('abort', done);
          this.wake = null;
          resolve();
        };
        const sleep = setTimeout(done, this.options.config.get('archive_interval') * 1000);
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
        // a stop that came during the pass fired no listener: do not sleep through it
        if (signal.aborted) done();
      });
    }
    for (const active of this.active.values()) active.abort.abort();
    await this.settle();
  }

  /** Ends the shared ssh connections (they would linger ControlPersist seconds otherwise). */
  closeConnections(): void {
    closeMasters(this.targets.read(), this.options.config.get('archive_ssh_config'));
  }

  /** Waits for the transfers, and for the notifications (bounded by the notifier), so a `--once` run ends with both sent. */
  async settle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()].map((active) => active.done));
    await Promise.all([...this.sending, this.early.ended()]);
  }

  /** A hold on the batch's host's session, the pass's (none for this host's own disks). */
  private sessionFor(batch: PlannedTransfer[]): SessionUse | undefined {
    const { target } = batch[0]!;
    if (target.place.kind !== 'remote') return undefined;
    return this.sessions.use(target.place, target.hostKey, this.options.config.get('archive_ssh_config'));
  }

  /**
   * The plots planned to one disk, as one batch: one rsync, each plot's progress and outcome its
   * own; its lease renewals and its finish go to `use`'s session, let go of when the batch ends;
   * `rsync`, started for its target as the pass began, sends it (its links under its linkDir).
   */
  private startBatch(batch: PlannedTransfer[], linkDir: string, use?: SessionUse, rsync?: StartedRsync): void {
    const { options } = this;
    const abort = new AbortController();
    const { progressOf, onBytes } = batchProgress(batch, this.now(), this.now);
    const afterFinish = releaseAfterFinish(batch);
    const done = transferBatch(batch, {
      sshConfig: options.config.get('archive_ssh_config'),
      bwlimit: options.config.get('archive_bwlimit'),
      mode: parseInt(options.config.get('archive_mode'), 8),
      ciphers: this.ciphersFor(batch[0]!.target.hostKey) ?? null,
      now: this.now,
      procDir: options.procDir ?? '/proc',
      log: (level, message) => options.log(level, message),
      onBytes,
      signal: abort.signal,
      linkDir,
      afterFinish,
      session: use?.session,
      rsync,
    })
      .then((outcomes) => countBatch(options.paths, batch, outcomes))
      .catch((error: unknown) => {
        options.log(
          'error',
          `transfer of ${batch.map((p) => p.plot.name).join(', ')} crashed: ${errorMessage(error)}; the sources stay`,
        );
      })
      .finally(async () => {
        clearInterval(renewing);
        if (!afterFinish?.ran) await releaseLease(batch, { ...this.leaseWorld(), session: use?.session });
        use?.done();
        this.ended(batch, linkDir);
      });
    const renewing = renewLease(batch, progressOf, { ...this.leaseWorld(), session: use?.session });
    for (const planned of batch)
      this.active.set(planned.plot.name, { planned, progress: progressOf.get(planned.plot.name)!, abort, done });
    this.timer ??= setInterval(() => this.writeProgress(), options.progressEveryMs ?? 2000);
  }

  private cipherSetting(): string {
    return this.options.config.get('archive_cipher');
  }

  private ciphersFor(hostKey: string): string | null | undefined {
    return this.ciphers.forHost(hostKey, this.cipherSetting());
  }

  private leaseWorld(): BatchLeaseWorld {
    return { config: this.options.config, holder: holderOf(this.passWorld()), log: this.options.log };
  }

  private ended(batch: PlannedTransfer[], linkDir: string): void {
    fs.rmSync(linkDir, { recursive: true, force: true });
    releaseReservations(
      this.options.paths,
      batch.map((planned) => planned.reservation),
    );
    for (const { plot } of batch) this.active.delete(plot.name);
    if (this.active.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    void this.writeOutputs(true);
    this.wake?.();
  }

  /** A fresh folder for a batch's links, in the archiver's own state (a leftover is removed on the next start). */
  private newLinkDir(): string {
    this.batches += 1;
    return path.join(archiveStateDir(this.options.paths), 'send', `${process.pid}-${this.batches}`);
  }

  private shown(): ArchiverShown {
    return {
      paths: this.options.paths,
      pidStart: this.options.pidStart,
      now: this.now(),
      waiting: this.last.waiting,
      statuses: this.last.statuses,
      staging: this.last.staging ?? [],
      transfers: [...this.active.values()].map((active) => active.progress),
      sayOnce: (key, level, message) => this.sayOnce(key, level, message),
    };
  }

  private writeProgress(): void {
    writeProgress(this.shown());
  }

  private async writeOutputs(success: boolean): Promise<void> {
    await writeOutputs(this.shown(), this.options.config.get('prom_dir'), success);
  }

  private sayOnce(key: string, level: 'info' | 'warn', message: string | null): void {
    if (message === null) {
      this.said.delete(key);
      return;
    }
    if (this.said.get(key) === message) return;
    this.said.set(key, message);
    this.options.log(level, message);
  }
}
