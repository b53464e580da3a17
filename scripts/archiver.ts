#!/usr/bin/env node
// The archiver: moves finished plots from the staging farms (archive_staging.goplot) to the
// targets in config/archive/targets/ (this host's disks, or harvester hosts over ssh + rsync).
// `--once` does one pass and waits for its transfers (cron); without it, it keeps passing.
// One archiver per home. Logs to logs/archiver.log.
import { Command } from '../lib/util/commander.js';
import { resolveHome } from '../lib/config/home.js';
import { runMain } from '../lib/util/run-main.js';

async function main(): Promise<void> {
  const options = new Command('archiver')
    .description('move finished plots from the staging disks to target disks, here or on harvester hosts')
    .option('--home <dir>', 'goplot home (config/, disks/, logs/); default $GOPLOT_HOME or the package folder')
    .option('--once', 'one pass: start the transfers it can, wait for them, exit', false)
    .parse()
    .opts<{ home?: string; once: boolean }>();
  const paths = resolveHome({ home: options.home });
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop.abort());
  // prom-client and the archiver load once the arguments are read: --help and a bad option
  // answer without them (execa only for a script run outside a host's session)
  const { runArchiverMain } = await import('../lib/archive/archiver-main.js');
  const result = await runArchiverMain(paths, { once: options.once, stop: stop.signal });
  if (!result.ok) {
    console.error(`archiver: ${result.message}`);
    process.exitCode = result.code;
  }
}

// a local target's statfs stuck on a hung disk must not keep a finished --once run (cron) alive
void runMain('archiver', main, { exitWhenDone: true });
