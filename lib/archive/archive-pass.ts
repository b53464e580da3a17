import path from 'node:path';
import { withStateLock } from '../farm/state-lock.js';
import type { ArchiveTarget } from './archive-targets.js';
import { assignPlots, BATCH_BYTES } from './pass-assign.js';
import { claimLeases } from './pass-leases.js';
import { applyRemoteGroups } from './disk-groups.js';
import { stagedGroups, stagedIdentity } from './plot-groups.js';
import { RemoteHeaderCache, remoteHeaderCacheFile } from './remote-headers.js';
import { PassReplot, type PassNote } from './pass-replot.js';
import { downNews, targetStatuses } from './pass-statuses.js';
import { holderOf, hostSessions, readSources, surveyHosts } from './pass-survey.js';
import { SessionPool, type HostSession, type SessionUse } from './host-session.js';
import { SURVEY_TIMEOUT_MS, type PassResult, type PassWorld, type PlannedTransfer } from './pass-types.js';
import { readLiveReservations, releaseReservations, type Reservation } from './reservations.js';
import type { StagedPlot } from './staging-plots.js';
import type { HostSurvey } from './target-disk.js';

export type { PassResult, PassWorld, PlannedTransfer } from './pass-types.js';
export { BATCH_BYTES } from './pass-assign.js';
export { holderOf } from './pass-survey.js';

let streams = 0;
/** Lease names are unique per process: its pid and this count. */
function nextStream(): number {
  streams += 1;
  return streams;
}

type Reachable = Extract<HostSurvey, { ok: true }>;

/**
 * Under the state lock: the plots given to disks and reserved, then the room for each disk's
 * batch leased on the disk itself; a plot whose room another plotter took meanwhile waits.
 */
async function planUnderLock(
  sources: { plots: StagedPlot[]; skipped: { file: string }[] },
  context: { targets: ArchiveTarget[]; reachable: Reachable[]; replot: PassReplot; sessions: Map<string, HostSession> },
  world: PassWorld,
): Promise<{ planned: PlannedTransfer[]; live: Reservation[]; unplaced: StagedPlot[]; notes: PassNote[] }> {
  const { config, paths } = world;
  const { plots, skipped } = sources;
  const live = readLiveReservations(paths, world.procDir);
  context.replot.prune(
    new Set([...live.map((r) => r.plot), ...plots.map((p) => p.name), ...skipped.map((s) => path.basename(s.file))]),
  );
  const { planned, unplaced } = await assignPlots(plots, live, { ...context, maxBatchBytes: BATCH_BYTES }, world);
  const claims = await claimLeases(
    planned,
    live,
    context.reachable,
    {
      sshConfig: config.get('archive_ssh_config'),
      holder: holderOf(world),
      pid: world.pid,
      ttlSeconds: config.get('archive_lease_seconds'),
      timeoutMs: SURVEY_TIMEOUT_MS,
      nextStream,
      sessions: context.sessions,
    },
    world.sayOnce,
  );
  releaseReservations(
    paths,
    claims.dropped.map((item) => item.reservation),
  );
  for (const item of claims.dropped) {
    live.splice(live.indexOf(item.reservation), 1);
    unplaced.push(item.plot);
  }
  context.replot.saveHeaders();
  return { planned: claims.kept, live, unplaced, notes: claims.notes };
}

/** The pos2 groups on remote disks, from the header cache and one batched read per host of what it lacks. */
async function remoteGroups(
  reachable: Reachable[],
  targets: ArchiveTarget[],
  plots: StagedPlot[],
  world: PassWorld,
  sessions: Map<string, HostSession>,
): Promise<PassNote[]> {
  const problems = await applyRemoteGroups(reachable, targets, plots, {
    cache: RemoteHeaderCache.load(remoteHeaderCacheFile(world.paths)),
    sshConfig: world.config.get('archive_ssh_config'),
    timeoutMs: SURVEY_TIMEOUT_MS,
    identityOf: stagedIdentity,
    sessions,
  });
  return problems.map((problem) => ({
    level: 'warn',
    text: `${problem}: its disks count as holding no meta group this pass`,
  }));
}

/**
 * One pass: the finished plots on the staging disks, each target host surveyed once, and under
 * the state lock the plots given to target disks and reserved, within the limits. The transfers
 * themselves are the caller's. Each remote host's survey, header reads and lease claims go
 * through one sh session there: one login per host and pass at most, none when batches of an
 * earlier pass still hold the pool's session there open. With world.sessions the caller lets go
 * of the pass's hold (result.release) once its batches hold theirs.
 */
export async function planPass(targets: ArchiveTarget[], world: PassWorld): Promise<PassResult> {
  const pool = world.sessions ?? new SessionPool();
  const uses: SessionUse[] = [];
  const release = () => {
    for (const use of uses.splice(0)) use.done();
  };
  try {
    const result = await planWith(targets, world, () => hostSessions(targets, world, pool, uses));
    if (world.sessions !== undefined) return { ...result, release };
    release();
    return result;
  } catch (error) {
    release();
    throw error;
  }
}

async function planWith(
  targets: ArchiveTarget[],
  world: PassWorld,
  openSessions: () => Map<string, HostSession>,
): Promise<PassResult> {
  const { paths } = world;
  const empty: PassResult = { planned: [], waiting: 0, statuses: [], news: [], notes: [] };
  // the hosts' sessions first: their ssh logins go on while the staging disks are read
  const sessions = world.config.get('archive_staging') === '' ? new Map<string, HostSession>() : openSessions();
  const sources = await readSources(world);
  if (sources === null) return empty;
  world.sayOnce(
    'targets',
    'warn',
    targets.length === 0 ? 'no archive targets: add one as config/archive/targets/<name>.goplot' : null,
  );
  if (targets.length === 0) return { ...empty, waiting: sources.plots.length, staging: sources.staging };
  world.onStaged?.(sources.plots, targets);
  const groupsStaged = stagedGroups(sources.plots).length > 0;
  const surveys = await surveyHosts(targets, world, groupsStaged, sessions);
  const news = downNews(paths, targets, surveys);
  const reachable = [...surveys.values()].filter((survey): survey is Reachable => survey.ok);
  const groupNotes = groupsStaged ? await remoteGroups(reachable, targets, sources.plots, world, sessions) : [];
  const replot = await PassReplot.prepare(targets, reachable, sources.plots, {
    ...world,
    timeoutMs: SURVEY_TIMEOUT_MS,
    hostSessions: sessions,
  });
  const done = await withStateLock(paths, () =>
    planUnderLock(sources, { targets, reachable, replot, sessions }, world),
  );
  const statuses = targetStatuses(
    targets,
    surveys,
    { reservations: done.live, unplaced: done.unplaced, replot },
    paths,
    news,
  );
  return {
    planned: done.planned,
    waiting: done.unplaced.length,
    statuses,
    news: [...news, ...replot.news],
    notes: [...groupNotes, ...replot.notes, ...done.notes],
    staging: sources.staging,
    hostAes: new Map(
      reachable.flatMap((survey) => (survey.aesGcm === undefined ? [] : [[survey.hostKey, survey.aesGcm]])),
    ),
  };
}
