import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { writeStateValue } from '../config/write-value.js';
import { formatBytes, readDiskSpace } from '../farm/disk-space.js';
import { committedKiB } from '../farm/plot-size.js';
import type { PlotKind } from '../plot-file/plot-header.js';
import { listReplotCandidates, readReplotSettings, type ReplotCandidate } from './replot-candidates.js';
import { ruleMatches } from './replot-rule.js';
import { describeOldPlot, whyNotRemovable } from './check-victim.js';
import { heldByClaims } from './room-claims.js';

/** The new plot that needs room on its destination disk. */
export interface NewPlot {
  index: number;
  farm: string;
  disk: string;
  /** `<farm_root>/<farm>/<disk>`. */
  diskDir: string;
  plotsDir: string;
  plotter: string;
  k: number;
  compression: number;
  kind: PlotKind;
  /** The plotter's pid once it runs (its claim on the room carries it). */
  pid?: number;
  /** From its log once it says. */
  plotId?: string | null;
}

export interface RemovedPlot extends ReplotCandidate {
  freedKiB: number;
}

/** needKiB: the room this plot now holds a claim on (see room-claims), when replot looked at all. */
export type RoomOutcome =
  | { removed: RemovedPlot; message: string; needKiB: number }
  | { removed: null; message: string; level: 'info' | 'warn'; needKiB?: number };

export interface MakeRoomOptions {
  paths: HomePaths;
  config: ConfigReader;
  plot: NewPlot;
  /** Told after a removal (a notification); never awaited by the plot. */
  notify?: (subject: string, text: string) => void;
  /** Asked just before the removal: false when the new plot has ended meanwhile. */
  stillWanted?: () => boolean;
}

/**
 * Just in time: called (holding the state lock) when the new plot is about to write its final file
 * to its disk. When the disk would not hold it, removes ONE old plot that replot_match matches,
 * the first in removal order; never when replot is off, never a plot that does not match or is not
 * a valid plot file, never anything outside `<disk>/plots/`. The caller calls it at most once per
 * new plot. Every removal is counted in replot_removed.goplot.
 */
export async function makeRoomLocked(options: MakeRoomOptions): Promise<RoomOutcome> {
  const { paths, config, plot } = options;
  const name = `${plot.farm}/${plot.disk}`;
  const { on, rule } = readReplotSettings(config);
  if (!on) return { removed: null, level: 'info', message: 'replot is off' };
  if (!rule.any) return { removed: null, level: 'info', message: 'replot_match is none' };
  const made = {
    pos: 1 as const,
    format: plot.compression > 0 ? ('bladebit' as const) : ('v1' as const),
    plotId: '',
    k: plot.k,
    compression: plot.compression,
    kind: plot.kind,
    memoBytes: 0,
    headerBytes: 0,
  };
  if (ruleMatches(rule, made, Date.now())) {
    return {
      removed: null,
      level: 'warn',
      message: `replot_match (${rule.text}) also matches the plots being made (k${plot.k} C${plot.compression} ${plot.kind}); nothing removed`,
    };
  }
  const space = await readDiskSpace(plot.diskDir, config.get('disk_space'), {
    timeoutMs: config.get('disk_timeout') * 1000,
  });
  const freeKiB = Math.floor(space.freeBytes / 1024);
  // Plots into this disk that have not come to their final write yet make their own room then;
  // those that have hold a claim, which this plot must leave to them.
  const held = heldByClaims(paths, plot.farm, plot.disk, plot.plotsDir, plot.pid);
  const needKiB = committedKiB(plot.k, plot.compression);
  const roomKiB = freeKiB - held.kib;
  const facts = `${formatBytes(freeKiB * 1024)} free, ${formatBytes(held.kib * 1024)} held for ${held.plots} other plot${held.plots === 1 ? '' : 's'} writing to it, this one needs ${formatBytes(needKiB * 1024)}`;
  if (roomKiB >= needKiB)
    return { removed: null, level: 'info', needKiB, message: `${name} holds it without removing a plot (${facts})` };
  const candidates = listReplotCandidates(plot.plotsDir, rule);
  const victim = candidates[0];
  if (!victim)
    return {
      removed: null,
      level: 'warn',
      needKiB,
      message: `${name} is short of room and holds no plot matching replot_match (${rule.text}); nothing removed (${facts})`,
    };
  const victimKiB = Math.floor(victim.sizeBytes / 1024);
  if (roomKiB + victimKiB < needKiB) {
    return {
      removed: null,
      level: 'warn',
      needKiB,
      message: `removing one old plot (${describeOldPlot(victim)}) would not make room on ${name}: nothing removed, one per new plot at the most (${facts})`,
    };
  }
  const refusal = whyNotRemovable(victim, path.join(plot.diskDir, 'plots'), readReplotSettings(config));
  if (refusal !== null)
    return { removed: null, level: 'warn', needKiB, message: `not removing ${victim.path}: ${refusal}` };
  if (options.stillWanted && !options.stillWanted())
    return { removed: null, level: 'info', message: 'the plot ended before its room was made; nothing removed' };
  fs.unlinkSync(victim.path);
  writeStateValue(paths, 'replot_removed', config.get('replot_removed') + 1);
  const text = `replot removed ${describeOldPlot(victim)} from ${name} for plot ${plot.index} (${plot.plotter} k${plot.k} C${plot.compression} ${plot.kind}): ${facts}`;
  options.notify?.(name, text);
  return { removed: { ...victim, freedKiB: victimKiB }, message: text, needKiB };
}
