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
  const { paths, config, log } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const host = options.host ?? os.hostname();
  const timeoutMs = options.timeoutMs ?? timeoutFromEnv(env) ?? DEFAULT_HTTP_TIMEOUT_MS;
  // Start request + end request run one after the other; notifications run beside them.
  const boundMs = 2 * timeoutMs + 500;
  const outages = createOutageTracker(notifyStateDir(paths), log);
  const notifier = createNotifier({
    paths,
    log,
    env,
    now,
    host,
    timeoutMs,
    gapSeconds: () => config.get('notify_gap'),
  });
  const regions = new Map<number, { startMs: number; id: Promise<number | null> }>();

  const annotations = (): AnnotationsClient | null => {
    const url = config.get('grafana_url');
    if (!url) return null;
    return createAnnotationsClient({ url, token: readSecret(paths, 'grafana_token', log), host, timeoutMs, outages });
  };

  const notifyEvent = (kind: NotifyEventKind, subject: string, text: string): Promise<NotifyOutcome> =>
    bounded(notifier.notify(kind, subject, text), boundMs, { sent: [], failed: [], skipped: 'busy' });

  const end = async (
    plot: PlotInfo,
    totalSeconds: number,
    tag: PlotEndTag,
    kind: NotifyEventKind | null,
    text: string,
    extraTags: string[] = [],
  ): Promise<void> => {
    const work = async () => {
      const region = regions.get(plot.index);
      regions.delete(plot.index);
      const client = annotations();
      const endMs = now();
      // A tractor that did not see the start (restarted) still draws the region from the plot's run time.
      const startMs = region?.startMs ?? endMs - Math.max(0, Math.round(totalSeconds * 1000));
      const closing = client
        ? (async () =>
            client.end(region ? await region.id : null, startMs, endMs, tag, text, [...jobTags(plot), ...extraTags]))()
        : Promise.resolve(false);
      await Promise.all([closing, kind === null ? null : notifier.notify(kind, `plot ${plot.index}`, text)]);
    };
    await bounded(
      work().catch((error: unknown) => log.warn(`plot ${plot.index}: ${tag} event not sent: ${String(error)}`)),
      boundMs,
      undefined,
    );
  };

  return {
    boundMs,
    started(plot) {
      try {
        const forJob = plot.job === undefined ? '' : ` for job ${plot.job}`;
        const text = `plot ${plot.index} started on ${host}${forJob}: ${plot.plotter} k${plot.k}, temp ${plot.tempDir}, destination ${plot.destDir} (pid ${plot.pid})`;
        const startMs = now();
        const client = annotations();
        const id = client ? client.start(startMs, text, jobTags(plot)) : Promise.resolve(null);
        regions.set(plot.index, { startMs, id });
        void notifier.notify('plot_started', `plot ${plot.index}`, text);
      } catch (error) {
        log.warn(`plot ${plot.index}: plot_start event not sent: ${String(error)}`);
      }
    },
    finished(plot, totalSeconds) {
      return end(
        plot,
        totalSeconds,
        'plot_end',
        'plot_finished',
        `plot ${plot.index} finished on ${host} in ${showDuration(totalSeconds)} (${plot.farm}/${plot.disk})`,
      );
    },
    failed(plot, exitCode, totalSeconds) {
      const how = exitCode === null ? 'was killed' : `exited with code ${exitCode}`;
      return end(
        plot,
        totalSeconds,
        'plot_fail',
        'plot_failed',
        `plot ${plot.index} failed on ${host}: plotter ${how} after ${showDuration(totalSeconds)} (${plot.farm}/${plot.disk})`,
      );
    },
    killed(plot, by, totalSeconds) {
      return end(
        plot,
        totalSeconds,
        'plot_end',
        null,
        `plot ${plot.index} ended on request on ${host} (by ${by}) after ${showDuration(totalSeconds)} (${plot.farm}/${plot.disk})`,
        ['killed'],
      );
    },
    notifyEvent,
  };
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
