import type { TransferProgress } from './archiver-progress.js';
import type { PlannedTransfer } from './pass-types.js';

/**
 * Each plot's progress in a batch, shown by `goplot status` and archiver.prom, and the callback
 * rsync's progress lines feed: bytes done, the speed since the batch began and the ETA.
 */
export function batchProgress(
  batch: PlannedTransfer[],
  startedAt: number,
  now: () => number,
): { progressOf: Map<string, TransferProgress>; onBytes: (name: string, bytes: number) => void } {
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
    const seconds = (now() - startedAt) / 1000;
    progress.bytesPerSecond = seconds > 0 ? Math.max(0, progress.bytesDone - resumed) / seconds : 0;
    progress.etaSeconds =
      progress.bytesPerSecond > 0 ? (progress.bytesTotal - progress.bytesDone) / progress.bytesPerSecond : null;
  };
  return { progressOf, onBytes };
}
