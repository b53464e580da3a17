import { createRequire } from 'node:module';
import type { Counter as CounterClass } from 'prom-client';
import type { PlotInventory } from '../inventory/plot-inventory.js';
import { addGauge, type createRegistry } from './registry.js';

/** prom-client's Counter from its own module, as run-collector loads Gauge (the index costs start-up). */
const Counter = ((): typeof CounterClass => {
  const require = createRequire(import.meta.url);
  try {
    return require('prom-client/lib/counter.js') as typeof CounterClass;
  } catch {
    return (require('prom-client') as { Counter: typeof CounterClass }).Counter;
  }
})();

type Registry = ReturnType<typeof createRegistry>;

const GROUP_LABELS = ['farm', 'disk', 'k', 'compression', 'kind'];
const DISK_LABELS = ['farm', 'disk'];

/**
 * The plot inventory (headers, not file names) as metrics: counts and bytes by k, compression and
 * solo/pool per disk, files that are not valid plots, and what replot_match still matches, so a
 * dashboard can show the share of the farm replotted over time.
 */
export function addPlotInventoryMetrics(registry: Registry, inventory: PlotInventory, removedByReplot: number): void {
  const plots = addGauge(
    registry,
    'goplot_plots',
    'Valid plots on each disk, from their headers, by k, compression level and kind (solo: pool public key; pool: pool contract)',
    GROUP_LABELS,
  );
  const bytes = addGauge(registry, 'goplot_plots_bytes', 'Size of those plots on each disk', GROUP_LABELS);
  const invalid = addGauge(
    registry,
    'goplot_plots_invalid',
    ".plot files in the disk's plots/ that are not valid plots (bad magic, truncated, unreadable)",
    DISK_LABELS,
  );
  const remaining = addGauge(
    registry,
    'goplot_plots_replot_remaining',
    'Valid plots on the disk that replot_match still matches (left to replot)',
    DISK_LABELS,
  );
  addGauge(
    registry,
    'goplot_replot_enabled',
    'replot.goplot: 1 when on (old plots matching replot_match are replaced), else 0',
  ).set(inventory.replot === 'on' ? 1 : 0);
  for (const farm of inventory.farms) {
    // a disk whose plots/ could not be read has no series: 0 would say its plots were deleted
    for (const disk of farm.disks.filter((candidate) => candidate.unreadable === undefined)) {
      const where = { farm: farm.farm, disk: disk.disk };
      for (const group of disk.groups) {
        const labels = { ...where, k: String(group.k), compression: String(group.compression), kind: group.kind };
        plots.set(labels, group.count);
        bytes.set(labels, group.bytes);
      }
      invalid.set(where, disk.invalid.length);
      remaining.set(where, disk.toReplot.count);
    }
  }
  new Counter({
    name: 'goplot_replot_removed_total',
    help: 'Old plots replot has removed, one for each new plot that needed the room (replot_removed.goplot)',
    registers: [registry],
  }).inc(removedByReplot);
}
