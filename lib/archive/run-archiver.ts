import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { writePromFile } from '../metrics/write-prom-file.js';
import { holderOf, planPass, type PassResult, type PlannedTransfer, type PassWorld } from './archive-pass.js';
import { releaseScript, renewScript } from './target-leases.js';
import { runTargetSh } from './target-sh.js';
import { TargetReader } from './archive-targets.js';
import { closeMasterArgs } from './ssh-args.js';
import { buildArchiverRegistry } from './archiver-metrics.js';
import {
  readTotals,
  writeArchiverProgress,
  writeTotals,
  type TargetStatus,
  type TransferProgress,
} from './archiver-progress.js';
import { dropFreed } from './replot-freed.js';
import { releaseReservation } from './reservations.js';
import type { TargetNews } from './target-outages.js';
import { transferBatch, type TransferOutcome } from './transfer-plot.js';
import { roomFor, streamKey } from './choose-target.js';
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

  constructor(private readonly options: ArchiverOptions) {
    this.now = options.now ?? Date.now;
    this.targets = new TargetReader(options.paths, (level, message) => options.log(level, message));
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
    };
  }

  /** One pass: plan under the lock, then start the planned transfers (not awaited). */
  async pass(): Promise<PassResult | null> {
    const { options } = this;
    let result: PassResult;
    try {
      result = await planPass(this.targets.read(), this.passWorld());
    } catch (error) {
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
    const batches = new Map<string, PlannedTransfer[]>();
    for (const planned of result.planned) {
      const key = streamKey(planned.reservation);
      batches.set(key, [...(batches.get(key) ?? []), planned]);
    }
    for (const batch of batches.values()) this.startBatch(batch, this.newLinkDir());
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
    const seen = new Set<string>();
    for (const target of this.targets.read()) {
      if (target.place.kind !== 'remote' || seen.has(target.hostKey)) continue;
      seen.add(target.hostKey);
      spawnSync('ssh', closeMasterArgs(target.place, this.options.config.get('archive_ssh_config')), {
        stdio: 'ignore',
        timeout: 5000,
      });
    }
  }

  /** Waits for the transfers, and for the notifications (bounded by the notifier), so a `--once` run ends with both sent. */
  async settle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()].map((active) => active.done));
    await Promise.all([...this.sending]);
  }

  /** The plots planned to one disk, as one batch: one rsync, each plot's progress and outcome its own. */
  private startBatch(batch: PlannedTransfer[], linkDir: string): void {
    const { options } = this;
    const startedAt = this.now();
    const abort = new AbortController();
    const progressOf = new Map<string, TransferProgress>();
    for (const planned of batch)
      progressOf.set(planned.plot.name, {
        plot: planned.plot.name,
        source: planned.plot.file,
        target: planned.reservation.target,
        dest: `${planned.reservation.farm}/${planned.reservation.disk}`,
        bytesTotal: planned.plot.size,
        bytesDone: planned.resumed,
        bytesPerSecond: 0,
        etaSeconds: null,
        startedAt,
      });
    const onBytes = (name: string, bytes: number) => {
      const progress = progressOf.get(name);
      if (progress === undefined) return;
      progress.bytesDone = Math.max(progress.bytesDone, bytes);
      const resumed = batch.find((p) => p.plot.name === name)?.resumed ?? 0;
      const seconds = (this.now() - startedAt) / 1000;
      progress.bytesPerSecond = seconds > 0 ? Math.max(0, progress.bytesDone - resumed) / seconds : 0;
      progress.etaSeconds =
        progress.bytesPerSecond > 0 ? (progress.bytesTotal - progress.bytesDone) / progress.bytesPerSecond : null;
    };
    const done = transferBatch(batch, {
      sshConfig: options.config.get('archive_ssh_config'),
      bwlimit: options.config.get('archive_bwlimit'),
      mode: parseInt(options.config.get('archive_mode'), 8),
      now: this.now,
      procDir: options.procDir ?? '/proc',
      log: (level, message) => options.log(level, message),
      onBytes,
      signal: abort.signal,
      linkDir,
    })
      .then((outcomes) => this.count(batch, outcomes))
      .catch((error: unknown) => {
        options.log(
          'error',
          `transfer of ${batch.map((p) => p.plot.name).join(', ')} crashed: ${errorMessage(error)}; the sources stay`,
        );
      })
      .finally(async () => {
        clearInterval(renewing);
        await this.releaseLease(batch);
        this.ended(batch, linkDir);
      });
    const renewing = this.renewLease(batch, progressOf);
    for (const planned of batch)
      this.active.set(planned.plot.name, { planned, progress: progressOf.get(planned.plot.name)!, abort, done });
    this.timer ??= setInterval(() => this.writeProgress(), options.progressEveryMs ?? 2000);
  }

  /** Renews the batch's lease on its disk every third of its lifetime with the bytes its plots still need. */
  private renewLease(batch: PlannedTransfer[], progressOf: Map<string, TransferProgress>): NodeJS.Timeout | undefined {
    const lease = batch[0]?.lease;
    if (!lease) return undefined;
    const { config, log } = this.options;
    const ttl = config.get('archive_lease_seconds');
    let said = false;
    const timer = setInterval(
      () => {
        const bytes = batch.reduce(
          (sum, p) => sum + Math.max(0, roomFor(p.plot.size) - (progressOf.get(p.plot.name)?.bytesDone ?? 0)),
          0,
        );
        const script = renewScript(lease.plotsDir, holderOf(this.passWorld()), lease.name, bytes, ttl);
        void runTargetSh(lease.place, config.get('archive_ssh_config'), script, 30_000).then((answer) => {
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

  /** The batch's lease goes once its plots are plots there (or the batch stopped). */
  private async releaseLease(batch: PlannedTransfer[]): Promise<void> {
    const lease = batch[0]?.lease;
    if (!lease) return;
    const answer = await runTargetSh(
      lease.place,
      this.options.config.get('archive_ssh_config'),
      releaseScript(lease.plotsDir, lease.name),
      30_000,
    );
    if (!answer.ok)
      this.options.log('warn', `could not remove the lease on ${lease.disk} (${answer.problem}): it expires by itself`);
  }

  private count(batch: PlannedTransfer[], outcomes: Map<string, TransferOutcome>): void {
    const totals = readTotals(this.options.paths);
    for (const { plot, reservation } of batch) {
      const outcome = outcomes.get(plot.name);
      if (outcome?.ok) {
        dropFreed(this.options.paths, plot.name);
        totals.movedPlots += 1;
        totals.movedBytes += plot.size;
      } else if (outcome !== undefined && outcome.kind !== 'stopped') {
        totals.failures[reservation.target] = (totals.failures[reservation.target] ?? 0) + 1;
      }
    }
    writeTotals(this.options.paths, totals);
  }

  private ended(batch: PlannedTransfer[], linkDir: string): void {
    fs.rmSync(linkDir, { recursive: true, force: true });
    for (const { plot, reservation } of batch) {
      releaseReservation(this.options.paths, reservation);
      this.active.delete(plot.name);
    }
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

  private writeProgress(): void {
    try {
      writeArchiverProgress(this.options.paths, {
        pid: process.pid,
        pidStart: this.options.pidStart,
        updatedAt: this.now(),
        waiting: this.last.waiting,
        transfers: [...this.active.values()].map((active) => ({ ...active.progress })),
        targets: this.last.statuses,
      });
    } catch (error) {
      this.sayOnce('progress', 'warn', `cannot write the archiver's progress: ${errorMessage(error)}`);
    }
  }

  private async writeOutputs(success: boolean): Promise<void> {
    this.writeProgress();
    const promDir = this.options.config.get('prom_dir');
    if (!fs.existsSync(promDir)) {
      this.sayOnce('prom', 'warn', `prom_dir ${promDir} does not exist: archiver.prom is not written`);
      return;
    }
    this.sayOnce('prom', 'info', null);
    try {
      const progress = {
        pid: process.pid,
        pidStart: this.options.pidStart,
        updatedAt: this.now(),
        waiting: this.last.waiting,
        transfers: [...this.active.values()].map((a) => a.progress),
        targets: this.last.statuses as TargetStatus[],
      };
      const headingTo = new Map<string, number>();
      for (const active of this.active.values())
        headingTo.set(active.progress.target, (headingTo.get(active.progress.target) ?? 0) + 1);
      await writePromFile(
        promDir,
        'archiver',
        buildArchiverRegistry(
          progress,
          readTotals(this.options.paths),
          headingTo,
          success,
          this.now(),
          this.last.staging ?? [],
        ),
      );
    } catch (error) {
      this.sayOnce('prom', 'warn', `cannot write archiver.prom: ${errorMessage(error)}`);
    }
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
