import type { PlotHeader } from '../plot-file/plot-header.js';
import { readPos2Headers } from '../plot-file/pos2-headers-in.js';
import type { ArchiveTarget } from './archive-targets.js';
import type { HostSession } from './host-session.js';
import { fetchRemoteHeaders, type RemoteHeaderCache } from './remote-headers.js';
import type { StagedPlot } from './staging-plots.js';
import type { HostSurvey, TargetDisk } from './target-disk.js';

/**
 * What makes plots one group on a target disk: meta group, strength and kind. Two groups may
 * share a meta group (another plotter's, or one of another strength): a disk holding that meta
 * group is then not free for either, and neither is the other's own.
 */
export function groupIdentity(header: PlotHeader): string | null {
  if (header.pos2 === undefined) return null;
  return `meta ${header.pos2.metaGroup} s${header.pos2.strength} ${header.kind}`;
}

/** The pos2 groups on a local disk: the headers of its `*.plot2` files and our copies arriving there. */
export function readLocalGroups(plotsDir: string): Pick<TargetDisk, 'metaGroups' | 'groups'> {
  const found = { metaGroups: new Set<number>(), groups: new Set<string>() };
  for (const header of readPos2Headers(plotsDir)) {
    found.metaGroups.add(header.pos2!.metaGroup);
    found.groups.add(groupIdentity(header)!);
  }
  return found;
}

type Reachable = Extract<HostSurvey, { ok: true }>;

/**
 * The pos2 groups on each harvester disk, from the headers of the `*.plot2` files its survey
 * listed: read once per file (size and mtime) in one ssh command per host and kept in
 * logs/.archive/remote-headers.json, so a pass where nothing changed reads none. Our copies of
 * staged plots arriving there (`*.partial`) count as their group. Returns the hosts' problems; a
 * disk whose headers could not all be read keeps no groups (it counts as holding none).
 */
export async function applyRemoteGroups(
  surveys: Reachable[],
  targets: ArchiveTarget[],
  staged: StagedPlot[],
  context: {
    cache: RemoteHeaderCache;
    sshConfig: string;
    timeoutMs: number;
    identityOf: (plot: StagedPlot) => string | null;
    /** The pass's session on each host: the headers are read there after its survey. */
    sessions?: Map<string, HostSession>;
  },
): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(
    surveys
      .filter((survey) => survey.hostKey !== 'local')
      .map(async (survey) => {
        const disks = survey.disks.filter((disk) => disk.plotFiles !== undefined && disk.problem === null);
        const files = disks.flatMap((disk) =>
          disk
            .plotFiles!.filter((listed) => listed.name.endsWith('.plot2'))
            .map((listed) => ({ disk, path: `${disk.plotsDir}/${listed.name}`, listed })),
        );
        context.cache.forgetMissing(
          survey.hostKey,
          disks.map((disk) => disk.plotsDir),
          new Set(disks.flatMap((disk) => disk.plotFiles!.map((listed) => `${disk.plotsDir}/${listed.name}`))),
        );
        const unseen = files.filter((file) => context.cache.get(survey.hostKey, file.path, file.listed) === undefined);
        const place = targets.find((target) => target.name === disks[0]?.target)?.place;
        if (unseen.length > 0 && place?.kind === 'remote') {
          const problem = await fetchRemoteHeaders(place, survey.hostKey, unseen, context.cache, {
            ...context,
            session: context.sessions?.get(survey.hostKey),
          });
          if (problem !== null)
            problems.push(`${survey.hostKey}: cannot read the headers of its pos2 plots (${problem})`);
        }
        for (const disk of disks) {
          const mine = files.filter((file) => file.disk === disk);
          const heads = mine.map((file) => context.cache.get(survey.hostKey, file.path, file.listed));
          if (heads.some((head) => head === undefined)) continue;
          const groups = { metaGroups: new Set<number>(), groups: new Set<string>() };
          for (const head of heads)
            if (head?.ok && head.header.pos2) {
              groups.metaGroups.add(head.header.pos2.metaGroup);
              groups.groups.add(groupIdentity(head.header)!);
            }
          for (const plot of staged) {
            const identity = disk.partials.has(plot.name) ? context.identityOf(plot) : null;
            if (identity === null) continue;
            groups.groups.add(identity);
            groups.metaGroups.add(Number(identity.split(' ')[1]));
          }
          Object.assign(disk, groups);
        }
      }),
  );
  context.cache.save();
  return problems;
}
