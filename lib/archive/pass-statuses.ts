import type { HomePaths } from '../config/home.js';
import type { ArchiveTarget } from './archive-targets.js';
import type { TargetStatus } from './archiver-progress.js';
import { diskFits, reservedOn } from './choose-target.js';
import type { PassReplot } from './pass-replot.js';
import type { Reservation } from './reservations.js';
import type { StagedPlot } from './staging-plots.js';
import { noteCondition, type TargetNews } from './target-outages.js';
import type { HostSurvey } from './target-disk.js';

/** Each target's news of being down or back, said once per outage. */
export function downNews(paths: HomePaths, targets: ArchiveTarget[], surveys: Map<string, HostSurvey>): TargetNews[] {
  const news: TargetNews[] = [];
  for (const target of targets) {
    const survey = surveys.get(target.hostKey)!;
    const item = noteCondition(paths, 'down', target.name, !survey.ok, survey.ok ? '' : survey.problem);
    if (item) news.push(item);
  }
  return news;
}

/**
 * Each target's state after the pass (down, full or ok) and its free room; `full` only when a
 * waiting plot fits on none of its disks (a busy host is not a full one), said once per outage.
 */
export function targetStatuses(
  targets: ArchiveTarget[],
  surveys: Map<string, HostSurvey>,
  after: { reservations: Reservation[]; unplaced: StagedPlot[]; replot: PassReplot },
  paths: HomePaths,
  news: TargetNews[],
): TargetStatus[] {
  const { reservations, replot } = after;
  const waitingPlot = after.unplaced[0];
  return targets.map((target) => {
    const survey = surveys.get(target.hostKey)!;
    if (!survey.ok) return { name: target.name, state: 'down', problem: survey.problem, freeBytes: null };
    const targetDisks = survey.disks.filter((disk) => disk.target === target.name);
    const freeBytes = targetDisks
      .filter((disk) => disk.problem === null)
      .reduce((sum, disk) => sum + Math.max(0, disk.freeBytes - reservedOn(disk, reservations, '')), 0);
    const full =
      waitingPlot !== undefined &&
      !targetDisks.some((disk) => diskFits(disk, waitingPlot, reservations, replot.creditOf(waitingPlot)));
    if (waitingPlot !== undefined) {
      const why =
        targetDisks.length === 0
          ? 'no disks with plots/'
          : `no disk has room for ${waitingPlot.name} (${waitingPlot.size} bytes)`;
      const item = noteCondition(paths, 'full', target.name, full, why);
      if (item) news.push(item);
    }
    return {
      name: target.name,
      state: full ? 'full' : 'ok',
      problem: full ? 'no room for the waiting plots' : null,
      freeBytes,
    };
  });
}
