import os from 'node:os';
import type { ConfigReader } from '../config/config-reader.js';
import { createAnnotationsClient, type AnnotationsClient, type PlotEndTag } from '../grafana/annotations.js';
import type { HomePaths } from '../config/home.js';
import { readSecret } from '../config/read-secret.js';
import { createOutageTracker, type OutageLog } from '../util/outage.js';
import { createNotifier, DEFAULT_HTTP_TIMEOUT_MS, notifyStateDir, type NotifyOutcome } from './send.js';
import type { NotifyEventKind } from './targets.js';

export interface PlotInfo {
  index: number;
  farm: string;
  disk: string;
  tempDir: string;
  destDir: string;
  plotter: string;
  k: number;
  pid: number;
  /** A named job's plot is tagged `job:<name>` in Grafana; absent for the implicit job. */
  job?: string;
}

/** The Grafana tags that name a plot's job. */
export function jobTags(plot: PlotInfo): string[] {
  return plot.job === undefined ? [] : [`job:${plot.job}`];
}

export interface PlotEvents {
  /** Call right after spawning the plotter; returns at once, the requests go on in the background. */
  started(plot: PlotInfo): void;
  /** Closes the Grafana region and notifies; never rejects, settles within `boundMs`. */
  finished(plot: PlotInfo, totalSeconds: number): Promise<void>;
  failed(plot: PlotInfo, exitCode: number | null, totalSeconds: number): Promise<void>;
  /** Ended by goplot kill: the region closes as plot_end tagged `killed`; no notification (the farmer asked). */
  killed(plot: PlotInfo, by: string, totalSeconds: number): Promise<void>;
  /** For diskhand and harvesterlog: disk_full, disk_unmounted, harvester_down, harvester_up. */
  notifyEvent(kind: NotifyEventKind, subject: string, text: string): Promise<NotifyOutcome>;
  /** The longest finished/failed/notifyEvent take: callers need not add their own bound. */
  readonly boundMs: number;
}

export interface PlotEventsOptions {
  paths: HomePaths;
  config: Pick<ConfigReader, 'get'>;
  log: OutageLog;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds since the epoch. */
  now?: () => number;
  host?: string;
  /** Per HTTP request; default 2 s (GOPLOT_HTTP_TIMEOUT_MS overrides, for tests and slow links). */
  timeoutMs?: number;
}

/**
 * The one object the tractor talks to about a plot's life: a Grafana region per plot and the
 * notifications. Nothing here may delay or fail a plot: requests are bounded, errors are logged
 * once per outage (a marker file under logs/.notify/), and every promise resolves.
 */
export function createPlotEvents(options: PlotEventsOptions): PlotEvents {
  return new PlotEventsSender(options);
}

/** What plot_end or plot_fail sends when a plot ends: the region's tag, the notification (none for a kill), the text. */
interface PlotEnd {
  tag: PlotEndTag;
  kind: NotifyEventKind | null;
  text: string;
  extraTags?: string[];
}

/** Holds the open Grafana regions (plot index -> start and the pending region id) between a plot's start and end. */
class PlotEventsSender implements PlotEvents {
  readonly boundMs: number;
  private readonly paths: HomePaths;
  private readonly config: Pick<ConfigReader, 'get'>;
  private readonly log: OutageLog;
  private readonly now: () => number;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly outages: ReturnType<typeof createOutageTracker>;
  private readonly notifier: ReturnType<typeof createNotifier>;
  private readonly regions = new Map<number, { startMs: number; id: Promise<number | null> }>();

  constructor(options: PlotEventsOptions) {
    const { paths, config, log } = options;
    const env = options.env ?? process.env;
    this.paths = paths;
    this.config = config;
    this.log = log;
    this.now = options.now ?? Date.now;
    this.host = options.host ?? os.hostname();
    this.timeoutMs = options.timeoutMs ?? timeoutFromEnv(env) ?? DEFAULT_HTTP_TIMEOUT_MS;
    // Start request + end request run one after the other; notifications run beside them.
    this.boundMs = 2 * this.timeoutMs + 500;
    this.outages = createOutageTracker(notifyStateDir(paths), log);
    const { now, host, timeoutMs } = this;
    this.notifier = createNotifier({
      paths,
      log,
      env,
      now,
      host,
      timeoutMs,
      gapSeconds: () => config.get('notify_gap'),
    });
  }

  started(plot: PlotInfo): void {
    try {
      const text = startedText(plot, this.host);
      const startMs = this.now();
      const client = this.annotations();
      const id = client ? client.start(startMs, text, jobTags(plot)) : Promise.resolve(null);
      this.regions.set(plot.index, { startMs, id });
      void this.notifier.notify('plot_started', `plot ${plot.index}`, text);
    } catch (error) {
      this.log.warn(`plot ${plot.index}: plot_start event not sent: ${String(error)}`);
    }
  }

  finished(plot: PlotInfo, totalSeconds: number): Promise<void> {
    const text = `plot ${plot.index} finished on ${this.host} in ${showDuration(totalSeconds)} (${plot.farm}/${plot.disk})`;
    return this.end(plot, totalSeconds, { tag: 'plot_end', kind: 'plot_finished', text });
  }

  failed(plot: PlotInfo, exitCode: number | null, totalSeconds: number): Promise<void> {
    const how = exitCode === null ? 'was killed' : `exited with code ${exitCode}`;
    const text = `plot ${plot.index} failed on ${this.host}: plotter ${how} after ${showDuration(totalSeconds)} (${plot.farm}/${plot.disk})`;
    return this.end(plot, totalSeconds, { tag: 'plot_fail', kind: 'plot_failed', text });
  }

  killed(plot: PlotInfo, by: string, totalSeconds: number): Promise<void> {
    const text = `plot ${plot.index} ended on request on ${this.host} (by ${by}) after ${showDuration(totalSeconds)} (${plot.farm}/${plot.disk})`;
    return this.end(plot, totalSeconds, { tag: 'plot_end', kind: null, text, extraTags: ['killed'] });
  }

  notifyEvent(kind: NotifyEventKind, subject: string, text: string): Promise<NotifyOutcome> {
    return bounded(this.notifier.notify(kind, subject, text), this.boundMs, { sent: [], failed: [], skipped: 'busy' });
  }

  private async end(plot: PlotInfo, totalSeconds: number, ending: PlotEnd): Promise<void> {
    await bounded(
      this.sendEnd(plot, totalSeconds, ending).catch((error: unknown) =>
        this.log.warn(`plot ${plot.index}: ${ending.tag} event not sent: ${String(error)}`),
      ),
      this.boundMs,
      undefined,
    );
  }

  /** Closes the plot's region and sends its notification side by side. */
  private async sendEnd(
    plot: PlotInfo,
    totalSeconds: number,
    { tag, kind, text, extraTags = [] }: PlotEnd,
  ): Promise<void> {
    const region = this.regions.get(plot.index);
    this.regions.delete(plot.index);
    const client = this.annotations();
    const endMs = this.now();
    // A tractor that did not see the start (restarted) still draws the region from the plot's run time.
    const startMs = region?.startMs ?? endMs - Math.max(0, Math.round(totalSeconds * 1000));
    const closing = client
      ? (async () =>
          client.end(region ? await region.id : null, startMs, endMs, tag, text, [...jobTags(plot), ...extraTags]))()
      : Promise.resolve(false);
    await Promise.all([closing, kind === null ? null : this.notifier.notify(kind, `plot ${plot.index}`, text)]);
  }

  /** Read at each event, so a grafana_url set while the tractor runs takes effect. */
  private annotations(): AnnotationsClient | null {
    const url = this.config.get('grafana_url');
    if (!url) return null;
    const token = readSecret(this.paths, 'grafana_token', this.log);
    return createAnnotationsClient({ url, token, host: this.host, timeoutMs: this.timeoutMs, outages: this.outages });
  }
}

function startedText(plot: PlotInfo, host: string): string {
  const forJob = plot.job === undefined ? '' : ` for job ${plot.job}`;
  return `plot ${plot.index} started on ${host}${forJob}: ${plot.plotter} k${plot.k}, temp ${plot.tempDir}, destination ${plot.destDir} (pid ${plot.pid})`;
}

function timeoutFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const value = Number(env.GOPLOT_HTTP_TIMEOUT_MS);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** Resolves with the work's result, or with `fallback` when it takes longer than `ms`. */
function bounded<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function showDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m ${String(s).padStart(2, '0')}s` : `${s}s`;
}
