import fs from 'node:fs';
import type { ConfigReader } from '../config/config-reader.js';
import { formatDuration } from '../util/format-duration.js';
import type { HomePaths } from '../config/home.js';
import type { Logger } from '../util/logger.js';
import type { PlotEvents, PlotInfo } from '../notify/plot-events.js';
import { parsePlotLog } from '../plot-log/parse-plot-log.js';
import { writeStateValue } from '../config/write-value.js';
import { lastLines, removePlotTempFiles } from '../control/clean-plot-files.js';
import { readKillMarker } from '../control/kill-marker.js';
import { findPlotId } from '../plot-file/find-plot-id.js';
import { releaseReservation } from './release-reservation.js';
import { DEFAULT_JOB, recordPlotOutcome, type PlotEnd } from '../plot-outcomes/plot-outcomes.js';
import { errorMessage } from '../util/error-message.js';
import { countFailure, EXIT_FAILED, EXIT_FINISHED, EXIT_KILLED } from './plot-exit.js';

export interface PlotOutcome {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  config: ConfigReader;
  log: Logger;
  now: () => number;
  events: PlotEvents;
  plot: PlotInfo;
  result: { exitCode: number | null; signal: NodeJS.Signals | null };
  startedMs: number;
  logFile: string;
  tempDirs: string[];
  /** The plot's own temp folder (bladebit diskplot), removed whole at the end. */
  ownTempDir: string | null;
}

/**
 * Says how the plot ended. `chia plotters madmax|bladebit` exits 0 even when the plotter failed,
 * so a plot has finished only when the exit code and the log agree. A failed plot's temporary
 * files go, its failure counts toward the loop's back-off.
 */
export async function concludePlot(o: PlotOutcome): Promise<number> {
  const { plot, result, log } = o;
  const seconds = (o.now() - o.startedMs) / 1000;
  const logText = fs.existsSync(o.logFile) ? fs.readFileSync(o.logFile, 'utf8') : '';
  const parsed = parsePlotLog(logText);
  const logStatus = parsed.status;
  if (o.ownTempDir) fs.rmSync(o.ownTempDir, { recursive: true, force: true });
  if (result.exitCode === 0 && logStatus === 'finished') {
    writeStateValue(o.paths, 'failures', 0);
    log.info(`plot ${plot.index} finished in ${formatDuration(seconds)} (${plot.farm}/${plot.disk})`);
    // its file is on the disk now, counted by a fresh measure: left reserved, tractors run by hand
    // without diskhand saw the disk fill by a whole plot's room at every plot
    await releaseReservation({ paths: o.paths, config: o.config, env: o.env, log, plot });
    await countOutcome(o, {
      job: plot.job ?? DEFAULT_JOB,
      plotter: plot.plotter,
      outcome: 'finished',
      seconds,
      phaseSeconds: parsed.phaseSeconds,
    });
    await o.events.finished(plot, seconds);
    return EXIT_FINISHED;
  }
  const killed = readKillMarker(o.paths, plot.index);
  if (killed !== null) {
    // goplot kill wrote the marker before its signal and removes the plot's files itself
    log.info(
      `plot ${plot.index} ended on request (goplot kill by ${killed.by}) after ${formatDuration(seconds)}; not counted as a failure`,
    );
    await o.events.killed(plot, killed.by, seconds);
    return EXIT_KILLED;
  }
  const how = result.signal
    ? `killed by ${result.signal}`
    : result.exitCode === 0
      ? `exit code 0 but its log shows no finished plot (${logStatus})`
      : `exit code ${result.exitCode}`;
  const tail = lastLines(o.logFile, 10);
  log.error(
    `plot ${plot.index} failed: ${how} after ${formatDuration(seconds)}; last lines of ${o.logFile}: ${tail.join(' | ')}`,
  );
  const plotId = findPlotId(logText);
  if (plotId) {
    const removed = removePlotTempFiles([...o.tempDirs, plot.destDir], plotId);
    log.info(
      `plot ${plot.index}: removed ${removed.length} temporary file${removed.length === 1 ? '' : 's'} of plot id ${plotId.slice(0, 12)}…`,
    );
  } else if (!o.ownTempDir) {
    log.warn(`plot ${plot.index}: no plot id in its log, so no temporary files were removed`);
  }
  if (o.ownTempDir) log.info(`plot ${plot.index}: removed its temp folder ${o.ownTempDir}`);
  await releaseReservation({ paths: o.paths, config: o.config, env: o.env, log, plot });
  await countFailure(o.paths, o.config, o.now);
  await countOutcome(o, { job: plot.job ?? DEFAULT_JOB, plotter: plot.plotter, outcome: 'failed', seconds });
  await o.events.failed(plot, result.signal ? null : result.exitCode, seconds);
  return EXIT_FAILED;
}

/** The plot's end counted for the metrics; a count that cannot be kept is logged, the plot's end goes on. */
async function countOutcome(o: PlotOutcome, outcome: PlotEnd): Promise<void> {
  try {
    const problem = await recordPlotOutcome(o.paths, outcome, o.now);
    if (problem) o.log.warn(problem);
  } catch (error) {
    o.log.error(
      `plot ${o.plot.index}: cannot count its ${outcome.outcome} plot for the metrics: ${errorMessage(error)}`,
    );
  }
}
