import { formatTable } from './format-status.js';
import { LISTED, type PlotGroup, type PlotInventory, type PlotRef, type Tally } from '../inventory/plot-inventory.js';

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
  if (tally.unreadable !== undefined) return [farm, disk, 'unreadable', '-', '-', '-', '-', '-', '-', '-'];
  const left = tally.toReplot.count === 0 ? '0' : `${tally.toReplot.count} (${formatBytes(tally.toReplot.bytes)})`;
  return [
    farm,
    disk,
    String(tally.count),
    formatBytes(tally.bytes),
    String(tally.pos1.count),
    String(tally.pos2.count),
    when(tally.oldest),
    when(tally.newest),
    String(tally.invalidCount),
    left,
  ];
}

function groupRows(groups: readonly PlotGroup[]): string[][] {
  return [
    ['pos', 'k', 'compression', 'strength', 'kind', 'plots', 'size'],
    ...groups.map((g) => [
      `pos${g.pos}`,
      `k${g.k}`,
      g.compression === undefined ? '-' : `C${g.compression}`,
      g.strength === undefined ? '-' : String(g.strength),
      g.kind,
      String(g.count),
      formatBytes(g.bytes),
    ]),
  ];
}

/** What is not a counted plot: group files, files not read, unreadable folders, meta groups per disk. */
function otherLines(inventory: PlotInventory): string[] {
  const out: string[] = [];
  if (inventory.groupFiles.count > 0)
    out.push(
      '',
      `pos2 plot group files (.gplot, counted by their size): ${inventory.groupFiles.count} (${formatBytes(inventory.groupFiles.bytes)})`,
    );
  for (const item of inventory.notRead)
    out.push('', `pos${item.pos} files not read: ${item.count} (${formatBytes(item.bytes)}): ${item.message}`);
  const disks = inventory.farms.flatMap((farm) => farm.disks);
  const unreadable = disks.flatMap((disk) => disk.unreadable ?? []);
  if (unreadable.length > 0)
    out.push(
      '',
      `plots/ folders not read, their plots not counted (${unreadable.length}):`,
      ...unreadable.map((line) => `  ${line}`),
    );
  const withGroups = disks.filter((disk) => disk.metaGroups.length > 0);
  if (withGroups.length > 0)
    out.push(
      '',
      'pos2 meta groups in use:',
      ...withGroups.map((d) => `  ${d.farm}/${d.disk}: ${d.metaGroups.join(' ')} (${d.metaGroups.length})`),
    );
  return out;
}

/** `goplot plots` as a person reads it: a line per disk and farm, the kinds, then the files to look at. */
export function formatInventory(inventory: PlotInventory): string {
  const rows = [['farm', 'disk', 'plots', 'size', 'pos1', 'pos2', 'oldest', 'newest', 'invalid', 'to replot']];
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
    `pos1: ${inventory.pos1.count} plots (${formatBytes(inventory.pos1.bytes)}); pos2: ${inventory.pos2.count} plots (${formatBytes(inventory.pos2.bytes)})`,
    '',
    formatTable(rows),
  ];
  if (inventory.groups.length > 0) out.push('', formatTable(groupRows(inventory.groups)));
  out.push(...otherLines(inventory));
  if (inventory.invalidCount > 0) {
    const more = inventory.invalidCount - inventory.invalid.length;
    out.push(
      '',
      `not valid plots (${inventory.invalidCount}):`,
      ...inventory.invalid.map((file) => `  ${file.path}: ${file.message}`),
      ...(more > 0 ? [`  … and ${more} more (the first ${LISTED} of each disk are listed)`] : []),
    );
  }
  if (inventory.nameMismatchCount > 0) {
    out.push(
      '',
      `file name disagrees with the header (${inventory.nameMismatchCount}; the header counts):`,
      ...inventory.nameMismatches.map((file) => `  ${file.path}: ${file.mismatches.join('; ')}`),
    );
  }
  return out.join('\n');
}
