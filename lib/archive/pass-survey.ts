import os from 'node:os';
import { readDiskSpace } from '../farm/disk-space.js';
import type { FarmDisk } from '../farm/farm-layout.js';
import { readMountPoints } from '../farm/mount-points.js';
import { errorMessage } from '../util/error-message.js';
import type { ArchiveTarget } from './archive-targets.js';
import type { StagingSpace } from './archiver-metrics.js';
import { applyLocalLeases } from './pass-leases.js';
import { SURVEY_TIMEOUT_MS, type PassWorld } from './pass-types.js';
import { findStagedPlots, parseStaging, stagingDisks, type SkippedPlot, type StagedPlot } from './staging-plots.js';
import { surveyLocalTargets } from './survey-local.js';
import { surveyRemoteHost } from './survey-remote.js';
import { type HostSession, type SessionPool, type SessionUse } from './host-session.js';
import { leaseHolder, type LeaseHolder } from './target-leases.js';
import { replotOnTargets } from './target-replot.js';
import type { HostSurvey } from './target-disk.js';

/** This home's lease holder on targets. */
export function holderOf(world: PassWorld): LeaseHolder {
  return leaseHolder(world.hostname ?? os.hostname(), world.paths.home, world.pid);
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

export interface Sources {
  plots: StagedPlot[];
  skipped: SkippedPlot[];
  staging: StagingSpace[];
}

/** The finished plots on the staging disks (null: archive_staging names nothing), each skip said once. */
export async function readSources(world: PassWorld): Promise<Sources | null> {
  const { config } = world;
  const staging = config.get('archive_staging');
  world.sayOnce(
    'staging',
    'info',
    staging === ''
      ? `${config.inspect('archive_staging').file} is empty: nothing to archive until it names the staging farms`
      : null,
  );
  if (staging === '') return null;
  const disks = stagingDisks(config.get('farm_root'), staging);
  world.sayOnce(
    'staging-disks',
    'warn',
    disks.length === 0
      ? `archive_staging names ${staging}, but no such disk with plots/ and logs/ is under ${config.get('farm_root')}`
      : null,
  );
  const { plots, skipped } = findStagedPlots(disks, { now: world.now(), procDir: world.procDir });
  const spaces = await stagingSpace(disks, world);
  for (const skip of skipped) world.sayOnce(`skip:${skip.file}`, 'info', `${skip.file}: not archived yet: ${skip.why}`);
  return { plots, skipped, staging: spaces };
}

/** This host's targets, judged as the tractor judges a disk, less other homes' leases there. */
async function surveyLocal(hostTargets: ArchiveTarget[], world: PassWorld): Promise<HostSurvey> {
  const { config } = world;
  const staging = parseStaging(config.get('archive_staging'));
  const local = await surveyLocalTargets(hostTargets, {
    paths: world.paths,
    farmRoot: config.get('farm_root'),
    isStaging: (farm, disk) => staging.some((s) => s.farm === farm && (s.disk === null || s.disk === disk)),
    requireMount: config.get('require_mount') === 'yes',
    mounts: readMountPoints(world.mountinfoPath),
    spaceMethod: config.get('disk_space'),
    timeoutMs: config.get('disk_timeout') * 1000,
  });
  if (local.ok) {
    const roots = hostTargets.map((t) => (t.place.kind === 'local' ? (t.place.root ?? config.get('farm_root')) : ''));
    await applyLocalLeases(local, roots, holderOf(world).home, SURVEY_TIMEOUT_MS);
  }
  return local;
}

/** The pass's sh session on each remote host, from the pool; each hold goes into `uses` (the pass lets go of them). */
export function hostSessions(
  targets: ArchiveTarget[],
  world: PassWorld,
  pool: SessionPool,
  uses: SessionUse[],
): Map<string, HostSession> {
  const sessions = new Map<string, HostSession>();
  for (const target of targets)
    if (target.place.kind === 'remote' && !sessions.has(target.hostKey)) {
      const use = pool.use(target.place, target.hostKey, world.config.get('archive_ssh_config'));
      uses.push(use);
      sessions.set(target.hostKey, use.session);
    }
  return sessions;
}

/**
 * Every target host surveyed once, at the same time: one script per remote host, the first of
 * the pass's session there. With `listGroups` (pos2 groups staged) a remote survey lists the plot
 * files too, for their groups.
 */
export async function surveyHosts(
  targets: ArchiveTarget[],
  world: PassWorld,
  listGroups: boolean,
  sessions: Map<string, HostSession>,
): Promise<Map<string, HostSurvey>> {
  const { config } = world;
  const byHost = new Map<string, ArchiveTarget[]>();
  for (const target of targets) byHost.set(target.hostKey, [...(byHost.get(target.hostKey) ?? []), target]);
  const surveys = await Promise.all(
    [...byHost].map(async ([hostKey, hostTargets]): Promise<HostSurvey> => {
      try {
        if (hostKey === 'local') return await surveyLocal(hostTargets, world);
        return await surveyRemoteHost(hostTargets, {
          session: sessions.get(hostKey)!,
          requireMount: config.get('require_mount') === 'yes',
          timeoutMs: SURVEY_TIMEOUT_MS,
          listPlots: replotOnTargets(config) || listGroups,
          ownHome: holderOf(world).home,
        });
      } catch (error) {
        return { hostKey, ok: false, problem: errorMessage(error) };
      }
    }),
  );
  return new Map(surveys.map((survey) => [survey.hostKey, survey]));
}
