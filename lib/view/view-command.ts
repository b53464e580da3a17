import { readViewModel } from './read-view-model.js';
import { renderView } from './render-view.js';
import { runLiveView, type ViewTerminal } from './run-view.js';
import type { CommandIo } from '../config/command-io.js';

export interface ViewCommandOptions {
  intervalSeconds: number;
  once: boolean;
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
    io.err(`goplot view: --interval must be a number of seconds >= ${MIN_INTERVAL_SECONDS}, got ${options.intervalSeconds}`);
    return 2;
  }
  const readModel = () => readViewModel({ paths: io.paths, env: io.env, now: io.now });
  if (options.once || !terminal.output.isTTY) {
    const width = terminal.output.isTTY ? terminal.output.columns || 80 : Infinity;
    io.out(renderView(await readModel(), width, Infinity).join('\n'));
    return 0;
  }
  return runLiveView({ readModel, intervalMs: options.intervalSeconds * 1000, terminal });
}
