#!/usr/bin/env node
// harvesterlog: follows chia's debug.log (config/chia_log.goplot) like `tail -F` and keeps
// <prom_dir>/harvesterlog.prom current (farm_harvester_status falls to 0 after harvester_threshold
// seconds without an eligible line). Run it alone (`node scripts/harvesterlog.js &`) or through `npm start`.
import path from 'node:path';
import { Command } from '../lib/util/commander.js';
import { resolveHome } from '../lib/config/home.js';
import { createLogger } from '../lib/util/logger.js';
import { exitWithSupervisor } from '../lib/start/exit-with-parent.js';
import { acquirePidFile, ALREADY_RUNNING } from '../lib/farm/pid-file.js';
import { runMain } from '../lib/util/run-main.js';
import { errorMessage } from '../lib/util/error-message.js';

async function main(): Promise<void> {
  const options = new Command('harvesterlog')
    .description("follow chia's debug.log and write harvesterlog.prom for node_exporter")
    .option('--home <dir>', 'goplot home (config/, logs/); default $GOPLOT_HOME or the package folder')
    .option('--from-start', 'read an existing log from its start (backfill) instead of from its end')
    .parse()
    .opts<{ home?: string; fromStart?: boolean }>();

  const paths = resolveHome({ home: options.home });
  const logger = createLogger(paths, 'harvesterlog', 'harvesterlog.log');
  // two harvesterlogs on one home would write harvesterlog.prom in turn: its counters would reset every second
  const pidFile = acquirePidFile(path.join(paths.logsDir, 'harvesterlog.pid'), {
    marker: 'harvesterlog.js',
    what: 'harvesterlog',
    onReplaced: (message) => logger.warn(message),
  });
  if (!pidFile.ok) {
    console.error(`harvesterlog: ${pidFile.message}`);
    logger.error(pidFile.message);
    // 3 tells a supervisor (node scripts/start.js) to wait for the other one rather than restart
    process.exitCode = ALREADY_RUNNING;
    return;
  }
  // the follower and its metrics (prom-client) load only for a harvesterlog that runs: not for
  // --help, nor for a second one that finds the first in the pid file
  const { startHarvesterlog } = await import('../lib/harvester/run-harvesterlog.js');
  const { createHarvesterStatusNotifier } = await import('../lib/harvester/notify-harvester-status.js');
  const harvesterlog = await startHarvesterlog({
    paths,
    logger,
    ownsHome: pidFile.owns,
    fromStart: Boolean(options.fromStart),
    onStatusChange: createHarvesterStatusNotifier(paths, logger),
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    harvesterlog.stop().then(
      () => {
        pidFile.release();
        process.exit(0);
      },
      (error: unknown) => {
        pidFile.release();
        console.error(`harvesterlog: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  exitWithSupervisor(process.env, (supervisor) => {
    logger.warn(
      `the suite that started this harvesterlog (pid ${supervisor}) is gone: stopping, so that a new start can take over`,
    );
    stop();
  });
  // SIGHUP too: started with & from an SSH session that closes, it must still write status 0
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
}

void runMain('harvesterlog', main);
