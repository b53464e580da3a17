import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOpenFilesUnder } from '../farm/open-files.js';
import type { PlannedTransfer } from './pass-types.js';
import { finishCopies, removePartial, type FinishResult } from './finish-copy.js';
import type { HostSession } from './host-session.js';
import { StartedRsync, type RsyncResult } from './run-rsync.js';
import { partialName } from './target-disk.js';

export type TransferOutcome =
  | { ok: true; seconds: number; sourceRemoved: boolean }
  | { ok: false; kind: 'full' | 'unreachable' | 'stopped' | 'failed'; problem: string };

export interface TransferWorld {
  sshConfig: string;
  bwlimit: number;
  /** The mode a plot gets on its target (archive_mode). */
  mode?: number;
  /** The ciphers the batch's ssh asks for (archive_cipher), null or absent for ssh's own. */
  ciphers?: string | null;
  now: () => number;
  procDir: string;
  log: (level: 'info' | 'warn', message: string) => void;
  onBytes: (bytesDone: number) => void;
  signal: AbortSignal;
}

export interface BatchWorld extends Omit<TransferWorld, 'onBytes'> {
  /** A folder of this archiver's own, for the batch's links (removed after). */
  linkDir: string;
  onBytes: (plotName: string, bytesDone: number) => void;
  /** sh lines run on the target right after the copies are finished, in the same session (the lease's release). */
  afterFinish?: { script: string; ran: boolean };
  /** The pass's session on the target host, for the finish: no login of its own. */
  session?: HostSession;
  /** An rsync started for the batch's target before its disk was chosen (its links go under its linkDir). */
  rsync?: StartedRsync;
}

const FINISH_TIMEOUT_MS = 60_000;
export const DEFAULT_PLOT_MODE = 0o644;

export function transferName(transfer: PlannedTransfer): string {
  const { reservation } = transfer;
  return `${reservation.plot} from ${transfer.plot.farm}/${transfer.plot.disk} to ${reservation.target}:${reservation.farm}/${reservation.disk}`;
}

/**
 * The source goes only when it provably may: the verified copy is a plot on the target, and the
 * source is still the file that was copied (same size and mtime) and nobody has it open.
 */
function removeSource(transfer: PlannedTransfer, open: ReadonlySet<string>): string | null {
  const { plot } = transfer;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(plot.file);
  } catch {
    return 'it is gone already';
  }
  if (stat.size !== plot.size || stat.mtimeMs !== plot.mtimeMs) return 'it changed during the transfer';
  if (open.has(plot.file)) return 'another process has it open';
  fs.unlinkSync(plot.file);
  return null;
}

/** One plot alone, as a batch of one (its links in a temp folder, removed after). */
export async function transferPlot(transfer: PlannedTransfer, world: TransferWorld): Promise<TransferOutcome> {
  const linkDir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-send-'));
  try {
    const outcomes = await transferBatch([transfer], {
      ...world,
      linkDir,
      onBytes: (_name, bytes) => world.onBytes(bytes),
    });
    return outcomes.get(transfer.plot.name)!;
  } finally {
    fs.rmSync(linkDir, { recursive: true, force: true });
  }
}

/** Links named `<plot>.plot.partial` to each source, so one rsync writes every copy under its partial name. */
function makeLinks(transfers: PlannedTransfer[], linkDir: string): void {
  fs.mkdirSync(linkDir, { recursive: true });
  for (const transfer of transfers) {
    const link = path.join(linkDir, partialName(transfer.plot.name));
    fs.rmSync(link, { force: true });
    fs.symlinkSync(transfer.plot.file, link);
  }
}

/**
 * The plots waiting for one target disk, in one rsync run (one ssh connection for the batch);
 * then each copy is verified and renamed on the target (one round trip for all), and each source
 * removed only after its own copy is a plot. A plot rsync did not finish fails alone.
 */
export async function transferBatch(
  transfers: PlannedTransfer[],
  world: BatchWorld,
): Promise<Map<string, TransferOutcome>> {
  const first = transfers[0]!;
  const { reservation, target } = first;
  const started = world.now();
  for (const transfer of transfers) logStart(transfer, world);
  // an rsync started for the batch's target before the pass chose its disk, else one of its own;
  // either logs in while the links are made, and reads their names once they exist
  const rsync =
    world.rsync ??
    new StartedRsync({
      place: target.place,
      sshConfig: world.sshConfig,
      bwlimit: world.bwlimit,
      ciphers: world.ciphers ?? null,
      root: reservation.plotsDir,
      linkDir: world.linkDir,
    });
  const copy = await rsync.send(
    {
      plotsDir: reservation.plotsDir,
      plotNames: transfers.map((t) => t.plot.name),
      onBytes: world.onBytes,
      signal: world.signal,
    },
    (linkDir) => makeLinks(transfers, linkDir),
  );
  const outcomes = new Map<string, TransferOutcome>();
  const complete = transfers.filter((t) => copy.ok || copy.sent.has(t.plot.name));
  if (!copy.ok) {
    for (const transfer of transfers.filter((t) => !complete.includes(t)))
      outcomes.set(transfer.plot.name, await failCopy(transfer, copy, started, world));
  }
  const { results: finished, afterRan } = await finishCopies(
    complete.map((transfer) => ({
      place: target.place,
      sshConfig: world.sshConfig,
      plotsDir: reservation.plotsDir,
      plotName: transfer.plot.name,
      size: transfer.plot.size,
      head: transfer.plot.head,
      mode: world.mode ?? DEFAULT_PLOT_MODE,
      timeoutMs: FINISH_TIMEOUT_MS,
    })),
    world.afterFinish?.script,
    world.session,
  );
  if (world.afterFinish && afterRan) world.afterFinish.ran = true;
  const elapsedMs = world.now() - started;
  const sentBytes = complete.reduce((sum, t) => sum + t.plot.size - t.resumed, 0);
  // one look at /proc for the whole batch: who has a source open
  const open = findOpenFilesUnder([...new Set(complete.map((t) => path.dirname(t.plot.file)))], world.procDir);
  const batch = { elapsedMs, sentBytes, started, open };
  for (const [i, transfer] of complete.entries())
    outcomes.set(transfer.plot.name, await endOne(transfer, finished[i], batch, world));
  if (transfers.length > 1) logBatch(transfers, complete.length, elapsedMs, sentBytes, world);
  return outcomes;
}

function logStart(transfer: PlannedTransfer, world: Pick<TransferWorld, 'log' | 'bwlimit'>): void {
  const resumed = transfer.resumed > 0 ? `, resuming at ${transfer.resumed} bytes` : '';
  world.log(
    'info',
    `transfer start: ${transferName(transfer)} (${transfer.plot.size} bytes${resumed}${world.bwlimit > 0 ? `, bwlimit ${world.bwlimit} KiB/s` : ''})`,
  );
}

function logBatch(
  transfers: PlannedTransfer[],
  arrived: number,
  elapsedMs: number,
  sentBytes: number,
  world: Pick<TransferWorld, 'log'>,
): void {
  const { reservation } = transfers[0]!;
  world.log(
    'info',
    `batch to ${reservation.target}:${reservation.farm}/${reservation.disk}: ${arrived} of ${transfers.length} plots sent in one rsync, ${sentBytes} bytes in ${seconds(elapsedMs)}${speedOf(sentBytes, elapsedMs)}`,
  );
}

/** A plot rsync did not send whole: its partial goes if the disk filled up, and the source stays. */
async function failCopy(
  transfer: PlannedTransfer,
  copy: Extract<RsyncResult, { ok: false }>,
  started: number,
  world: BatchWorld,
): Promise<TransferOutcome> {
  if (copy.kind !== 'full') return failed(transfer, copy.kind, copy.problem, started, world);
  const removed = await removePartial({
    place: transfer.target.place,
    sshConfig: world.sshConfig,
    plotsDir: transfer.reservation.plotsDir,
    plotName: transfer.plot.name,
    timeoutMs: FINISH_TIMEOUT_MS,
  });
  return failed(transfer, 'full', `${copy.problem}${removed ? '; removed the partial copy' : ''}`, started, world);
}

function failed(
  transfer: PlannedTransfer,
  kind: Extract<TransferOutcome, { ok: false }>['kind'],
  problem: string,
  started: number,
  world: Pick<TransferWorld, 'log' | 'now'>,
): TransferOutcome {
  const stopped = kind === 'stopped';
  world.log(
    stopped ? 'info' : 'warn',
    `transfer ${stopped ? 'stopped' : 'failed'}: ${transferName(transfer)} after ${seconds(world.now() - started)}: ${problem}; the source stays${stopped ? ' and the copy resumes on the next run' : ''}${freedNote(transfer)}`,
  );
  return { ok: false, kind, problem };
}

/** After its copy is verified and renamed: older partials elsewhere go, then the source. */
async function endOne(
  transfer: PlannedTransfer,
  finish: FinishResult,
  batch: { elapsedMs: number; sentBytes: number; started: number; open: ReadonlySet<string> },
  world: BatchWorld,
): Promise<TransferOutcome> {
  const { plot } = transfer;
  if (!finish.ok) return failed(transfer, 'failed', finish.problem, batch.started, world);
  for (const stray of transfer.strayPartials) {
    const removed = await removePartial({
      place: stray.target.place,
      sshConfig: world.sshConfig,
      plotsDir: stray.plotsDir,
      plotName: plot.name,
      timeoutMs: FINISH_TIMEOUT_MS,
    });
    world.log(
      removed ? 'info' : 'warn',
      `${removed ? 'removed' : 'could not remove'} the older partial copy of ${plot.name} on ${stray.target.name}:${stray.plotsDir}`,
    );
  }
  const kept = removeSource(transfer, batch.open);
  const already = finish.already ? '; it was there already' : '';
  world.log(
    kept === null ? 'info' : 'warn',
    `transfer end: ${transferName(transfer)} done in ${seconds(batch.elapsedMs)}${speedOf(batch.sentBytes, batch.elapsedMs)}, verified${already}; ${kept === null ? 'source removed' : `source kept: ${kept}`}`,
  );
  return { ok: true, seconds: batch.elapsedMs / 1000, sourceRemoved: kept === null };
}

function speedOf(bytes: number, elapsedMs: number): string {
  return elapsedMs > 0 ? ` (${(bytes / 1024 ** 2 / (elapsedMs / 1000)).toFixed(1)} MiB/s)` : '';
}

function freedNote(transfer: PlannedTransfer): string {
  if (transfer.replotFreed === null) return '';
  return `; replot removed ${transfer.replotFreed} for it: that room stays free for the next plot, and no second old plot is removed for this one unless another plot takes it`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
