#!/usr/bin/env node
// The goplot collector: the loop's config and state, running plots (phase, progress) and each
// destination disk (state, space, committed space, plots) → <prom_dir>/goplot.prom.
// Crontab line (every minute; it logs to logs/collectors.log only on failure or change):
//   * * * * * cd /opt/goplot-ts && node collectors/goplot_collector.js >/dev/null 2>&1
import { collectGoplot } from '../lib/metrics/collect-goplot.js';
import { resolveHome } from '../lib/config/home.js';
import { cronOptions } from '../lib/util/cron-options.js';
import { runMain } from '../lib/util/run-main.js';

interface Options {
  home?: string;
  procDir: string;
}
const DEFAULTS: Options = { procDir: '/proc' };

async function main(): Promise<void> {
  const options = await cronOptions(DEFAULTS, async () => {
    const { Command } = await import('../lib/util/commander.js');
    return new Command('goplot_collector')
      .description("Write goplot's config, state, running plots and disks to <prom_dir>/goplot.prom")
      .option('--home <dir>', 'goplot home (default: $GOPLOT_HOME or the package root)')
      .option(
        '--proc-dir <dir>',
        "the process table to read (a container may mount the host's /proc elsewhere)",
        DEFAULTS.procDir,
      )
      .parse()
      .opts<Options>();
  });
  const outcome = await collectGoplot({ paths: resolveHome({ home: options.home }), procDir: options.procDir });
  if (!outcome.ok) {
    console.error(`goplot_collector: ${outcome.problem}`);
    process.exitCode = 1;
  }
}

void runMain('goplot_collector', main);
