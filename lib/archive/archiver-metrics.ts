import { addCounter, addGauge, createRegistry, type Registry } from '../metrics/registry.js';
import type { ArchiverProgress, ArchiverTotals } from './archiver-progress.js';

/** A staging disk's space as the last pass read it. */
export interface StagingSpace {
  farm: string;
  disk: string;
  freeBytes: number;
  totalBytes: number;
}

/** The moved bytes and plots since the archiver first ran, from totals.json. */
function addMovedTotals(registry: Registry, totals: ArchiverTotals): void {
  addCounter(
    registry,
    'goplot_archive_moved_bytes_total',
    'Bytes of plots the archiver moved to their targets (verified, source removed)',
  ).inc(totals.movedBytes);
  addCounter(
    registry,
    'goplot_archive_moved_plots_total',
    'Plots the archiver moved to their targets (verified, source removed)',
  ).inc(totals.movedPlots);
}

/** Each target's failures, queue, reachability, fullness and room, labelled by target. */
function addTargetMetrics(
  registry: Registry,
  progress: ArchiverProgress,
  totals: ArchiverTotals,
  headingTo: Map<string, number>,
): void {
  const failures = addCounter(
    registry,
    'goplot_archive_transfer_failures_total',
    'Archive transfers that failed (the source stays; the next pass tries again)',
    ['target'],
  );
  const queue = addGauge(registry, 'goplot_archive_queue_plots', 'Plots being transferred to the target now', [
    'target',
  ]);
  const up = addGauge(registry, 'goplot_archive_target_up', '1 when the last pass reached the target, else 0', [
    'target',
  ]);
  const full = addGauge(
    registry,
    'goplot_archive_target_full',
    '1 when the target had no disk with room for a waiting plot in the last pass',
    ['target'],
  );
  const free = addGauge(
    registry,
    'goplot_archive_target_free_bytes',
    "Room left on the target's usable disks after the transfers heading there",
    ['target'],
  );
  for (const target of progress.targets) {
    const labels = { target: target.name };
    failures.inc(labels, totals.failures[target.name] ?? 0);
    queue.set(labels, headingTo.get(target.name) ?? 0);
    up.set(labels, target.state === 'down' ? 0 : 1);
    full.set(labels, target.state === 'full' ? 1 : 0);
    if (target.freeBytes !== null) free.set(labels, target.freeBytes);
  }
}

/** Each staging disk's free and total bytes, labelled by farm and disk. */
function addStagingMetrics(registry: Registry, staging: StagingSpace[]): void {
  const stagingFree = addGauge(
    registry,
    'goplot_archive_staging_free_bytes',
    'Space left on each staging disk the archiver empties (df Available)',
    ['farm', 'disk'],
  );
  const stagingTotal = addGauge(
    registry,
    'goplot_archive_staging_total_bytes',
    'Size of each staging disk the archiver empties',
    ['farm', 'disk'],
  );
  for (const disk of staging) {
    stagingFree.set({ farm: disk.farm, disk: disk.disk }, disk.freeBytes);
    stagingTotal.set({ farm: disk.farm, disk: disk.disk }, disk.totalBytes);
  }
}

/**
 * archiver.prom from the archiver's state. The counters come from totals.json, so they keep
 * counting across restarts and `--once` runs; success is 0 when the last pass failed as a whole.
 */
export function buildArchiverRegistry(
  progress: ArchiverProgress,
  totals: ArchiverTotals,
  headingTo: Map<string, number>,
  success: boolean,
  nowMs: number,
  staging: StagingSpace[] = [],
) {
  const registry = createRegistry();
  addMovedTotals(registry, totals);
  addTargetMetrics(registry, progress, totals, headingTo);
  addGauge(
    registry,
    'goplot_archive_waiting_plots',
    'Finished plots on the staging disks that no transfer has taken yet',
  ).set(progress.waiting);
  addGauge(registry, 'goplot_archive_transfer_bytes_per_second', 'Sum of the speeds of the transfers running now').set(
    progress.transfers.reduce((sum, t) => sum + t.bytesPerSecond, 0),
  );
  addStagingMetrics(registry, staging);
  addGauge(
    registry,
    'archiver_collector_success',
    "1 when the archiver's last pass worked, 0 when it failed as a whole (see logs/archiver.log)",
  ).set(success ? 1 : 0);
  addGauge(registry, 'archiver_last_pass_timestamp_seconds', "When the archiver's last pass ended (Unix seconds)").set(
    Math.floor(nowMs / 1000),
  );
  return registry;
}
