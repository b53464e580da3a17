#!/usr/bin/env node
// The goplot loop: starts a tractor whenever on_toggle is run, fewer than max_plots plots run,
// the load is under load_max and plot_gap has passed. Run it by hand (`node scripts/goplot.js &`)
// or through `npm start`. Only one loop runs per home.
import { Command } from '../lib/util/commander.js';
import { resolveHome } from '../lib/config/home.js';
import { createLogger } from '../lib/util/logger.js';
import { exitWithSupervisor } from '../lib/start/exit-with-parent.js';
import { ALREADY_RUNNING } from '../lib/farm/pid-file.js';
import { runMain } from '../lib/util/run-main.js';
import { errorMessage } from '../lib/util/error-message.js';

async function main(): Promise<void> {
  const options = new Command('goplot')
    .description('the plot loop: starts plots while the config files allow it')
    .option('--home <dir>', 'goplot home (config/, disks/, logs/); default $GOPLOT_HOME or the package folder')
    .parse()
    .opts<{ home?: string }>();
  // the loop (chokidar, the plan, the farm's watchers) loads once the arguments are read: --help
  // and a bad option answer without it
  const [{ createLoopWorld }, { runLoop }] = await Promise.all([
    import('../lib/loop/loop-world.js'),
    import('../lib/loop/run-loop.js'),
  ]);
  const paths = resolveHome({ home: options.home });
  const log = createLogger(paths, 'goplot');
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => {
      log.info(`loop got ${signal}`);
      stop.abort();
    });
  }
  // a loop whose suite was killed stops (its plots run on), so that the next suite can start its own
  exitWithSupervisor(process.env, (supervisor) => {
    log.warn(
      `the suite that started this loop (pid ${supervisor}) is gone: stopping, so that a new start can take over`,
    );
    stop.abort();
  });
  const result = await runLoop({
    paths,
    env: process.env,
    log,
    world: createLoopWorld(paths, process.env),
    stop: stop.signal,
  }).catch((error: unknown) => {
    log.fatal(`loop stopped by an error: ${errorMessage(error)}`);
    throw error;
  });
  if (!result.ok) {
    console.error(`goplot: ${result.message}`);
    log.error(result.message);
    // 3 tells a supervisor (npm start) that restarting will not help while the other loop runs
    process.exitCode = ALREADY_RUNNING;
  }
}

void runMain('goplot', main);
