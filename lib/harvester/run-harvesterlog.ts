import { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { configLogSink, createLogger, type Logger } from '../util/logger.js';
import { writePromFile } from '../metrics/write-prom-file.js';
import { followLogFile, type FollowEvent, type LogFollower } from './follow-log-file.js';
import { HarvesterMetrics } from './harvester-metrics.js';
import { recordHarvesterChunk } from './record-harvester-chunk.js';
import { toUtf8 } from './scan-harvester-lines.js';
import { errorMessage } from '../util/error-message.js';

export const PROM_NAME = 'harvesterlog';
/** Unparsed lines are logged with their text this many times, then only counted. */
const UNPARSED_LOGGED = 5;

export interface HarvesterStatusInfo {
  logFile: string;
  thresholdSeconds: number;
  /** Unix ms of the last eligible line's arrival, null if none arrived since the start. */
  lastEligibleAt: number | null;
}

export interface HarvesterlogOptions {
  paths: HomePaths;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Read an existing chia_log from its start (backfill) instead of its end. */
  fromStart?: boolean;
  logger?: Logger;
  /** How often status is judged and the file may be written. */
  tickMs?: number;
  /** The file is rewritten at least this often, so node_textfile_mtime_seconds shows harvesterlog is alive. */
  heartbeatMs?: number;
  pollMs?: number;
  /**
   * Whether this instance still owns the home (its pid file): one that no longer does leaves
   * the file to the owner when it stops, instead of writing status 0 over a running harvesterlog.
   */
  ownsHome?: () => boolean;
  /** Called on each harvester up/down transition (for notifications). */
  onStatusChange?: (up: boolean, info: HarvesterStatusInfo) => void;
}

export interface Harvesterlog {
  readonly metrics: HarvesterMetrics;
  /** Reads what has been written so far and writes the .prom file now. */
  flush(): Promise<void>;
  /** Writes the file a last time, with status and success 0 (no one is watching any more), and stops. */
  stop(): Promise<void>;
}

/**
 * harvesterlog: follows chia's debug.log and keeps `<prom_dir>/harvesterlog.prom` current.
 * Every line is read (goplot's script slept 7 s after each eligible line and missed those in
 * between); status is judged on a timer, so it falls to 0 on time when no line comes at all.
 */
export async function startHarvesterlog(options: HarvesterlogOptions): Promise<Harvesterlog> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger(options.paths, 'harvesterlog', 'harvesterlog.log');
  const config = new ConfigReader(options.paths, configLogSink(logger), options.env ?? process.env);
  const metrics = new HarvesterMetrics();
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  let up = false;
  let collecting = false;
  let dirty = true;
  let lastWriteMs = 0;
  let lastWriteProblem = '';
  let writing: Promise<void> | null = null;
  let stopped = false;

  const onLines = (chunk: Buffer): void => {
    const arrivalMs = now();
    recordHarvesterChunk(chunk, metrics, arrivalMs, (reason, text) => {
      if (metrics.unparsed > UNPARSED_LOGGED) return;
      const more =
        metrics.unparsed === UNPARSED_LOGGED
          ? ' (further ones are only counted in farm_harvester_unparsed_lines_total)'
          : '';
      logger.warn(`skipped a harvester line: ${toUtf8(reason)}${more}: ${toUtf8(text.slice(0, 300))}`);
    });
    dirty = true;
  };

  const onEvent = (event: FollowEvent): void => {
    const message = describeFollowEvent(event);
    if (event.kind === 'following') logger.info(message);
    else logger.warn(message);
    dirty = true;
  };

  let logFile = config.get('chia_log');
  logger.info(
    `start: following ${logFile}${options.fromStart ? ' from its start' : ''}, writing ${PROM_NAME}.prom every second at most`,
  );
  let follower: LogFollower = followLogFile({
    file: logFile,
    fromStart: options.fromStart,
    pollMs: options.pollMs,
    onLines,
    onEvent,
  });

  const judgeStatus = (): void => {
    const thresholdSeconds = config.get('harvester_threshold');
    const nowUp = metrics.isUp(now(), thresholdSeconds);
    if (nowUp !== up) {
      up = nowUp;
      dirty = true;
      const info: HarvesterStatusInfo = { logFile, thresholdSeconds, lastEligibleAt: metrics.lastChallengeArrivalMs };
      if (up) logger.info(`harvester up: eligible lines arrive in ${logFile}`);
      else logger.warn(`harvester down: no eligible line in ${logFile} for over ${thresholdSeconds} s`);
      try {
        options.onStatusChange?.(up, info);
      } catch (error) {
        logger.error(`onStatusChange failed: ${errorMessage(error)}`);
      }
    }
    if (follower.following !== collecting) {
      collecting = follower.following;
      dirty = true;
    }
  };

  const write = async (final = false): Promise<void> => {
    const promDir = config.get('prom_dir');
    metrics.updateForWrite(final ? { up: false, collecting: false } : { up, collecting }, now());
    dirty = false;
    lastWriteMs = now();
    try {
      await writePromFile(promDir, PROM_NAME, metrics.registry);
      if (lastWriteProblem) logger.info(`writing ${promDir}/${PROM_NAME}.prom works again`);
      lastWriteProblem = '';
    } catch (error) {
      const problem = `cannot write ${promDir}/${PROM_NAME}.prom: ${errorMessage(error)}; retrying every second`;
      if (problem !== lastWriteProblem) logger.error(problem);
      lastWriteProblem = problem;
      dirty = true;
    }
  };

  const switchLogIfChanged = async (): Promise<void> => {
    const wanted = config.get('chia_log');
    if (wanted === logFile) return;
    logger.info(`chia_log changed from ${logFile} to ${wanted}: following the new file from its end`);
    await follower.close();
    logFile = wanted;
    follower = followLogFile({ file: logFile, pollMs: options.pollMs, onLines, onEvent });
  };

  const tick = async (): Promise<void> => {
    await switchLogIfChanged();
    judgeStatus();
    if (dirty || now() - lastWriteMs >= heartbeatMs) await write();
  };

  const runTick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    writing ??= tick()
      .catch((error: unknown) => logger.error(`tick failed: ${errorMessage(error)}`))
      .finally(() => {
        writing = null;
      });
    return writing;
  };

  const timer = setInterval(() => void runTick(), options.tickMs ?? 1000);
  await runTick();

  return {
    metrics,
    async flush() {
      await follower.drain();
      await writing;
      dirty = true;
      await runTick();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await writing;
      await follower.close();
      if (options.ownsHome && !options.ownsHome()) {
        logger.warn(`stop: another harvesterlog owns this home now; left ${PROM_NAME}.prom to it`);
        return;
      }
      await write(true);
      logger.info(
        `stop: wrote ${PROM_NAME}.prom a last time with farm_harvester_status 0 (no one watches the log now)`,
      );
    },
  };
}

function describeFollowEvent(event: FollowEvent): string {
  switch (event.kind) {
    case 'following':
      return event.position === 0
        ? `following ${event.file} from its start`
        : `following ${event.file} from its end (byte ${event.position})`;
    case 'missing':
      return `${event.file}: missing; waiting for it to appear (status falls to 0 after harvester_threshold)`;
    case 'unreadable':
      return `${event.file}: cannot read (${event.problem}); retrying`;
    case 'rotated':
      return `${event.file}: rotated or removed; read the old file to its end (${event.oldBytesRead} bytes); the new file is read from its start`;
    case 'truncated':
      return `${event.file}: truncated to ${event.size} bytes (was read to byte ${event.position}); reading from the start`;
    case 'overlong-line':
      return `${event.file}: dropped a line longer than ${event.bytes} bytes without a newline`;
  }
}
