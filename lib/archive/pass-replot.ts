import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { describeOldPlot } from '../replot/check-victim.js';
import type { ArchiveTarget } from './archive-targets.js';
import type { HostSession } from './host-session.js';
import { chooseTarget, roomFor, type TargetChoice, type TargetChoiceInput } from './choose-target.js';
import { RemoteHeaderCache, remoteHeaderCacheFile } from './remote-headers.js';
import { RemoteTargetsReplot } from './remote-replot.js';
import { dropFreed, listFreed, pruneFreed, readFreed, recordFreed } from './replot-freed.js';
import type { Reservation } from './reservations.js';
import type { StagedPlot } from './staging-plots.js';
import type { TargetNews } from './target-outages.js';
import type { HostSurvey, TargetDisk } from './target-disk.js';
import { diskName, replotOnTargets, targetReplot, type RoomStep, type TargetReplot } from './target-replot.js';
import { errorMessage } from '../util/error-message.js';

export type PassNote = { level: 'info' | 'warn'; text: string };

export interface PassReplotWorld {
  paths: HomePaths;
  config: ConfigReader;
  now: () => number;
  sayOnce: (key: string, level: 'info' | 'warn', message: string | null) => void;
  timeoutMs: number;
  /** The pass's session on each remote host: the headers are read there after its survey. */
  hostSessions?: Map<string, HostSession>;
}

/**
 * Replot's part of one archive pass: the credit each plot may count on target disks, the
 * just-in-time removal when a choice needs it, and the records of room freed for plots whose
 * transfer then failed. With replot off it only hands the choice through.
 */
export class PassReplot {
  /** The plots with a freed-room record, as prune() found them under the state lock (null before). */
  private freed: Set<string> | null = null;

  private constructor(
    private readonly world: PassReplotWorld,
    private readonly replot: TargetReplot | null,
    readonly notes: PassNote[],
    readonly news: TargetNews[],
  ) {}

  /**
   * Remote hosts' headers of the plots on disks that may need the credit are read first (only
   * those not in the cache), outside the state lock.
   */
  static async prepare(
    targets: ArchiveTarget[],
    reachable: Extract<HostSurvey, { ok: true }>[],
    plots: StagedPlot[],
    world: PassReplotWorld,
  ): Promise<PassReplot> {
    const { config, paths } = world;
    const notes: PassNote[] = [];
    if (!replotOnTargets(config) || plots.length === 0)
      return new PassReplot(world, targetReplot({ paths, config }), notes, []);
    const remote = new RemoteTargetsReplot({
      targets,
      sshConfig: config.get('archive_ssh_config'),
      timeoutMs: world.timeoutMs,
      cache: RemoteHeaderCache.load(remoteHeaderCacheFile(paths)),
      sessions: world.hostSessions,
    });
    const largest = Math.max(...plots.map((plot) => plot.size));
    // the most this pass and the transfers still running could send to one disk
    const mayNeedCredit = (disk: TargetDisk) =>
      disk.problem === null && disk.freeBytes < roomFor(largest) * (config.get('archive_max_total') + 1);
    const problems = await remote.readUnseen(
      reachable.filter((survey) => survey.hostKey !== 'local'),
      mayNeedCredit,
    );
    for (const problem of problems)
      notes.push({
        level: 'warn',
        text: `replot: ${problem}; plots whose headers are unknown count for nothing this pass`,
      });
    return new PassReplot(world, targetReplot({ paths, config, remote }), notes, []);
  }

  /** The plot's credit per disk; the reason it gets none is said once, when a disk asks for it. */
  creditOf(plot: StagedPlot): ((disk: TargetDisk) => number) | undefined {
    const replot = this.replot;
    if (!replot) return undefined;
    const why = replot.whyNoCredit(plot);
    return (disk) => {
      if (why === null) return replot.credit(disk);
      this.world.sayOnce(`replot:${plot.name}`, 'info', why);
      return 0;
    };
  }

  /**
   * The plot's credit for a choice now: none while an old plot removed for another plot is not
   * replaced yet (its plot has not arrived), so that all targets together never hold more than
   * one old plot's room freed and unfilled: effective space dips by one old plot at the most.
   */
  choiceCreditOf(plot: StagedPlot): ((disk: TargetDisk) => number) | undefined {
    const credit = this.creditOf(plot);
    if (credit === undefined) return undefined;
    const waiting = listFreed(this.world.paths).find((freed) => freed.plot !== plot.name);
    this.world.sayOnce(
      'replot:one-at-a-time',
      'info',
      waiting
        ? `replot waits: ${waiting.removed} was removed from ${waiting.disk} for ${waiting.plot}, which has not arrived yet; no other old plot goes until it has`
        : null,
    );
    return waiting ? undefined : credit;
  }

  /** Forgets the freed-room records of plots gone from staging; under the state lock. */
  prune(names: ReadonlySet<string>): void {
    this.freed = pruneFreed(this.world.paths, names);
  }

  /**
   * The disk for one plot, under the state lock: when only replot's credit makes room, the old
   * plot goes now, just before the transfer starts; if it may not, the plot looks elsewhere.
   * `freed` describes the old plot removed for it (now or on an earlier pass), for its failure line.
   */
  async choose(
    plot: StagedPlot,
    input: Omit<TargetChoiceInput, 'plot' | 'replotCredit' | 'reservations'>,
    live: Reservation[],
  ): Promise<{ choice: TargetChoice; freed: string | null }> {
    const { paths } = this.world;
    const credit = this.choiceCreditOf(plot);
    const noCredit = new Set<TargetDisk>();
    // a pass of 200 plots looks for no record of its own for each: the pass listed them once
    const record = this.freed?.has(plot.name) === false ? null : readFreed(paths, plot.name);
    let freed = record ? `${record.removed} from ${record.disk}` : null;
    for (;;) {
      const choice = chooseTarget({
        ...input,
        plot,
        reservations: live,
        replotCredit: credit && ((disk) => (noCredit.has(disk) ? 0 : credit(disk))),
      });
      if (!choice.ok || !choice.replot || !this.replot) return { choice, freed };
      const disk = diskName(choice.disk);
      let step: RoomStep;
      try {
        step = await this.replot.makeRoom(choice.disk, plot, live);
      } catch (error) {
        // a disk that hangs or refuses: this plot looks elsewhere, the pass goes on
        step = {
          kind: 'refused',
          notes: [],
          text: `replot could not make room on ${disk}: ${errorMessage(error)}; nothing removed`,
        };
      }
      for (const text of step.notes) this.notes.push({ level: 'warn', text });
      if (step.kind === 'room') return { choice, freed };
      if (step.kind === 'removed') {
        const removed = step.victims.map(describeOldPlot).join(' and ');
        freed = `${removed} from ${disk}`;
        recordFreed(paths, { plot: plot.name, disk, removed, at: this.world.now() });
        this.freed?.add(plot.name);
        this.news.push({ kind: 'replot_removed', target: disk, level: 'info', text: step.text });
        return { choice, freed };
      }
      this.notes.push({ level: 'warn', text: step.text });
      noCredit.add(choice.disk);
    }
  }

  /**
   * Another plot now goes to a disk where replot freed room for a plot whose transfer failed:
   * that room is its, so the failed plot is owed nothing any more and may have one old plot
   * removed for it again (only if a disk would not hold it otherwise, as always).
   */
  handOver(plot: string, disk: TargetDisk, live: Reservation[]): void {
    if (this.freed?.size === 0) return;
    const name = diskName(disk);
    for (const freed of listFreed(this.world.paths)) {
      if (freed.disk !== name || freed.plot === plot || live.some((r) => r.plot === freed.plot)) continue;
      dropFreed(this.world.paths, freed.plot);
      this.freed?.delete(freed.plot);
      this.notes.push({
        level: 'info',
        text: `the room replot freed on ${name} for ${freed.plot} (by removing ${freed.removed}) goes to ${plot}; ${freed.plot} may have one old plot removed for it again`,
      });
    }
  }

  saveHeaders(): void {
    this.replot?.saveHeaders();
  }
}
