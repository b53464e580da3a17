#!/usr/bin/env node
// `npm start`: the whole suite for one home in one process tree (loop, harvesterlog,
// diskhand and collectors on cron schedules from config/, followed as they change).
import { Command } from 'commander';
import { resolveHome } from '../lib/config/home.js';
import { createLogger } from '../lib/util/logger.js';
import { runSuite } from '../lib/start/run-suite.js';
import { runMain } from '../lib/util/run-main.js';

async function main(): Promise<void> {
  const options = new Command('start')
    .description('run the loop, harvesterlog, diskhand and the collectors for one home')
    .option('--home <dir>', 'goplot home; default $GOPLOT_HOME or the package folder')
    .parse()
    .opts<{ home?: string }>();
  const paths = resolveHome({ home: options.home });
  const log = createLogger(paths, 'start', 'start.log');
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop.abort());
  // runSuite logs a failed start to start.log and has stopped its children by the time it rejects
  await runSuite({ paths, env: process.env, log, stop: stop.signal, print: (line) => console.log(line) });
}

void runMain('start', main);
