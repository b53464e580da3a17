#!/usr/bin/env node
// `node scripts/start.js` (what `npm start` runs; a service manager should run it directly): the
// whole suite for one home in one process tree (loop and harvesterlog as children; diskhand and
// the collectors inside this process on cron schedules from config/, followed as they change).
import fs from 'node:fs';
import { Command } from '../lib/util/commander.js';
import { homeProblem, homeSource, resolveHome } from '../lib/config/home.js';
import { createLogger } from '../lib/util/logger.js';
import { runSuite } from '../lib/start/run-suite.js';
import { exitWithNpm, findNpmAncestor } from '../lib/start/exit-with-parent.js';
import { takeHome } from '../lib/start/one-suite.js';
import { endProcess } from '../lib/farm/end-process.js';
import { runMain } from '../lib/util/run-main.js';

async function main(): Promise<void> {
  const options = new Command('start')
    .description('run the loop, harvesterlog, diskhand and the collectors for one home')
    .option('--home <dir>', 'goplot home; default $GOPLOT_HOME or the package folder')
    .parse()
    .opts<{ home?: string }>();
  const paths = resolveHome({ home: options.home });
  // a typo in --home or GOPLOT_HOME would start a new, empty home that plots to /farm
  const source = homeSource({ home: options.home });
  const problem = homeProblem(paths, source, { mayBeNew: true });
  if (problem) throw new Error(problem);
  if (!fs.existsSync(paths.home))
    throw new Error(
      `the home ${paths.home} (${source}) does not exist; check the path, or make it with: goplot init --home ${paths.home}`,
    );
  const log = createLogger(paths, 'start', 'start.log');
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop.abort());
  // `npm start` killed with -9 leaves its shell and this process running: npm's end is the suite's
  const npm = findNpmAncestor(process.env);
  if (npm !== null) {
    exitWithNpm(npm, () => {
      log.warn(`npm (pid ${npm}), which ran this suite, is gone: stopping, so that a new start can take over`);
      stop.abort();
    });
  }
  const print = (line: string) => console.log(line);
  const release = await takeHome(paths, log, print, stop.signal);
  if (!release) return;
  try {
    // runSuite logs a failed start to start.log and has stopped its children by the time it rejects
    await runSuite({ paths, env: process.env, log, stop: stop.signal, print });
  } finally {
    release();
  }
}

// a diskhand run hung in a dead disk's statfs would keep the process alive after the suite
// stopped, and a normal exit would wait for its thread; everything is written by now
void runMain('start', main).then(() => endProcess('start'));
