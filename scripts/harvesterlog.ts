#!/usr/bin/env node
// harvesterlog: follows chia's debug.log (config/chia_log.goplot) like `tail -F` and keeps
// <prom_dir>/harvesterlog.prom current (farm_harvester_status falls to 0 after harvester_threshold
// seconds without an eligible line). Run it alone (`node scripts/harvesterlog.js &`) or through `npm start`.
import { Command } from 'commander';
import { resolveHome } from '../lib/config/home.js';
import { createHarvesterStatusNotifier } from '../lib/harvester/notify-harvester-status.js';
import { startHarvesterlog } from '../lib/harvester/run-harvesterlog.js';
import { createLogger } from '../lib/util/logger.js';
import { errorMessage, runMain } from '../lib/util/run-main.js';

async function main(): Promise<void> {
  const options = new Command('harvesterlog')
    .description("follow chia's debug.log and write harvesterlog.prom for node_exporter")
    .option('--home <dir>', 'goplot home (config/, logs/); default $GOPLOT_HOME or the package folder')
    .option('--from-start', 'read an existing log from its start (backfill) instead of from its end')
    .parse()
    .opts<{ home?: string; fromStart?: boolean }>();

  const paths = resolveHome({ home: options.home });
  const logger = createLogger(paths, 'harvesterlog', 'harvesterlog.log');
  const harvesterlog = await startHarvesterlog({
    paths,
    logger,
    fromStart: Boolean(options.fromStart),
    onStatusChange: createHarvesterStatusNotifier(paths, logger),
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    harvesterlog.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`harvesterlog: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  // SIGHUP too: started with & from an SSH session that closes, it must still write status 0
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
}

void runMain('harvesterlog', main);
