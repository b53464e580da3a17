#!/usr/bin/env node
// The harvester collector: is chia_harvester running (from /proc), and the plot files in this
// host's farm layout, and where the harvester's RPC answers what chia has loaded →
// <prom_dir>/getharvester.prom. It runs no chia command.
// Crontab line (every minute; it logs to logs/collectors.log only on failure or change):
//   * * * * * cd /opt/goplot-ts && node collectors/getharvester_collector.js >/dev/null 2>&1
import type { RpcCliOptions } from '../lib/chia-rpc/rpc-cli-options.js';
import { DEFAULT_RPC_TIMEOUT_MS } from '../lib/chia-rpc/services.js';
import { collectHarvester } from '../lib/metrics/collect-harvester.js';
import { resolveHome } from '../lib/config/home.js';
import { cronOptions } from '../lib/util/cron-options.js';
import { runMain } from '../lib/util/run-main.js';

type Options = { home?: string; procDir: string } & RpcCliOptions;
const DEFAULTS: Options = { procDir: '/proc', rpcTimeout: DEFAULT_RPC_TIMEOUT_MS, rpcPort: {} };

async function main(): Promise<void> {
  const options = await cronOptions(DEFAULTS, async () => {
    const { Command } = await import('../lib/util/commander.js');
    const { addRpcOptions } = await import('../lib/chia-rpc/rpc-cli-options.js');
    return addRpcOptions(
      new Command('getharvester_collector')
        .description(
          "Write the harvester process state and this host's plot count and size to <prom_dir>/getharvester.prom",
        )
        .option('--home <dir>', 'goplot home (default: $GOPLOT_HOME or the package root)')
        .option(
          '--proc-dir <dir>',
          "the process table to read (a container may mount the host's /proc elsewhere)",
          DEFAULTS.procDir,
        ),
    )
      .parse()
      .opts<Options>();
  });
  const outcome = await collectHarvester({
    paths: resolveHome({ home: options.home }),
    procDir: options.procDir,
    rpcTimeoutMs: options.rpcTimeout,
    rpc: { host: options.rpcHost, ports: options.rpcPort },
  });
  if (!outcome.ok) {
    console.error(`getharvester_collector: ${outcome.problem}`);
    process.exitCode = 1;
  }
}

void runMain('getharvester_collector', main);
