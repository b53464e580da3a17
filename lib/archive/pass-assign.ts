import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { archiveStateDir } from './archive-state.js';
import type { ArchiveTarget } from './archive-targets.js';
import type { TargetChoice } from './choose-target.js';
import type { PassReplot } from './pass-replot.js';
import type { PassWorld, PlannedTransfer } from './pass-types.js';
import { placeGroups, stagedGroups, surveysFor } from './plot-groups.js';
import { writeReservations, type Reservation } from './reservations.js';
import type { StagedPlot } from './staging-plots.js';
import type { HostSurvey } from './target-disk.js';
import fs from 'node:fs';

/**
 * The most one batch (one rsync to one disk) takes: small plots go together, and a source is
 * removed at the latest after this much has been sent, so staging does not wait on a long batch.
 * About nine pos2 k28 plots; a plot larger than this goes alone.
 */
export const BATCH_BYTES = 8 * 1024 ** 3;

type Reachable = Extract<HostSurvey, { ok: true }>;

function lastHostFile(paths: HomePaths): string {
  return path.join(archiveStateDir(paths), 'last_host');
}

function readLastHost(paths: HomePaths): string {
  try {
    return fs.readFileSync(lastHostFile(paths), 'utf8').trim();
  } catch {
    return '';
  }
}

/** Partial copies of the plot on disks other than the chosen one: removed once it has arrived. */
function strayPartialsOf(
  plot: StagedPlot,
  chosen: Extract<TargetChoice, { ok: true }>,
  reachable: Reachable[],
  targets: ArchiveTarget[],
): PlannedTransfer['strayPartials'] {
  return reachable
    .flatMap((survey) => survey.disks)
    .filter(
      (d) => d.partials.has(plot.name) && !(d.target === chosen.disk.target && d.plotsDir === chosen.disk.plotsDir),
    )
    .map((d) => ({ target: targets.find((t) => t.name === d.target)!, plotsDir: d.plotsDir }));
}

export interface Assignment {
  planned: PlannedTransfer[];
  /** The staged plots no disk took this pass. */
  unplaced: StagedPlot[];
}

/**
 * Under the state lock: each staged plot not taken yet gets a disk (its group's disk for a pos2
 * plot) within the limits, and their reservations written (in one file) before their transfers
 * start; `live` grows with them. Hosts take turns from the one that got the last plot.
 */
export async function assignPlots(
  plots: StagedPlot[],
  live: Reservation[],
  context: { targets: ArchiveTarget[]; reachable: Reachable[]; replot: PassReplot; maxBatchBytes: number },
  world: PassWorld,
): Promise<Assignment> {
  const { config, paths } = world;
  const { targets, reachable, replot } = context;
  const taken = new Set(live.map((r) => r.plot));
  let lastHost = readLastHost(paths);
  const result: Assignment = { planned: [], unplaced: [] };
  const thisPass = new Set<string>();
  const streams = { thisPass, maxBatchBytes: context.maxBatchBytes, maxTotal: config.get('archive_max_total') };
  const groups = stagedGroups(plots);
  const placement = placeGroups(groups, reachable, live, (group) => replot.choiceCreditOf(group.plots[0]!));
  for (const group of groups) world.sayOnce(`group:${group.key}`, 'info', placement.waits.get(group.key) ?? null);
  for (const plot of plots) {
    if (taken.has(plot.name)) continue;
    const surveys = surveysFor(plot, placement, reachable);
    const { choice, freed } =
      surveys === null
        ? { choice: null, freed: null }
        : await replot.choose(
            plot,
            { surveys, lastHost, maxPerHost: config.get('archive_max_per_host'), streams },
            live,
          );
    if (choice === null || !choice.ok) {
      result.unplaced.push(plot);
      continue;
    }
    const target = targets.find((t) => t.name === choice.disk.target)!;
    const reservation: Reservation = {
      plot: plot.name,
      source: plot.file,
      bytes: choice.bytes,
      target: target.name,
      hostKey: target.hostKey,
      farm: choice.disk.farm,
      disk: choice.disk.disk,
      plotsDir: choice.disk.plotsDir,
      pid: world.pid,
      pidStart: world.pidStart,
      startedAt: world.now(),
    };
    live.push(reservation);
    thisPass.add(plot.name);
    replot.handOver(plot.name, choice.disk, live);
    lastHost = target.hostKey;
    const strayPartials = strayPartialsOf(plot, choice, reachable, targets);
    result.planned.push({ reservation, plot, target, resumed: choice.resumed, strayPartials, replotFreed: freed });
  }
  writeReservations(
    paths,
    result.planned.map((planned) => planned.reservation),
  );
  writeFileAtomicSync(lastHostFile(paths), `${lastHost}\n`);
  return result;
}
