#!/usr/bin/env node
// `npm run demo`: a sandbox farm plotting with the simulated plotter through the real loop,
// tractors, diskhand and collectors, for a bounded time, then a summary.
import { Command } from '../lib/util/commander.js';
import { runMain } from '../lib/util/run-main.js';

async function main(): Promise<void> {
  const options = new Command('demo')
    .description('plot into a sandbox farm with the simulated plotter, then summarise')
    .option('--seconds <n>', 'how long new plots may start', '60')
    .option('--plot-seconds <n>', 'wall time of one simulated plot', '15')
    .option('--dir <dir>', 'sandbox folder (default: a new one under the temp dir)')
    .parse()
    .opts<{ seconds: string; plotSeconds: string; dir?: string }>();
  // the demo (execa, the whole sandbox) loads once the arguments are read: --help needs none of it
  const { runDemo } = await import('../lib/demo/run-demo.js');
  process.exitCode = await runDemo({
    seconds: Number(options.seconds),
    plotSeconds: Number(options.plotSeconds),
    dir: options.dir,
    out: (line) => console.log(line),
  });
}

void runMain('demo', main);
