import { formatTable } from './format-status.js';
import type { PlotInventory, PlotRef, Tally } from '../inventory/plot-inventory.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const TIB = 1024 ** 4;

export function formatBytes(bytes: number): string {
  if (bytes >= TIB) return `${(bytes / TIB).toFixed(2)} TiB`;
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GiB`;
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function when(ref: PlotRef | null): string {
  if (!ref) return '-';
  const d = new Date(ref.mtimeMs);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function row(farm: string, disk: string, tally: Tally & { unreadable?: string }): string[] {
  if (tally.unreadable !== undefined) return [farm, disk, 'unreadable', '-', '-', '-', '-', '-'];
  const left = tally.toReplot.count === 0 ? '0' : `${tally.toReplot.count} (${formatBytes(tally.toReplot.bytes)})`;
  return [
    farm,
    disk,
    String(tally.count),
    formatBytes(tally.bytes),
    when(tally.oldest),
    when(tally.newest),
    String(tally.invalid.length),
    left,
  ];
}

/** `goplot plots` as a person reads it: a line per disk and farm, the kinds, then the files to look at. */
export function formatInventory(inventory: PlotInventory): string {
  const rows = [['farm', 'disk', 'plots', 'size', 'oldest', 'newest', 'invalid', 'to replot']];
  for (const farm of inventory.farms) {
    for (const disk of farm.disks) rows.push(row(farm.farm, disk.disk, disk));
    if (farm.disks.length > 1) rows.push(row(farm.farm, '(all)', farm));
  }
  if (inventory.farms.length > 1) rows.push(row('(all)', '', inventory));
  const done =
    inventory.count === 0
      ? '-'
      : `${(((inventory.count - inventory.toReplot.count) / inventory.count) * 100).toFixed(1)} %`;
  const out = [
    `replot: ${inventory.replot}; replot_match: ${inventory.rule}; left to replot: ${inventory.toReplot.count} plots (${formatBytes(inventory.toReplot.bytes)}); plots not matching the rule: ${done}`,
    '',
    formatTable(rows),
  ];
  if (inventory.groups.length > 0) {
    out.push(
      '',
      formatTable([
        ['k', 'compression', 'kind', 'plots', 'size'],
        ...inventory.groups.map((g) => [`k${g.k}`, `C${g.compression}`, g.kind, String(g.count), formatBytes(g.bytes)]),
      ]),
    );
  }
  const unreadable = inventory.farms.flatMap((farm) => farm.disks.flatMap((disk) => disk.unreadable ?? []));
  if (unreadable.length > 0)
    out.push(
      '',
      `plots/ folders not read, their plots not counted (${unreadable.length}):`,
      ...unreadable.map((line) => `  ${line}`),
    );
  if (inventory.invalid.length > 0) {
    out.push(
      '',
      `not valid plots (${inventory.invalid.length}):`,
      ...inventory.invalid.map((file) => `  ${file.path}: ${file.message}`),
    );
  }
  if (inventory.nameMismatches.length > 0) {
    out.push(
      '',
      `file name disagrees with the header (${inventory.nameMismatches.length}; the header counts):`,
      ...inventory.nameMismatches.map((file) => `  ${file.path}: ${file.mismatches.join('; ')}`),
    );
  }
  return out.join('\n');
}
