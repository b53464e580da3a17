import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import type { PlotterName } from '../config/value-specs.js';
import { writeStateValue } from '../config/write-value.js';
import { withStateLock } from '../farm/state-lock.js';

// Apart from conclude-plot: a tractor needs these before its plot starts (and a dry run only
// these), while what concludes a plot (the log parsers, the outcome counts) loads after the spawn.

export const EXIT_FINISHED = 0;
export const EXIT_FAILED = 1;
/** Ended by goplot kill: no failure, so 0 as for a finished plot (the loop does not back off). */
export const EXIT_KILLED = 0;

/**
 * bladebit diskplot names its temp files fx_0.tmp, y0_0.tmp…, the same for every plot: it gets a
 * folder of its own inside the temp dir (named by index and tractor pid, unique even if an index
 * repeats), so two plots never share files and a failed one is
 * removed whole. The others name their temp files with the plot id.
 */
export function ownTempDir(plotter: PlotterName, tempDir: string, index: number, tractorPid: number): string {
  return plotter === 'bladebit-disk' ? path.join(tempDir, `goplot-plot-${index}-${tractorPid}`) : tempDir;
}

/** One more failed plot in a row, counted under the state lock so failures at once all count. */
export async function countFailure(paths: HomePaths, config: ConfigReader, now: () => number): Promise<void> {
  await withStateLock(paths, async () => {
    writeStateValue(paths, 'failures', config.get('failures') + 1);
    writeStateValue(paths, 'last_fail', Math.floor(now() / 1000));
  });
}
