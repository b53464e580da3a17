import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { readDiskState } from '../farm/disk-state.js';
import { findWriteProblem, readDiskSpace, type SpaceMethod } from '../farm/disk-space.js';
import { listDisks, listFarms } from '../farm/farm-layout.js';
import { isMountPoint, type MountPoints } from '../farm/mount-points.js';
import { heldByClaims } from '../replot/room-claims.js';
import type { ArchiveTarget } from './archive-targets.js';
import { readLocalGroups } from './disk-groups.js';
import { PARTIAL_SUFFIX, type HostSurvey, type TargetDisk } from './target-disk.js';
import { errorMessage } from '../util/error-message.js';

export interface LocalSurveyOptions {
  paths: HomePaths;
  farmRoot: string;
  /** Staging farms and disks: never a target on this host, or plots would go round in circles. */
  isStaging: (farm: string, disk: string) => boolean;
  requireMount: boolean;
  mounts: MountPoints;
  spaceMethod: SpaceMethod;
  timeoutMs: number;
}

function readPartials(plotsDir: string): Map<string, number> {
  const partials = new Map<string, number>();
  let names: string[];
  try {
    names = fs.readdirSync(plotsDir).filter((name) => name.endsWith(PARTIAL_SUFFIX));
  } catch {
    return partials;
  }
  for (const name of names) {
    try {
      partials.set(name.slice(0, -'.partial'.length), fs.statSync(path.join(plotsDir, name)).size);
    } catch {
      // gone meanwhile
    }
  }
  return partials;
}

/**
 * This host's target disks, judged as the tractor judges a destination: both plots/ and logs/,
 * a mount point when require_mount is yes, writable, not `off` in its diskhand state (farm_root
 * only: another root has no state files), and its space.
 */
export async function surveyLocalTargets(targets: ArchiveTarget[], options: LocalSurveyOptions): Promise<HostSurvey> {
  const disks: TargetDisk[] = [];
  for (const target of targets) {
    if (target.place.kind !== 'local') continue;
    const root = target.place.root ?? options.farmRoot;
    const isFarmRoot = path.resolve(root) === path.resolve(options.farmRoot);
    for (const farm of listFarms(root)) {
      for (const disk of listDisks(root, farm)) {
        if (isFarmRoot && options.isStaging(farm, disk.disk)) continue;
        if (!disk.complete) continue;
        let problem: string | null = null;
        let space = { totalBytes: 0, freeBytes: 0 };
        if (isFarmRoot && readDiskState(options.paths, farm, disk.disk).kind === 'off') problem = 'off';
        else if (options.requireMount && !isMountPoint(disk.dir, options.mounts)) problem = 'unmounted';
        else {
          try {
            const writeProblem = await findWriteProblem(disk.plotsDir, options.mounts, {
              timeoutMs: options.timeoutMs,
            });
            if (writeProblem !== null) problem = 'read-only';
            else space = await readDiskSpace(disk.dir, options.spaceMethod, { timeoutMs: options.timeoutMs });
          } catch (error) {
            problem = `unreadable: ${errorMessage(error)}`;
          }
        }
        disks.push({
          target: target.name,
          hostKey: target.hostKey,
          farm,
          disk: disk.disk,
          plotsDir: disk.plotsDir,
          problem,
          totalBytes: space.totalBytes,
          // room a tractor's plot was promised for its final write (replot's claims) is not free
          freeBytes: Math.max(
            0,
            space.freeBytes -
              (isFarmRoot ? heldByClaims(options.paths, farm, disk.disk, disk.plotsDir, undefined).kib * 1024 : 0),
          ),
          partials: readPartials(disk.plotsDir),
          ...(problem === null ? readLocalGroups(disk.plotsDir) : { metaGroups: new Set(), groups: new Set() }),
        });
      }
    }
  }
  return { hostKey: 'local', ok: true, disks };
}
