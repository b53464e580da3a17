#!/usr/bin/env node
// Starts one plot: picks the farm, disk and temp dir, runs the plotter and waits for it.
// By hand: `node scripts/tractor.js &`; the goplot loop starts it the same way.
import { Command } from '../lib/util/commander.js';
import { resolveHome } from '../lib/config/home.js';
import { createLogger } from '../lib/util/logger.js';
import { runTractor } from '../lib/tractor/run-tractor.js';
import { endProcess } from '../lib/farm/end-process.js';
import { runMain } from '../lib/util/run-main.js';
import { errorMessage } from '../lib/util/error-message.js';

async function main(): Promise<void> {
  const options = new Command('tractor')
    .description("start one plot now, as goplot's tractor did, and wait for it to finish")
    .option('--home <dir>', 'goplot home (config/, disks/, logs/); default $GOPLOT_HOME or the package folder')
    .option('--force', 'plot even when on_toggle is not "run"', false)
    .option('--job <name>', 'start a plot of the job config/jobs/<name>/ (its own values and limits)')
    .option('--dry-run', 'print the farm, disk, temp dir, index and exact command, and start nothing', false)
    .parse()
    .opts<{ home?: string; force: boolean; dryRun: boolean; job?: string }>();
  const paths = resolveHome({ home: options.home });
  const log = createLogger(paths, 'tractor');
  const code = await runTractor({
    paths,
    env: process.env,
    log,
    force: options.force,
    dryRun: options.dryRun,
    job: options.job,
    now: Date.now,
    print: (line) => console.log(line),
    printError: (line) => console.error(line),
  }).catch((error: unknown) => {
    // started by the loop, a tractor's stderr goes nowhere: the log is where a farmer looks
    log.fatal(`tractor stopped by an error: ${errorMessage(error)}`);
    throw error;
  });
  // a disk read stuck in the kernel (a hung mount) would keep the process alive after its plot;
  // started by the loop, its stderr goes nowhere, so the log says it too
  endProcess('tractor', code, (message) => log.warn(message));
}

// 3, not 2 (refused): the loop counts a crashed tractor toward its back-off itself
void runMain('tractor', main, { failureCode: 3 });
