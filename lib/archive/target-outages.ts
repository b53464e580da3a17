import fs from 'node:fs';
import path from 'node:path';
import type { NotifyEventKind } from '../notify/targets.js';
import { archiveStateDir } from './archive-state.js';
import type { HomePaths } from '../config/home.js';

export type TargetCondition = 'down' | 'full';

export interface TargetNews {
  kind: NotifyEventKind;
  target: string;
  text: string;
  level: 'warn' | 'info';
}

function marker(paths: HomePaths, condition: TargetCondition, target: string): string {
  return path.join(archiveStateDir(paths), `${condition}.${encodeURIComponent(target)}`);
}

/**
 * Once per outage, across passes and restarts: the first pass that finds a target down (or
 * full) creates its marker file and tells; later passes find the marker and stay quiet; the
 * first pass that finds it well again removes the marker and says so. O_EXCL makes "first"
 * exact even for two processes.
 */
export function noteCondition(
  paths: HomePaths,
  condition: TargetCondition,
  target: string,
  present: boolean,
  why: string,
): TargetNews | null {
  const file = marker(paths, condition, target);
  if (present) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${new Date().toISOString()} ${why}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    }
    return condition === 'down'
      ? {
          kind: 'archive_target_down',
          target,
          level: 'warn',
          text: `archive target ${target} is unreachable: ${why}; its plots wait (said once until it answers)`,
        }
      : {
          kind: 'archive_target_full',
          target,
          level: 'warn',
          text: `archive target ${target} is full: ${why} (said once until it has room)`,
        };
  }
  try {
    fs.unlinkSync(file);
  } catch {
    return null;
  }
  return condition === 'down'
    ? { kind: 'archive_target_up', target, level: 'info', text: `archive target ${target} answers again` }
    : { kind: 'archive_target_up', target, level: 'info', text: `archive target ${target} has room again` };
}

export function isMarked(paths: HomePaths, condition: TargetCondition, target: string): boolean {
  return fs.existsSync(marker(paths, condition, target));
}
