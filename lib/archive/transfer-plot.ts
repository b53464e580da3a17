import fs from 'node:fs';
import path from 'node:path';
import { findOpenFilesUnder } from '../farm/open-files.js';
import type { PlannedTransfer } from './archive-pass.js';
import { finishCopy, removePartial } from './finish-copy.js';
import { runRsync } from './run-rsync.js';

export type TransferOutcome =
  | { ok: true; seconds: number; sourceRemoved: boolean }
  | { ok: false; kind: 'full' | 'unreachable' | 'stopped' | 'failed'; problem: string };

export interface TransferWorld {
  sshConfig: string;
  bwlimit: number;
  now: () => number;
  procDir: string;
  log: (level: 'info' | 'warn', message: string) => void;
  onBytes: (bytesDone: number) => void;
  signal: AbortSignal;
}

const FINISH_TIMEOUT_MS = 60_000;

export function transferName(transfer: PlannedTransfer): string {
  const { reservation } = transfer;
  return `${reservation.plot} from ${transfer.plot.farm}/${transfer.plot.disk} to ${reservation.target}:${reservation.farm}/${reservation.disk}`;
}

/**
 * The source goes only when it provably may: the verified copy is a plot on the target, and the
 * source is still the file that was copied (same size and mtime) and nobody has it open.
 */
function removeSource(transfer: PlannedTransfer, procDir: string): string | null {
  const { plot } = transfer;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(plot.file);
  } catch {
    return 'it is gone already';
  }
  if (stat.size !== plot.size || stat.mtimeMs !== plot.mtimeMs) return 'it changed during the transfer';
  if (findOpenFilesUnder([path.dirname(plot.file)], procDir).has(plot.file)) return 'another process has it open';
  fs.unlinkSync(plot.file);
  return null;
}

/** rsync into the partial name, verify and rename on the target, then remove the source. */
export async function transferPlot(transfer: PlannedTransfer, world: TransferWorld): Promise<TransferOutcome> {
  const { reservation, plot, target } = transfer;
  const started = world.now();
  const name = transferName(transfer);
  const resumed = transfer.resumed > 0 ? `, resuming at ${transfer.resumed} bytes` : '';
  world.log(
    'info',
    `transfer start: ${name} (${plot.size} bytes${resumed}${world.bwlimit > 0 ? `, bwlimit ${world.bwlimit} KiB/s` : ''})`,
  );
  const copy = await runRsync({
    source: plot.file,
    place: target.place,
    sshConfig: world.sshConfig,
    plotsDir: reservation.plotsDir,
    plotName: plot.name,
    bwlimit: world.bwlimit,
    onBytes: world.onBytes,
    signal: world.signal,
  });
  const failed = (kind: Extract<TransferOutcome, { ok: false }>['kind'], problem: string): TransferOutcome => {
    const level = kind === 'stopped' ? 'info' : 'warn';
    world.log(
      level,
      `transfer ${kind === 'stopped' ? 'stopped' : 'failed'}: ${name} after ${seconds(world.now() - started)}: ${problem}; the source stays${kind === 'stopped' ? ' and the copy resumes on the next run' : ''}${freedNote(transfer)}`,
    );
    return { ok: false, kind, problem };
  };
  if (!copy.ok && copy.kind === 'full') {
    const removed = await removePartial({
      place: target.place,
      sshConfig: world.sshConfig,
      plotsDir: reservation.plotsDir,
      plotName: plot.name,
      timeoutMs: FINISH_TIMEOUT_MS,
    });
    return failed('full', `${copy.problem}${removed ? '; removed the partial copy' : ''}`);
  }
  if (!copy.ok) return failed(copy.kind, copy.problem);
  const finish = await finishCopy({
    place: target.place,
    sshConfig: world.sshConfig,
    plotsDir: reservation.plotsDir,
    plotName: plot.name,
    size: plot.size,
    head: plot.head,
    timeoutMs: FINISH_TIMEOUT_MS,
  });
  if (!finish.ok) return failed('failed', finish.problem);
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
  const kept = removeSource(transfer, world.procDir);
  const elapsedMs = world.now() - started;
  const speed =
    elapsedMs > 0 ? ` (${((plot.size - transfer.resumed) / 1024 ** 2 / (elapsedMs / 1000)).toFixed(1)} MiB/s)` : '';
  const already = finish.already ? '; it was there already' : '';
  world.log(
    kept === null ? 'info' : 'warn',
    `transfer end: ${name} done in ${seconds(elapsedMs)}${speed}, verified${already}; ${kept === null ? 'source removed' : `source kept: ${kept}`}`,
  );
  return { ok: true, seconds: elapsedMs / 1000, sourceRemoved: kept === null };
}

function freedNote(transfer: PlannedTransfer): string {
  if (transfer.replotFreed === null) return '';
  return `; replot removed ${transfer.replotFreed} for it: that room stays free for the next plot, and no second old plot is removed for this one unless another plot takes it`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
