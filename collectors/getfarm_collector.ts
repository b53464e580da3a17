#!/usr/bin/env node
// The farm collector: `chia show -s` + `chia farm summary` → <prom_dir>/getfarm.prom.
// Crontab line (every minute; it logs to logs/collectors.log only on failure or change):
//   * * * * * cd /opt/goplot-ts && node collectors/getfarm_collector.js >/dev/null 2>&1
import { Command, InvalidArgumentError } from 'commander';
import { parseTimeout } from '../lib/chia-cli/run-chia.js';
import { collectFarm, DEFAULT_CHIA_TIMEOUT_MS } from '../lib/metrics/collect-farm.js';
import { resolveHome } from '../lib/config/home.js';
import { runMain } from '../lib/util/run-main.js';

async function main(): Promise<void> {
  const program = new Command('getfarm_collector')
    .description('Write the farm metrics (sync, farming status, netspace, difficulty, XCH farmed, plots) to <prom_dir>/getfarm.prom')
    .option('--home <dir>', 'goplot home (default: $GOPLOT_HOME or the package root)')
    .option('--timeout <duration>', 'kill each chia command after this long: 30, 30s or 500ms', (value) => {
      const ms = parseTimeout(value);
      if (ms === null) throw new InvalidArgumentError(`expected seconds (30, 30s) or milliseconds (500ms) up to 1 hour, got "${value}"`);
      return ms;
    }, DEFAULT_CHIA_TIMEOUT_MS)
    .parse();
  const options = program.opts<{ home?: string; timeout: number }>();
  const outcome = await collectFarm({ paths: resolveHome({ home: options.home }), timeoutMs: options.timeout });
  if (!outcome.ok) {
    console.error(`getfarm_collector: ${outcome.problem}`);
    process.exitCode = 1;
  }
}

void runMain('getfarm_collector', main);
