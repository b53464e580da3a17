import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { writeStateValue } from '../config/write-value.js';
import { formatBytes, readDiskSpace } from '../farm/disk-space.js';
import { committedKiB } from '../farm/plot-size.js';
import type { PlotHeader, PlotKind } from '../plot-file/plot-header.js';
import { surveyReplotCandidates, readReplotSettings, type ReplotCandidate } from './replot-candidates.js';
import { ruleMatches } from './replot-rule.js';
import { describeOldPlot } from './check-victim.js';
import { heldByClaims, ownWrittenKiB } from './room-claims.js';
import { localRemover } from './plot-remover.js';
import { makeRoomBy } from './room-steps.js';

/** The new plot (or the next plots of a group) that needs room on its destination disk. */
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
  /** pos 2: a group's plots (default 1). */
  pos?: 1 | 2;
  /** The plotter's pid once it runs (its claim on the room carries it). */
  pid?: number;
  /** From its log once it says. */
  plotId?: string | null;
  /** Room the next plot(s) need now, when not one pos1 plot of k and compression (a group's next plots). */
  needKiB?: number;
  /** Room all that is still coming needs (a whole group): the fewest old plots that free it are chosen. */
  plannedKiB?: number;
}

export interface RemovedPlot extends ReplotCandidate {
  freedKiB: number;
}

/** needKiB: the room this plot now holds a claim on (see room-claims), when replot looked at all. */
export type RoomOutcome =
  | { removed: RemovedPlot; message: string; needKiB: number; all: RemovedPlot[]; notes: string[] }
  | { removed: null; message: string; level: 'info' | 'warn'; needKiB?: number; notes?: string[] };

export interface MakeRoomOptions {
  paths: HomePaths;
  config: ConfigReader;
  plot: NewPlot;
  /** Told after a removal (a notification); never awaited by the plot. */
  notify?: (subject: string, text: string) => void;
  /** Asked just before each removal: false when the new plot has ended meanwhile. */
  stillWanted?: () => boolean;
}

function madeHeader(plot: NewPlot): PlotHeader {
  return {
    pos: plot.pos ?? 1,
    format: plot.pos === 2 ? 'pos2' : plot.compression > 0 ? 'bladebit' : 'v1',
    plotId: '',
    k: plot.k,
    compression: plot.compression,
    kind: plot.kind,
    memoBytes: 0,
    headerBytes: 0,
  };
}

/**
 * Just in time: called (holding the state lock) when the new plot is about to write its final file
 * to its disk (a group: before its next plots land). When the disk would not hold it, removes the
 * fewest old plots replot_match matches that free enough, one at a time in removal order, each
 * checked again right before it goes; a plot that may not go is passed over for the next. Never
 * when replot is off, never a plot that does not match or is not a valid plot file, never a link,
 * never anything outside `<disk>/plots/`. Every removal is counted in replot_removed.goplot.
 */
export async function makeRoomLocked(options: MakeRoomOptions): Promise<RoomOutcome> {
  const { paths, config, plot } = options;
  const name = `${plot.farm}/${plot.disk}`;
  const { on, rule } = readReplotSettings(config);
  if (!on) return { removed: null, level: 'info', message: 'replot is off' };
  if (!rule.any) return { removed: null, level: 'info', message: 'replot_match is none' };
  if (ruleMatches(rule, madeHeader(plot), Date.now())) {
    return {
      removed: null,
      level: 'warn',
      message: `replot_match (${rule.text}) also matches the plots being made (k${plot.k} C${plot.compression} ${plot.kind}); nothing removed`,
    };
  }
  const needKiB = plot.needKiB ?? committedKiB(plot.k, plot.compression);
  const freeKiBNow = async (): Promise<number> => {
    const space = await readDiskSpace(plot.diskDir, config.get('disk_space'), {
      timeoutMs: config.get('disk_timeout') * 1000,
    });
    // what this plot has already written of its final file is its own room, already taken
    return Math.floor(space.freeBytes / 1024) + ownWrittenKiB(plot.plotsDir, plot.plotId);
  };
  // Plots into this disk that have not come to their final write yet make their own room then;
  // those that have hold a claim, which this plot must leave to them.
  const held = heldByClaims(paths, plot.farm, plot.disk, plot.plotsDir, plot.pid);
  const freeKiB = await freeKiBNow();
  const facts = `${formatBytes(freeKiB * 1024)} free, ${formatBytes(held.kib * 1024)} held for ${held.plots} other plot${held.plots === 1 ? '' : 's'} writing to it, this one needs ${formatBytes(needKiB * 1024)}`;
  if (freeKiB - held.kib >= needKiB)
    return { removed: null, level: 'info', needKiB, message: `${name} holds it without removing a plot (${facts})` };
  const survey = surveyReplotCandidates(plot.plotsDir, rule);
  let measured: number | null = freeKiB;
  const result = await makeRoomBy({
    // the first answer is the free space just read; after a removal it is read again
    missing: async () => {
      const free = measured ?? (await freeKiBNow());
      measured = null;
      return (needKiB - (free - held.kib)) * 1024;
    },
    planned:
      plot.plannedKiB === undefined
        ? undefined
        : async (freed) => (plot.plannedKiB! - (freeKiB - held.kib)) * 1024 - freed,
    candidates: survey.usable,
    plotsDir: path.join(plot.diskDir, 'plots'),
    remover: localRemover(name, () => readReplotSettings(config)),
    stillWanted: options.stillWanted,
  });
  return roomOutcome(options, { name, facts, needKiB, result, skipped: survey.skipped.length });
}

/** What the room step did, as log lines: one per removal, one per plot passed over. */
function roomOutcome(
  options: MakeRoomOptions,
  o: { name: string; facts: string; needKiB: number; result: Awaited<ReturnType<typeof makeRoomBy>>; skipped: number },
): RoomOutcome {
  const { paths, config, plot } = options;
  const { name, facts, needKiB, result } = o;
  const notes = [
    ...result.refused.map(({ plot: old, why }) => `not removing ${old.path}: ${why}; taking the next`),
    ...(result.removed.length > 0 || result.missingBytes <= 0
      ? []
      : result.tooSmall.map((old) => `${describeOldPlot(old)} frees too little alone to matter; passed over`)),
  ];
  if (result.removed.length > 0) {
    writeStateValue(paths, 'replot_removed', config.get('replot_removed') + result.removed.length);
    const made = `${plot.plotter} k${plot.k}${plot.pos === 2 ? '' : ` C${plot.compression}`} ${plot.kind}`;
    const texts = result.removed.map(
      (old) => `replot removed ${describeOldPlot(old)} from ${name} for plot ${plot.index} (${made}): ${facts}`,
    );
    for (const text of texts) options.notify?.(name, text);
    const all = result.removed.map((old) => ({ ...old, freedKiB: Math.floor(old.sizeBytes / 1024) }));
    const short =
      result.missingBytes > 0
        ? [`${name} is still ${formatBytes(result.missingBytes)} short after the removal: no other plot may go`]
        : [];
    return { removed: all[0]!, all, message: texts.join('\n'), needKiB, notes: [...notes, ...short] };
  }
  if (result.stopped)
    return { removed: null, level: 'info', message: 'the plot ended before its room was made; nothing removed' };
  const passed = o.skipped + result.refused.length;
  return {
    removed: null,
    level: 'warn',
    needKiB,
    notes,
    message: `${name} is short of room and its plots matching replot_match (${readReplotSettings(config).rule.text}) cannot free enough; nothing removed (${facts}; ${passed} plot${passed === 1 ? '' : 's'} there may not go: see goplot replot --dry-run)`,
  };
}
