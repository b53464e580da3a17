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
  const harvesterlog = new HarvesterlogRun(options);
  await harvesterlog.start();
  return harvesterlog;
}

/**
 * One run's state: the file followed (chia_log may change while it runs), the status last judged,
 * and whether the .prom file needs writing. Lines and follow events mark it dirty; a tick, one at a
 * time, judges status and writes.
 */
class HarvesterlogRun implements Harvesterlog {
  readonly metrics = new HarvesterMetrics();
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly config: ConfigReader;
  private readonly heartbeatMs: number;
  private logFile: string;
  private follower: LogFollower;
  private timer: NodeJS.Timeout | undefined;
  private up = false;
  private collecting = false;
  private dirty = true;
  private lastWriteMs = 0;
  private lastWriteProblem = '';
  private writing: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: HarvesterlogOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? createLogger(options.paths, 'harvesterlog', 'harvesterlog.log');
    this.config = new ConfigReader(options.paths, configLogSink(this.logger), options.env ?? process.env);
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.logFile = this.config.get('chia_log');
    this.logger.info(
      `start: following ${this.logFile}${options.fromStart ? ' from its start' : ''}, writing ${PROM_NAME}.prom every second at most`,
    );
    this.follower = this.follow(options.fromStart);
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => void this.runTick(), this.options.tickMs ?? 1000);
    await this.runTick();
  }

  async flush(): Promise<void> {
    await this.follower.drain();
    await this.writing;
    this.dirty = true;
    await this.runTick();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.writing;
    await this.follower.close();
    if (this.options.ownsHome && !this.options.ownsHome()) {
      this.logger.warn(`stop: another harvesterlog owns this home now; left ${PROM_NAME}.prom to it`);
      return;
    }
    await this.write(true);
    this.logger.info(
      `stop: wrote ${PROM_NAME}.prom a last time with farm_harvester_status 0 (no one watches the log now)`,
    );
  }

  private follow(fromStart?: boolean): LogFollower {
    return followLogFile({
      file: this.logFile,
      fromStart,
      pollMs: this.options.pollMs,
      onLines: (chunk) => this.onLines(chunk),
      onEvent: (event) => this.onEvent(event),
    });
  }

  private onLines(chunk: Buffer): void {
    const { metrics, logger } = this;
    recordHarvesterChunk(chunk, metrics, this.now(), (reason, text) => {
      if (metrics.unparsed > UNPARSED_LOGGED) return;
      const more =
        metrics.unparsed === UNPARSED_LOGGED
          ? ' (further ones are only counted in farm_harvester_unparsed_lines_total)'
          : '';
      logger.warn(`skipped a harvester line: ${toUtf8(reason)}${more}: ${toUtf8(text.slice(0, 300))}`);
    });
    this.dirty = true;
  }

  private onEvent(event: FollowEvent): void {
    const message = describeFollowEvent(event);
    if (event.kind === 'following') this.logger.info(message);
    else this.logger.warn(message);
    this.dirty = true;
  }

  /** Runs one tick at a time; one asked for during a tick shares it. */
  private runTick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.writing ??= this.tick()
      .catch((error: unknown) => this.logger.error(`tick failed: ${errorMessage(error)}`))
      .finally(() => {
        this.writing = null;
      });
    return this.writing;
  }

  private async tick(): Promise<void> {
    await this.switchLogIfChanged();
    this.judgeStatus();
    if (this.dirty || this.now() - this.lastWriteMs >= this.heartbeatMs) await this.write();
  }

  private async switchLogIfChanged(): Promise<void> {
    const wanted = this.config.get('chia_log');
    if (wanted === this.logFile) return;
    this.logger.info(`chia_log changed from ${this.logFile} to ${wanted}: following the new file from its end`);
    await this.follower.close();
    this.logFile = wanted;
    this.follower = this.follow();
  }

  private judgeStatus(): void {
    const thresholdSeconds = this.config.get('harvester_threshold');
    const nowUp = this.metrics.isUp(this.now(), thresholdSeconds);
    if (nowUp !== this.up) {
      this.up = nowUp;
      this.dirty = true;
      this.statusChanged(thresholdSeconds);
    }
    if (this.follower.following !== this.collecting) {
      this.collecting = this.follower.following;
      this.dirty = true;
    }
  }

  private statusChanged(thresholdSeconds: number): void {
    const { up, logFile } = this;
    const info: HarvesterStatusInfo = {
      logFile,
      thresholdSeconds,
      lastEligibleAt: this.metrics.lastChallengeArrivalMs,
    };
    if (up) this.logger.info(`harvester up: eligible lines arrive in ${logFile}`);
    else this.logger.warn(`harvester down: no eligible line in ${logFile} for over ${thresholdSeconds} s`);
    try {
      this.options.onStatusChange?.(up, info);
    } catch (error) {
      this.logger.error(`onStatusChange failed: ${errorMessage(error)}`);
    }
  }

  /** Writes the .prom file; a failure is logged once and leaves the file dirty, so the next tick retries. */
  private async write(final = false): Promise<void> {
    const promDir = this.config.get('prom_dir');
    const status = final ? { up: false, collecting: false } : { up: this.up, collecting: this.collecting };
    this.metrics.updateForWrite(status, this.now());
    this.dirty = false;
    this.lastWriteMs = this.now();
    try {
      await writePromFile(promDir, PROM_NAME, this.metrics.registry);
      if (this.lastWriteProblem) this.logger.info(`writing ${promDir}/${PROM_NAME}.prom works again`);
      this.lastWriteProblem = '';
    } catch (error) {
      const problem = `cannot write ${promDir}/${PROM_NAME}.prom: ${errorMessage(error)}; retrying every second`;
      if (problem !== this.lastWriteProblem) this.logger.error(problem);
      this.lastWriteProblem = problem;
      this.dirty = true;
    }
  }
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
