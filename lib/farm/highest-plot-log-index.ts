import fs from 'node:fs';
import { boundedDiskCall, DISK_TIMEOUT_MS } from './disk-space.js';
import { listFarms } from './farm-layout.js';
import { listDisksBounded } from './list-disks-bounded.js';

/**
 * The highest N of any `<farm_root>/<farm>/<disk>/logs/plot.N.log` (or its set-aside copies); 0 for
 * none. Each disk is read with a bound: a dead disk is passed over (its plots cannot be read, so
 * it cannot take this plot either), instead of hanging the tractor that holds the state lock.
 */
export async function highestPlotLogIndex(farmRoot: string, timeoutMs = DISK_TIMEOUT_MS): Promise<number> {
  let highest = 0;
  for (const farm of listFarms(farmRoot)) {
    const disks = await listDisksBounded(farmRoot, farm, timeoutMs);
    const listings = await Promise.all(
      disks
        .filter((disk) => disk.hung === null)
        .map((disk) =>
          boundedDiskCall(disk.logsDir, 'readdir', () => fs.promises.readdir(disk.logsDir), timeoutMs).catch(
            () => [] as string[],
          ),
        ),
    );
    for (const name of listings.flat()) {
      const index = /^plot\.(\d+)\.log/.exec(name)?.[1];
      if (index !== undefined) highest = Math.max(highest, Number(index));
    }
  }
  return highest;
}
