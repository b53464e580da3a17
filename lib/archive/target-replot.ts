import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { writeStateValue } from '../config/write-value.js';
import { formatBytes, readDiskSpace } from '../farm/disk-space.js';
import { HeaderCache, headerCacheDir } from '../plot-file/header-cache.js';
import { parsePlotHeader } from '../plot-file/plot-header.js';
import { describeOldPlot } from '../replot/check-victim.js';
import { localRemover, type PlotRemover } from '../replot/plot-remover.js';
import { makeRoomBy } from '../replot/room-steps.js';
import {
  listReplotCandidates,
  readReplotSettings,
  replotCreditKiB,
  type ReplotCandidate,
  type ReplotSettings,
} from '../replot/replot-candidates.js';
import { ruleMatches } from '../replot/replot-rule.js';
import { heldByClaims } from '../replot/room-claims.js';
import { roomFor, shortfall } from './choose-target.js';
import { readFreed } from './replot-freed.js';
import type { Reservation } from './reservations.js';
import type { StagedPlot } from './staging-plots.js';
import { partialName, type TargetDisk } from './target-disk.js';

/** What the just-in-time step did for one plot about to be sent to a disk. */
export type RoomStep =
  | { kind: 'room'; text: string; notes: string[] }
  | { kind: 'removed'; victims: ReplotCandidate[]; text: string; notes: string[] }
  | { kind: 'refused'; text: string; notes: string[] };

/** A remote host's part: its listed plots' candidates and the one remover (lib/replot) over ssh. */
export interface RemoteReplot {
  candidates(disk: TargetDisk, settings: ReplotSettings): ReplotCandidate[];
  /** Re-checks a victim on its host and removes it only then. */
  remover(disk: TargetDisk, settings: () => ReplotSettings): PlotRemover;
}

export interface TargetReplotWorld {
  paths: HomePaths;
  config: ConfigReader;
  remote?: RemoteReplot;
}

/** The plot replacing an old one in log lines: name, header facts, size and where it comes from. */
export function describeNewPlot(plot: StagedPlot): string {
  const parsed = parsePlotHeader(plot.head);
  const facts = parsed.ok
    ? `${parsed.header.format} k${parsed.header.k} C${parsed.header.compression} ${parsed.header.kind}, `
    : '';
  return `${plot.name} (${facts}${formatBytes(plot.size)}, from ${plot.farm}/${plot.disk})`;
}

export function diskName(disk: Pick<TargetDisk, 'target' | 'farm' | 'disk'>): string {
  return `${disk.target}:${disk.farm}/${disk.disk}`;
}

/** Replot is on with a rule that matches something: the survey lists remote plots, the choice counts credit. */
export function replotOnTargets(config: Pick<ConfigReader, 'get'>): boolean {
  const settings = readReplotSettings(config);
  return settings.on && settings.rule.any;
}

/**
 * Replot on archive targets for one pass, with the same rule and the same candidate order as
 * replot on local destination disks (lib/replot): a disk holding old plots that replot_match
 * matches counts as having room for the plot when removing the next such plot would make it,
 * and that plot is removed just before the transfer starts, only if the disk would not hold the
 * plot otherwise. Null when replot is off or matches nothing.
 */
export function targetReplot(world: TargetReplotWorld): TargetReplot | null {
  const settings = readReplotSettings(world.config);
  if (!settings.on || !settings.rule.any) return null;
  return new TargetReplot(world, settings);
}

export class TargetReplot {
  private readonly memo = new Map<string, ReplotCandidate[]>();
  private headers: HeaderCache | null = null;

  constructor(
    private readonly world: TargetReplotWorld,
    readonly settings: ReplotSettings,
  ) {}

  /**
   * Why this plot gets no credit (the rule matches it too, or an old plot was already removed
   * for it), or null.
   */
  whyNoCredit(plot: StagedPlot): string | null {
    const parsed = parsePlotHeader(plot.head);
    if (parsed.ok && ruleMatches(this.settings.rule, parsed.header, plot.mtimeMs))
      return `replot_match (${this.settings.rule.text}) also matches ${plot.name} (k${parsed.header.k} C${parsed.header.compression} ${parsed.header.kind}): no old plot is removed for it`;
    const freed = readFreed(this.world.paths, plot.name);
    if (freed)
      return `replot already removed ${freed.removed} from ${freed.disk} for ${plot.name}: it takes no second old plot, only free room`;
    return null;
  }

  /** Bytes replot may free on the disk: every matching plot no transfer has taken yet. */
  credit(disk: TargetDisk): number {
    return replotCreditKiB(this.candidates(disk)) * 1024;
  }

  candidates(disk: TargetDisk): ReplotCandidate[] {
    const key = `${disk.target}\0${disk.plotsDir}`;
    let list = this.memo.get(key);
    if (!list) {
      if (disk.hostKey === 'local') {
        this.headers ??= HeaderCache.load(headerCacheDir(this.world.paths));
        list = listReplotCandidates(disk.plotsDir, this.settings.rule, this.headers);
      } else list = this.world.remote?.candidates(disk, this.settings) ?? [];
      this.memo.set(key, list);
    }
    return list;
  }

  /** The headers read for local candidates stay in the home's cache for the next pass. */
  saveHeaders(): void {
    this.headers?.save();
  }

  /**
   * Just in time, under the state lock, right before the plot's transfer to `disk` starts: when
   * the disk would not hold it (free space now, less what the other transfers heading there
   * still write), removes the fewest candidates that free enough, each checked again right before
   * it goes (lib/replot's one way of making room, local or over ssh); one that may not go is
   * passed over for the next.
   */
  async makeRoom(disk: TargetDisk, plot: StagedPlot, reservations: Reservation[]): Promise<RoomStep> {
    const name = diskName(disk);
    const missingNow = () =>
      disk.hostKey === 'local'
        ? this.missingNow(disk, plot, reservations)
        : Promise.resolve(shortfall(disk, plot, reservations));
    const first = await missingNow();
    if (first <= 0) return { kind: 'room', text: `${name} holds ${plot.name} without removing a plot`, notes: [] };
    // the rule may have changed since the pass began
    const settings = () => readReplotSettings(this.world.config);
    const now = settings();
    if (!now.on || !now.rule.any)
      return { kind: 'refused', text: `not removing a plot on ${name}: replot is off now`, notes: [] };
    const list = this.candidates(disk);
    const inner: PlotRemover | null =
      disk.hostKey === 'local' ? localRemover(name, settings) : (this.world.remote?.remover(disk, settings) ?? null);
    if (!inner) return { kind: 'refused', text: `not removing a plot on ${name}: no remote replot`, notes: [] };
    // later choices in this pass see the room each removal left
    const remover: PlotRemover = {
      where: name,
      remove: async (victim, plotsDir) => {
        const why = await inner.remove(victim, plotsDir);
        if (why === null) disk.freeBytes += victim.sizeBytes;
        return why;
      },
    };
    let measured: number | null = first;
    const result = await makeRoomBy({
      missing: async () => {
        const missing = measured ?? (await missingNow());
        measured = null;
        return missing;
      },
      candidates: list,
      plotsDir: disk.plotsDir,
      remover,
    });
    for (const gone of [...result.removed, ...result.refused.map((r) => r.plot)]) list.splice(list.indexOf(gone), 1);
    const notes = result.refused.map(
      ({ plot: old, why }) => `not removing ${old.path} on ${name}: ${why}; taking the next`,
    );
    if (result.removed.length > 0) {
      const { paths, config } = this.world;
      writeStateValue(paths, 'replot_removed', config.get('replot_removed') + result.removed.length);
      return {
        kind: 'removed',
        victims: result.removed,
        notes,
        text: `replot removed ${result.removed.map(describeOldPlot).join(' and ')} from ${name} for ${describeNewPlot(plot)}: ${formatBytes(first)} were missing`,
      };
    }
    return {
      kind: 'refused',
      notes,
      text: `the plots matching replot_match (${this.settings.rule.text}) on ${name} cannot free the ${formatBytes(first)} missing for ${plot.name}: nothing removed`,
    };
  }

  /** Local disks: free space and partial copies read again now. */
  private async missingNow(disk: TargetDisk, plot: StagedPlot, reservations: Reservation[]): Promise<number> {
    const { config } = this.world;
    const space = await readDiskSpace(path.dirname(disk.plotsDir), config.get('disk_space'), {
      timeoutMs: config.get('disk_timeout') * 1000,
    });
    const sizeOf = (plotName: string): number => {
      try {
        return fs.statSync(path.join(disk.plotsDir, partialName(plotName))).size;
      } catch {
        return 0;
      }
    };
    const held = reservations
      .filter((r) => r.plot !== plot.name && r.target === disk.target && r.plotsDir === disk.plotsDir)
      .reduce((sum, r) => sum + Math.max(0, r.bytes - sizeOf(r.plot)), 0);
    // a farm disk may also be a tractor's destination: room promised to its plots' final writes stays theirs
    const inFarmRoot =
      path.resolve(config.get('farm_root'), disk.farm, disk.disk, 'plots') === path.resolve(disk.plotsDir);
    const claimed = inFarmRoot
      ? heldByClaims(this.world.paths, disk.farm, disk.disk, disk.plotsDir, undefined).kib * 1024
      : 0;
    return roomFor(plot.size) - sizeOf(plot.name) - (space.freeBytes - held - claimed);
  }
}
