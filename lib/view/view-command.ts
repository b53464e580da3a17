import { readViewModel } from './read-view-model.js';
import { renderView } from './render-view.js';
import { runLiveView, type ViewTerminal } from './run-view.js';
import type { CommandIo } from '../config/command-io.js';
import { setValue } from '../config/write-value.js';
import { killOnRequest, suspendOrResume } from '../control/act-on-plot.js';
import type { ViewActions } from './view-keys.js';

export interface ViewCommandOptions {
  intervalSeconds: number;
  once: boolean;
  /** Mean total seconds of finished plots by job, plotter and k (goplot analyze's numbers), for the ETA. */
  meanSeconds?: () => Promise<Map<string, number>>;
}

/** Finished plots change slowly and their logs are many: the means are read again once a minute. */
const MEANS_MAX_AGE_MS = 60_000;

function cachedMeans(read: () => Promise<Map<string, number>>, now: () => number): () => Promise<Map<string, number>> {
  let cached: { atMs: number; means: Promise<Map<string, number>> } | null = null;
  return () => {
    if (cached === null || now() - cached.atMs > MEANS_MAX_AGE_MS)
      cached = { atMs: now(), means: read().catch(() => new Map()) };
    return cached.means;
  };
}

/** Faster than this only burns CPU: plot logs and disks do not change that quickly. */
const MIN_INTERVAL_SECONDS = 0.5;

/**
 * `goplot view`: the live screen on a terminal; one plain frame (no escape codes) with --once or
 * when stdout is not a terminal (a pipe, cron, `| less`).
 */
export async function viewCommand(
  io: CommandIo,
  options: ViewCommandOptions,
  terminal: ViewTerminal = { output: process.stdout, input: process.stdin },
): Promise<number> {
  if (!Number.isFinite(options.intervalSeconds) || options.intervalSeconds < MIN_INTERVAL_SECONDS) {
    io.err(
      `goplot view: --interval must be a number of seconds >= ${MIN_INTERVAL_SECONDS}, got ${options.intervalSeconds}`,
    );
    return 2;
  }
  const meanSeconds = options.meanSeconds ? cachedMeans(options.meanSeconds, io.now) : undefined;
  const readModel = () => readViewModel({ paths: io.paths, env: io.env, now: io.now, meanSeconds });
  if (options.once || !terminal.output.isTTY) {
    const width = terminal.output.isTTY ? terminal.output.columns || 80 : Infinity;
    io.out(renderView(await readModel(), width, Infinity).join('\n'));
    return 0;
  }
  const actions: ViewActions = {
    setStarts(on) {
      const result = setValue(io.paths, 'on_toggle', on ? 'run' : 'off');
      return result.ok
        ? `on_toggle = ${result.value}: ${on ? 'new plots start when the limits allow' : 'no new plots start; running plots go on'}`
        : result.message;
    },
    kill: async (index) => (await killOnRequest(io.paths, io.env, index, 'goplot view')).message,
    suspend: (index) => suspendOrResume(io.paths, io.env, index, true, 'goplot view').message,
    resume: (index) => suspendOrResume(io.paths, io.env, index, false, 'goplot view').message,
  };
  return runLiveView({ readModel, intervalMs: options.intervalSeconds * 1000, terminal, actions });
}
