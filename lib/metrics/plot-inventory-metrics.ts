import type { PlotGroup, PlotInventory } from '../inventory/plot-inventory.js';
import { addCounter, addGauge, type createRegistry } from './registry.js';

type Registry = ReturnType<typeof createRegistry>;

/**
 * `pos` was added for pos2 plots (issue 18); pos1 series keep `compression`, pos2 series have
 * `strength` instead, so a query of an old dashboard (a sum, `compression="0"`) still means what
 * it meant, and sums over every plot now count pos2 plots too.
 */
const GROUP_LABELS = ['farm', 'disk', 'pos', 'k', 'compression', 'strength', 'kind'];
const DISK_LABELS = ['farm', 'disk'];
const POS_LABELS = ['farm', 'disk', 'pos'];

function addInventoryGauges(registry: Registry) {
  return {
    plots: addGauge(
      registry,
      'goplot_plots',
      'Valid plots on each disk, from their headers, by proof of space (pos 1 or 2), k, compression level (pos1) or strength (pos2) and kind (solo: pool public key; pool: pool contract)',
      GROUP_LABELS,
    ),
    bytes: addGauge(registry, 'goplot_plots_bytes', 'Size of those plots on each disk', GROUP_LABELS),
    groupFiles: addGauge(
      registry,
      'goplot_plot_group_files',
      "pos2 plot group files (.gplot) in the disk's plots/, counted by their size (their format is not published yet)",
      DISK_LABELS,
    ),
    groupBytes: addGauge(registry, 'goplot_plot_group_files_bytes', 'Size of those plot group files', DISK_LABELS),
    notRead: addGauge(
      registry,
      'goplot_plots_not_read',
      'Plot files of a format this goplot does not read (a newer pos2 version, Gigahorse), by proof of space',
      POS_LABELS,
    ),
    notReadBytes: addGauge(registry, 'goplot_plots_not_read_bytes', 'Size of those plot files', POS_LABELS),
    metaGroups: addGauge(
      registry,
      'goplot_plot_meta_groups',
      'pos2 meta groups in use on the disk (each plot group on a disk should have its own)',
      DISK_LABELS,
    ),
    readable: addGauge(
      registry,
      'goplot_plots_dir_readable',
      "1 when the disk's plots/ could be read; 0 when not, and its plots are unknown (not 0)",
      DISK_LABELS,
    ),
    invalid: addGauge(
      registry,
      'goplot_plots_invalid',
      "Plot files in the disk's plots/ that are not valid plots (bad magic, truncated, unreadable)",
      DISK_LABELS,
    ),
    remaining: addGauge(
      registry,
      'goplot_plots_replot_remaining',
      'Valid plots on the disk that replot_match still matches (left to replot)',
      DISK_LABELS,
    ),
  };
}

function groupLabels(where: { farm: string; disk: string }, group: PlotGroup): Record<string, string> {
  const level: Record<string, string> =
    group.pos === 2 ? { strength: String(group.strength ?? 0) } : { compression: String(group.compression ?? 0) };
  return { ...where, pos: String(group.pos), k: String(group.k), ...level, kind: group.kind };
}

/**
 * The plot inventory (headers, not file names) as metrics: counts and bytes by pos, k,
 * compression or strength and solo/pool per disk, plot group files, files not read, meta groups
 * in use, files that are not valid plots, and what replot_match still matches.
 */
export function addPlotInventoryMetrics(registry: Registry, inventory: PlotInventory, removedByReplot: number): void {
  const g = addInventoryGauges(registry);
  addGauge(
    registry,
    'goplot_replot_enabled',
    'replot.goplot: 1 when on (old plots matching replot_match are replaced), else 0',
  ).set(inventory.replot === 'on' ? 1 : 0);
  for (const farm of inventory.farms) {
    for (const disk of farm.disks) {
      const where = { farm: farm.farm, disk: disk.disk };
      g.readable.set(where, disk.unreadable === undefined ? 1 : 0);
      // a disk whose plots/ could not be read has no other series: 0 would say its plots were deleted
      if (disk.unreadable !== undefined) continue;
      for (const group of disk.groups) {
        g.plots.set(groupLabels(where, group), group.count);
        g.bytes.set(groupLabels(where, group), group.bytes);
      }
      g.groupFiles.set(where, disk.groupFiles.count);
      g.groupBytes.set(where, disk.groupFiles.bytes);
      for (const pos of [1, 2] as const) {
        const files = disk.notRead.filter((n) => n.pos === pos);
        g.notRead.set(
          { ...where, pos: String(pos) },
          files.reduce((sum, n) => sum + n.count, 0),
        );
        g.notReadBytes.set(
          { ...where, pos: String(pos) },
          files.reduce((sum, n) => sum + n.bytes, 0),
        );
      }
      g.metaGroups.set(where, disk.metaGroups.length);
      g.invalid.set(where, disk.invalidCount);
      g.remaining.set(where, disk.toReplot.count);
    }
  }
  addCounter(
    registry,
    'goplot_replot_removed_total',
    'Old plots replot has removed, one for each new plot that needed the room (replot_removed.goplot)',
  ).inc(removedByReplot);
}
