import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { writeStateValue } from '../config/write-value.js';
import { formatBytes, readDiskSpace } from '../farm/disk-space.js';
import { HeaderCache, headerCacheDir } from '../plot-file/header-cache.js';
import { parsePlotHeader } from '../plot-file/plot-header.js';
import { describeOldPlot, whyNotRemovable } from '../replot/check-victim.js';
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
  | { kind: 'room'; text: string }
  | { kind: 'removed'; victim: ReplotCandidate; text: string }
  | { kind: 'refused'; victim: ReplotCandidate | null; text: string };

/** A remote host's part: its listed plots' candidates and the checked removal over ssh. */
export interface RemoteReplot {
  candidates(disk: TargetDisk, settings: ReplotSettings): ReplotCandidate[];
  /** Re-checks the victim on its host and removes it only then; null when removed, else why not. */
  remove(disk: TargetDisk, victim: ReplotCandidate): Promise<string | null>;
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

  /** Bytes replot may free on the disk for one more plot: the next matching plot no transfer has taken. */
  credit(disk: TargetDisk): number {
    return replotCreditKiB(this.candidates(disk), 0) * 1024;
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
   * still write), removes the first candidate after checking it again; one at the most.
   */
  async makeRoom(disk: TargetDisk, plot: StagedPlot, reservations: Reservation[]): Promise<RoomStep> {
    const name = diskName(disk);
    const missing =
      disk.hostKey === 'local' ? await this.missingNow(disk, plot, reservations) : shortfall(disk, plot, reservations);
    if (missing <= 0) return { kind: 'room', text: `${name} holds ${plot.name} without removing a plot` };
    const list = this.candidates(disk);
    const victim = list[0];
    if (!victim)
      return {
        kind: 'refused',
        victim: null,
        text: `${name} holds no plot matching replot_match (${this.settings.rule.text}) any more`,
      };
    if (victim.sizeBytes < missing)
      return {
        kind: 'refused',
        victim,
        text: `removing ${describeOldPlot(victim)} would not make room for ${plot.name} on ${name} (${formatBytes(missing)} missing): nothing removed, one old plot per new plot at the most`,
      };
    // the rule may have changed since the pass began
    const settings = readReplotSettings(this.world.config);
    let refusal: string | null;
    if (!settings.on || !settings.rule.any) refusal = 'replot is off now';
    else if (disk.hostKey === 'local') {
      refusal = whyNotRemovable(victim, disk.plotsDir, settings);
      if (refusal === null) fs.unlinkSync(victim.path);
    } else if (!this.world.remote) refusal = 'no remote replot';
    else refusal = await this.world.remote.remove(disk, victim);
    list.shift();
    if (refusal !== null)
      return { kind: 'refused', victim, text: `not removing ${victim.path} on ${name}: ${refusal}` };
    // later choices in this pass see the room it left
    disk.freeBytes += victim.sizeBytes;
    const { paths, config } = this.world;
    writeStateValue(paths, 'replot_removed', config.get('replot_removed') + 1);
    return {
      kind: 'removed',
      victim,
      text: `replot removed ${describeOldPlot(victim)} from ${name} for ${describeNewPlot(plot)}: ${formatBytes(missing)} were missing`,
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
