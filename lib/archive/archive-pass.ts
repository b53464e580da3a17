import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { readMountPoints } from '../farm/mount-points.js';
import { withStateLock } from '../farm/state-lock.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { archiveStateDir } from './archive-state.js';
import type { ArchiveTarget } from './archive-targets.js';
import type { TargetStatus } from './archiver-progress.js';
import { describeOldPlot } from '../replot/check-victim.js';
import { chooseTarget, diskFits, reservedOn, roomFor, type TargetChoice } from './choose-target.js';
import { RemoteHeaderCache, remoteHeaderCacheFile } from './remote-headers.js';
import { RemoteTargetsReplot } from './remote-replot.js';
import { dropFreed, listFreed, pruneFreed, readFreed, recordFreed } from './replot-freed.js';
import { diskName, replotOnTargets, targetReplot, type TargetReplot } from './target-replot.js';
import { readLiveReservations, writeReservation, type Reservation } from './reservations.js';
import { findStagedPlots, parseStaging, stagingDisks, type StagedPlot } from './staging-plots.js';
import { surveyLocalTargets } from './survey-local.js';
import { surveyRemoteHost } from './survey-remote.js';
import { noteCondition, type TargetNews } from './target-outages.js';
import type { HostSurvey, TargetDisk } from './target-disk.js';

export interface PassWorld {
  paths: HomePaths;
  config: ConfigReader;
  now: () => number;
  procDir: string;
  mountinfoPath: string;
  pid: number;
  pidStart: number;
  /** Says a message once until it changes (keyed by its subject). */
  sayOnce: (key: string, level: 'info' | 'warn', message: string | null) => void;
}

export interface PlannedTransfer {
  reservation: Reservation;
  plot: StagedPlot;
  target: ArchiveTarget;
  resumed: number;
  /** Partial copies of this plot left on other disks (a copy cut short, then sent elsewhere): removed once it arrives. */
  strayPartials: { target: ArchiveTarget; plotsDir: string }[];
  /** An old plot replot removed on a target for this plot (this pass or an earlier one), for its failure line. */
  replotFreed: string | null;
}

export interface PassResult {
  planned: PlannedTransfer[];
  waiting: number;
  statuses: TargetStatus[];
  /** Logged and notified: targets down, full or back, and replot's removals. */
  news: TargetNews[];
  /** Logged only: what replot did not do on a target, and why. */
  notes: { level: 'info' | 'warn'; text: string }[];
}

const SURVEY_TIMEOUT_MS = 30_000;

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

async function surveyHosts(targets: ArchiveTarget[], world: PassWorld): Promise<Map<string, HostSurvey>> {
  const { config } = world;
  const requireMount = config.get('require_mount') === 'yes';
  const staging = parseStaging(config.get('archive_staging'));
  const byHost = new Map<string, ArchiveTarget[]>();
  for (const target of targets) byHost.set(target.hostKey, [...(byHost.get(target.hostKey) ?? []), target]);
  const surveys = await Promise.all(
    [...byHost].map(async ([hostKey, hostTargets]): Promise<HostSurvey> => {
      try {
        if (hostKey !== 'local')
          return await surveyRemoteHost(hostTargets, {
            sshConfig: config.get('archive_ssh_config'),
            requireMount,
            timeoutMs: SURVEY_TIMEOUT_MS,
            listPlots: replotOnTargets(config),
          });
        return await surveyLocalTargets(hostTargets, {
          paths: world.paths,
          farmRoot: config.get('farm_root'),
          isStaging: (farm, disk) => staging.some((s) => s.farm === farm && (s.disk === null || s.disk === disk)),
          requireMount,
          mounts: readMountPoints(world.mountinfoPath),
          spaceMethod: config.get('disk_space'),
          timeoutMs: config.get('disk_timeout') * 1000,
        });
      } catch (error) {
        return { hostKey, ok: false, problem: (error as Error).message };
      }
    }),
  );
  return new Map(surveys.map((survey) => [survey.hostKey, survey]));
}

/**
 * Another plot now goes to a disk where replot freed room for a plot whose transfer failed: that
 * room is its, so the failed plot is owed nothing any more and may have one old plot removed for
 * it again (only if a disk would not hold it otherwise, as always). One old plot per new plot.
 */
function handOverFreedRoom(paths: HomePaths, plot: string, disk: string, live: Reservation[]): PassResult['notes'] {
  const notes: PassResult['notes'] = [];
  for (const freed of listFreed(paths)) {
    if (freed.disk !== disk || freed.plot === plot || live.some((r) => r.plot === freed.plot)) continue;
    dropFreed(paths, freed.plot);
    notes.push({
      level: 'info',
      text: `the room replot freed on ${disk} for ${freed.plot} (by removing ${freed.removed}) goes to ${plot}; ${freed.plot} may have one old plot removed for it again`,
    });
  }
  return notes;
}

/**
 * Replot on the targets for this pass, or null when it is off: remote hosts' headers of the plots
 * on disks that may need the credit are read first (only those not in the cache), outside the lock.
 */
async function prepareReplot(
  targets: ArchiveTarget[],
  reachable: Extract<HostSurvey, { ok: true }>[],
  plots: StagedPlot[],
  world: PassWorld,
  notes: PassResult['notes'],
): Promise<TargetReplot | null> {
  const { config, paths } = world;
  if (!replotOnTargets(config) || plots.length === 0) return targetReplot({ paths, config });
  const remote = new RemoteTargetsReplot({
    targets,
    sshConfig: config.get('archive_ssh_config'),
    timeoutMs: SURVEY_TIMEOUT_MS,
    cache: RemoteHeaderCache.load(remoteHeaderCacheFile(paths)),
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
  return targetReplot({ paths, config, remote });
}

/**
 * One pass: the finished plots on the staging disks, each target host surveyed once, and under
 * the state lock the plots given to target disks and reserved, within the limits. The transfers
 * themselves are the caller's.
 */
export async function planPass(targets: ArchiveTarget[], world: PassWorld): Promise<PassResult> {
  const { config, paths } = world;
  const empty: PassResult = { planned: [], waiting: 0, statuses: [], news: [], notes: [] };
  const staging = config.get('archive_staging');
  world.sayOnce(
    'staging',
    'info',
    staging === ''
      ? `${config.inspect('archive_staging').file} is empty: nothing to archive until it names the staging farms`
      : null,
  );
  if (staging === '') return empty;
  const disks = stagingDisks(config.get('farm_root'), staging);
  world.sayOnce(
    'staging-disks',
    'warn',
    disks.length === 0
      ? `archive_staging names ${staging}, but no such disk with plots/ and logs/ is under ${config.get('farm_root')}`
      : null,
  );
  const { plots, skipped } = findStagedPlots(disks, { now: world.now(), procDir: world.procDir });
  for (const skip of skipped) world.sayOnce(`skip:${skip.file}`, 'info', `${skip.file}: not archived yet: ${skip.why}`);
  world.sayOnce(
    'targets',
    'warn',
    targets.length === 0 ? 'no archive targets: add one as config/archive/targets/<name>.goplot' : null,
  );
  if (targets.length === 0) return { ...empty, waiting: plots.length };

  const surveys = await surveyHosts(targets, world);
  const news: TargetNews[] = [];
  for (const target of targets) {
    const survey = surveys.get(target.hostKey)!;
    const item = noteCondition(paths, 'down', target.name, !survey.ok, survey.ok ? '' : survey.problem);
    if (item) news.push(item);
  }
  const reachable = [...surveys.values()].filter((survey): survey is Extract<HostSurvey, { ok: true }> => survey.ok);

  const planned: PlannedTransfer[] = [];
  const notes: PassResult['notes'] = [];
  const replot = await prepareReplot(targets, reachable, plots, world, notes);
  // said only when a plot finds no free room and replot would be its way in
  const creditOf = (plot: StagedPlot): ((disk: TargetDisk) => number) | undefined => {
    if (!replot) return undefined;
    const why = replot.whyNoCredit(plot);
    return (disk) => {
      if (why === null) return replot.credit(disk);
      world.sayOnce(`replot:${plot.name}`, 'info', why);
      return 0;
    };
  };
  const { reservations, unplaced } = await withStateLock(paths, async () => {
    const live = readLiveReservations(paths, world.procDir);
    const taken = new Set(live.map((r) => r.plot));
    pruneFreed(paths, new Set([...taken, ...plots.map((p) => p.name), ...skipped.map((s) => path.basename(s.file))]));
    let lastHost = readLastHost(paths);
    const unplacedPlots: StagedPlot[] = [];
    for (const plot of plots) {
      if (taken.has(plot.name)) continue;
      if (live.length >= config.get('archive_max_total')) {
        unplacedPlots.push(plot);
        continue;
      }
      const credit = creditOf(plot);
      const noCredit = new Set<TargetDisk>();
      let choice: TargetChoice;
      let freed: string | null = readFreed(paths, plot.name)?.removed ?? null;
      for (;;) {
        choice = chooseTarget({
          plot,
          surveys: reachable,
          reservations: live,
          lastHost,
          maxPerHost: config.get('archive_max_per_host'),
          replotCredit: credit && ((disk) => (noCredit.has(disk) ? 0 : credit(disk))),
        });
        if (!choice.ok || !choice.replot || !replot) break;
        const step = await replot.makeRoom(choice.disk, plot, live);
        if (step.kind === 'room') break;
        if (step.kind === 'removed') {
          const disk = diskName(choice.disk);
          freed = `${describeOldPlot(step.victim)} from ${disk}`;
          recordFreed(paths, { plot: plot.name, disk, removed: describeOldPlot(step.victim), at: world.now() });
          news.push({ kind: 'replot_removed', target: disk, level: 'info', text: step.text });
          break;
        }
        notes.push({ level: 'warn', text: step.text });
        noCredit.add(choice.disk);
      }
      if (!choice.ok) {
        unplacedPlots.push(plot);
        continue;
      }
      const chosen = choice;
      const target = targets.find((t) => t.name === chosen.disk.target)!;
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
      writeReservation(paths, reservation);
      live.push(reservation);
      notes.push(...handOverFreedRoom(paths, plot.name, diskName(chosen.disk), live));
      lastHost = target.hostKey;
      const strayPartials = reachable
        .flatMap((survey) => survey.disks)
        .filter(
          (d) => d.partials.has(plot.name) && !(d.target === chosen.disk.target && d.plotsDir === chosen.disk.plotsDir),
        )
        .map((d) => ({ target: targets.find((t) => t.name === d.target)!, plotsDir: d.plotsDir }));
      planned.push({ reservation, plot, target, resumed: chosen.resumed, strayPartials, replotFreed: freed });
    }
    writeFileAtomicSync(lastHostFile(paths), `${lastHost}\n`);
    replot?.saveHeaders();
    return { reservations: live, unplaced: unplacedPlots };
  });

  const statuses: TargetStatus[] = targets.map((target) => {
    const survey = surveys.get(target.hostKey)!;
    if (!survey.ok) return { name: target.name, state: 'down', problem: survey.problem, freeBytes: null };
    const targetDisks = survey.disks.filter((disk) => disk.target === target.name);
    const freeBytes = targetDisks
      .filter((disk) => disk.problem === null)
      .reduce((sum, disk) => sum + Math.max(0, disk.freeBytes - reservedOn(disk, reservations, '')), 0);
    // full only when a waiting plot fits on none of its disks: a busy host is not a full one
    const waitingPlot = unplaced[0];
    const full =
      waitingPlot !== undefined &&
      !targetDisks.some((disk) => diskFits(disk, waitingPlot, reservations, creditOf(waitingPlot)));
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
  return { planned, waiting: unplaced.length, statuses, news, notes };
}
