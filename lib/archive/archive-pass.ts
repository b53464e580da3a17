import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { readDiskSpace } from '../farm/disk-space.js';
import type { FarmDisk } from '../farm/farm-layout.js';
import { readMountPoints } from '../farm/mount-points.js';
import type { StagingSpace } from './archiver-metrics.js';
import { withStateLock } from '../farm/state-lock.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { archiveStateDir } from './archive-state.js';
import type { ArchiveTarget } from './archive-targets.js';
import type { TargetStatus } from './archiver-progress.js';
import { diskFits, reservedOn } from './choose-target.js';
import { PassReplot, type PassNote } from './pass-replot.js';
import { replotOnTargets } from './target-replot.js';
import { readLiveReservations, releaseReservation, writeReservation, type Reservation } from './reservations.js';
import { applyLocalLeases, claimLeases, type StreamLease } from './pass-leases.js';
import { leaseHolder, type LeaseHolder } from './target-leases.js';
import { findStagedPlots, parseStaging, stagingDisks, type StagedPlot } from './staging-plots.js';
import { placeGroups, stagedGroups, surveysFor } from './plot-groups.js';
import { surveyLocalTargets } from './survey-local.js';
import { surveyRemoteHost } from './survey-remote.js';
import { noteCondition, type TargetNews } from './target-outages.js';
import type { HostSurvey } from './target-disk.js';
import { errorMessage } from '../util/error-message.js';

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
  /** This host's name, for the leases on targets (os.hostname() when absent). */
  hostname?: string;
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
  /** The lease its stream holds on the target disk, shared by the plots of one batch (null: none could be written there). */
  lease?: StreamLease | null;
}

export interface PassResult {
  planned: PlannedTransfer[];
  waiting: number;
  statuses: TargetStatus[];
  /** Logged and notified: targets down, full or back, and replot's removals. */
  news: TargetNews[];
  /** Logged only: what replot did not do on a target, and why. */
  notes: PassNote[];
  /** The staging disks' space (for archiver.prom and its alerts). */
  staging?: StagingSpace[];
}

const SURVEY_TIMEOUT_MS = 30_000;

let streams = 0;
/** Lease names are unique per process: its pid and this count. */
function nextStream(): number {
  streams += 1;
  return streams;
}

/**
 * The most one batch (one rsync to one disk) takes: small plots go together, and a source is
 * removed at the latest after this much has been sent, so staging does not wait on a long batch.
 * About nine pos2 k28 plots; a plot larger than this goes alone.
 */
export const BATCH_BYTES = 8 * 1024 ** 3;

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

/** Each staging disk's space; one that cannot be read is left out (its trouble is diskhand's to say). */
async function stagingSpace(disks: FarmDisk[], world: PassWorld): Promise<StagingSpace[]> {
  const spaces: StagingSpace[] = [];
  for (const disk of disks) {
    try {
      const space = await readDiskSpace(disk.dir, world.config.get('disk_space'), {
        timeoutMs: world.config.get('disk_timeout') * 1000,
      });
      spaces.push({ farm: disk.farm, disk: disk.disk, freeBytes: space.freeBytes, totalBytes: space.totalBytes });
    } catch {
      // a hung or vanished disk: no value rather than a wrong one
    }
  }
  return spaces;
}

/** This home's lease holder on targets. */
export function holderOf(world: PassWorld): LeaseHolder {
  return leaseHolder(world.hostname ?? os.hostname(), world.paths.home, world.pid);
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
            ownHome: holderOf(world).home,
          });
        const local = await surveyLocalTargets(hostTargets, {
          paths: world.paths,
          farmRoot: config.get('farm_root'),
          isStaging: (farm, disk) => staging.some((s) => s.farm === farm && (s.disk === null || s.disk === disk)),
          requireMount,
          mounts: readMountPoints(world.mountinfoPath),
          spaceMethod: config.get('disk_space'),
          timeoutMs: config.get('disk_timeout') * 1000,
        });
        if (local.ok) {
          const roots = hostTargets.map((t) =>
            t.place.kind === 'local' ? (t.place.root ?? config.get('farm_root')) : '',
          );
          await applyLocalLeases(local, roots, holderOf(world).home, SURVEY_TIMEOUT_MS);
        }
        return local;
      } catch (error) {
        return { hostKey, ok: false, problem: errorMessage(error) };
      }
    }),
  );
  return new Map(surveys.map((survey) => [survey.hostKey, survey]));
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
  const stagingSpaces = await stagingSpace(disks, world);
  for (const skip of skipped) world.sayOnce(`skip:${skip.file}`, 'info', `${skip.file}: not archived yet: ${skip.why}`);
  world.sayOnce(
    'targets',
    'warn',
    targets.length === 0 ? 'no archive targets: add one as config/archive/targets/<name>.goplot' : null,
  );
  if (targets.length === 0) return { ...empty, waiting: plots.length, staging: stagingSpaces };

  const surveys = await surveyHosts(targets, world);
  const news: TargetNews[] = [];
  for (const target of targets) {
    const survey = surveys.get(target.hostKey)!;
    const item = noteCondition(paths, 'down', target.name, !survey.ok, survey.ok ? '' : survey.problem);
    if (item) news.push(item);
  }
  const reachable = [...surveys.values()].filter((survey): survey is Extract<HostSurvey, { ok: true }> => survey.ok);

  const planned: PlannedTransfer[] = [];
  const leaseNotes: PassNote[] = [];
  const replot = await PassReplot.prepare(targets, reachable, plots, { ...world, timeoutMs: SURVEY_TIMEOUT_MS });
  const { reservations, unplaced } = await withStateLock(paths, async () => {
    const live = readLiveReservations(paths, world.procDir);
    const taken = new Set(live.map((r) => r.plot));
    replot.prune(new Set([...taken, ...plots.map((p) => p.name), ...skipped.map((s) => path.basename(s.file))]));
    let lastHost = readLastHost(paths);
    const unplacedPlots: StagedPlot[] = [];
    const thisPass = new Set<string>();
    const streams = { thisPass, maxBatchBytes: BATCH_BYTES, maxTotal: config.get('archive_max_total') };
    const groups = stagedGroups(plots);
    const placement = placeGroups(groups, reachable, live);
    for (const group of groups) world.sayOnce(`group:${group.key}`, 'info', placement.waits.get(group.key) ?? null);
    for (const plot of plots) {
      if (taken.has(plot.name)) continue;
      const surveys = surveysFor(plot, placement, reachable);
      if (surveys === null) {
        unplacedPlots.push(plot);
        continue;
      }
      const { choice, freed } = await replot.choose(
        plot,
        { surveys, lastHost, maxPerHost: config.get('archive_max_per_host'), streams },
        live,
      );
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
      thisPass.add(plot.name);
      replot.handOver(plot.name, chosen.disk, live);
      lastHost = target.hostKey;
      const strayPartials = reachable
        .flatMap((survey) => survey.disks)
        .filter(
          (d) => d.partials.has(plot.name) && !(d.target === chosen.disk.target && d.plotsDir === chosen.disk.plotsDir),
        )
        .map((d) => ({ target: targets.find((t) => t.name === d.target)!, plotsDir: d.plotsDir }));
      planned.push({ reservation, plot, target, resumed: chosen.resumed, strayPartials, replotFreed: freed });
    }
    const claims = await claimLeases(
      planned,
      live,
      reachable,
      {
        sshConfig: config.get('archive_ssh_config'),
        holder: holderOf(world),
        pid: world.pid,
        ttlSeconds: config.get('archive_lease_seconds'),
        timeoutMs: SURVEY_TIMEOUT_MS,
        nextStream,
      },
      world.sayOnce,
    );
    for (const item of claims.dropped) {
      releaseReservation(paths, item.reservation);
      live.splice(live.indexOf(item.reservation), 1);
      unplacedPlots.push(item.plot);
    }
    planned.splice(0, planned.length, ...claims.kept);
    leaseNotes.push(...claims.notes);
    writeFileAtomicSync(lastHostFile(paths), `${lastHost}\n`);
    replot.saveHeaders();
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
  return {
    planned,
    waiting: unplaced.length,
    statuses,
    news: [...news, ...replot.news],
    notes: [...replot.notes, ...leaseNotes],
    staging: stagingSpaces,
  };
}
