import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { evaluateDisk } from '../farm/evaluate-disk.js';
import { formatDiskState, readDiskState, writeDiskState } from '../farm/disk-state.js';
import { listDisksBounded } from '../farm/list-disks-bounded.js';
import { mountinfoPathFrom, readMountPoints } from '../farm/mount-points.js';
import { committedKiB } from '../farm/plot-size.js';
import { plotterCommandNames, readRunningPlots } from '../farm/process-table.js';
import { LOCKED_READ_MS, withStateLock } from '../farm/state-lock.js';
import type { Logger } from '../util/logger.js';
import { replotCreditFor } from '../replot/replot-candidates.js';

export interface ReleaseOptions {
  paths: HomePaths;
  config: ConfigReader;
  env: NodeJS.ProcessEnv;
  log: Logger;
  plot: { index: number; farm: string; disk: string };
}

/**
 * A failed plot gives its disk's room back at once: the disk is measured again as diskhand would,
 * under the state lock, with the failed plotter gone from /proc. Left to diskhand, quick failures
 * in a row (a plotter that dies at once) would mark every disk full within minutes. A disk that is
 * off, unmounted, or does not answer is left for diskhand.
 */
export async function releaseReservation(o: ReleaseOptions): Promise<void> {
  const { paths, config, plot } = o;
  const farmRoot = config.get('farm_root');
  const timeoutMs = Math.min(config.get('disk_timeout') * 1000, LOCKED_READ_MS);
  const disk = (await listDisksBounded(farmRoot, plot.farm, timeoutMs)).find(
    (candidate) => candidate.disk === plot.disk,
  );
  if (disk === undefined || disk.hung !== null) return;
  await withStateLock(paths, async () => {
    const before = readDiskState(paths, plot.farm, plot.disk);
    if (before.kind !== 'number' && before.kind !== 'full') return;
    let mounts;
    try {
      mounts = readMountPoints(mountinfoPathFrom(o.env));
    } catch {
      return;
    }
    const runningPlots = readRunningPlots({
      farmRoot,
      tempRoot: config.get('temp_root'),
      commandNames: plotterCommandNames(config),
    });
    const result = await evaluateDisk(disk, {
      requireMount: config.get('require_mount') === 'yes',
      mounts,
      spaceMethod: config.get('disk_space'),
      runningPlots,
      plotKiB: committedKiB(config.get('k'), config.get('compression')),
      timeoutMs,
      // a replot disk is full only when its old plots cannot make the room: measured without
      // them, it read full after every plot until diskhand's next run, and the loop sat idle
      replotCredit: replotCreditFor(paths, config),
    });
    if (result.kind !== 'measured') return;
    writeDiskState(paths, plot.farm, plot.disk, result.state);
    const now = formatDiskState(result.state);
    o.log.info(
      `plot ${plot.index}: released its reservation on ${plot.farm}/${plot.disk}: ${formatDiskState(before)} -> ${now}${result.state.kind === 'number' ? ' KiB' : ''} (measured again, ${result.plots} other plot${result.plots === 1 ? '' : 's'} running there)`,
    );
  });
}
