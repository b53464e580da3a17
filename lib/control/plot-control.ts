import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { readDiskState, writeDiskState } from '../farm/disk-state.js';
import { plotCommittedKiB } from '../farm/plot-size.js';
import type { HomePlot as RunningPlot } from '../farm/plot-scope.js';
import { withStateLock } from '../farm/state-lock.js';
import { DEFAULT_JOB } from '../jobs/home-jobs.js';
import { readHomeRunningPlots } from '../farm/plot-scope.js';
import { removePlotTempFiles } from './clean-plot-files.js';
import { findPlotId } from '../plot-file/find-plot-id.js';
import { writeKillMarker } from './kill-marker.js';
import { isRunning, signalTree } from './plot-processes.js';

export type FoundPlot = { ok: true; plot: RunningPlot } | { ok: false; message: string };

export function findRunningPlot(config: ConfigReader, index: number): FoundPlot {
  const plot = readHomeRunningPlots(config).find((running) => running.index === index);
  if (plot) return { ok: true, plot };
  return { ok: false, message: `no running plot ${index} in this home (goplot status lists them)` };
}

/** `user` or `user via sudo (root)`, and the pid: who is named in the log. */
export function describeRequester(env: NodeJS.ProcessEnv): string {
  const user = os.userInfo().username;
  const sudo = env.SUDO_USER && env.SUDO_USER !== user ? ` via sudo as ${user}` : '';
  return `${env.SUDO_USER && sudo ? env.SUDO_USER : user}${sudo} (pid ${process.pid})`;
}

export function describePlot(plot: RunningPlot): string {
  return `plot ${plot.index} (pid ${plot.pid}, job ${plot.job ?? DEFAULT_JOB}, ${plot.plotter} k${plot.k}, dest ${plot.farm ?? '?'}/${plot.disk ?? '?'})`;
}

/** bladebit diskplot's own temp folder, named by the tractor for this index (goplot-plot-<index>-<tractor pid>). */
function ownTempFolder(plot: RunningPlot): string | null {
  const dir = plot.tempDir;
  return dir !== null && new RegExp(`^goplot-plot-${plot.index}-\\d+$`).test(path.basename(dir)) ? dir : null;
}

export interface KillResult {
  removed: string[];
  released: boolean;
  lines: string[];
}

/**
 * Ends one plot on request: the marker first (its tractor then counts no failure), SIGTERM to the
 * plotter's process tree, SIGKILL after `graceMs`, then its temp files and partial final file
 * (only names holding its plot id and ending .tmp, in its own dirs), then its disk reservation.
 */
export async function killPlot(paths: HomePaths, plot: RunningPlot, by: string, graceMs = 10_000): Promise<KillResult> {
  if (plot.index === null)
    throw new Error(`plot pid ${plot.pid} has no index (not started by goplot): kill it yourself`);
  const lines: string[] = [];
  writeKillMarker(paths, { index: plot.index, by, requestedAtMs: Date.now() });
  signalTree(plot.pid, 'SIGCONT'); // a suspended plot cannot act on SIGTERM
  signalTree(plot.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(plot.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isRunning(plot.pid)) {
    signalTree(plot.pid, 'SIGKILL');
    lines.push(`plot ${plot.index} did not end on SIGTERM within ${graceMs / 1000} s: SIGKILL sent`);
    while (isRunning(plot.pid)) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const logText = plot.logFile && fs.existsSync(plot.logFile) ? fs.readFileSync(plot.logFile, 'utf8') : '';
  const plotId = findPlotId(logText);
  const dirs = [plot.tempDir, plot.temp2Dir, plot.destDir].filter((dir): dir is string => dir !== null);
  const removed = plotId ? removePlotTempFiles(dirs, plotId) : [];
  const own = ownTempFolder(plot);
  if (own) {
    fs.rmSync(own, { recursive: true, force: true });
    removed.push(own);
  }
  if (!plotId && !own) lines.push(`plot ${plot.index}: no plot id in its log yet, so no temporary files were removed`);
  const released =
    plot.farm !== null && plot.disk !== null
      ? await releaseReservation(paths, plot.farm, plot.disk, plotCommittedKiB(plot))
      : false;
  return { removed, released, lines };
}

/** Takes the plot's final size off its disk's number (diskhand recounts on its next run anyway). */
async function releaseReservation(paths: HomePaths, farm: string, disk: string, kib: number): Promise<boolean> {
  return withStateLock(paths, async () => {
    const state = readDiskState(paths, farm, disk);
    if (state.kind !== 'number') return false;
    return writeDiskState(paths, farm, disk, { kind: 'number', kib: Math.max(0, state.kib - kib) });
  });
}
