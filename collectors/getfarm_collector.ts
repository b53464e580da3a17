#!/usr/bin/env node
// The farm collector: chia's RPC (chia_rpc on, or auto when it answers) or `chia show -s` +
// `chia farm summary` → <prom_dir>/getfarm.prom.
// Crontab line (every minute; it logs to logs/collectors.log only on failure or change):
//   * * * * * cd /opt/goplot-ts && node collectors/getfarm_collector.js >/dev/null 2>&1
import type { RpcCliOptions } from '../lib/chia-rpc/rpc-cli-options.js';
import { DEFAULT_RPC_TIMEOUT_MS } from '../lib/chia-rpc/services.js';
import { collectFarm, DEFAULT_CHIA_TIMEOUT_MS } from '../lib/metrics/collect-farm.js';
import { resolveHome } from '../lib/config/home.js';
import { cronOptions } from '../lib/util/cron-options.js';
import { runMain } from '../lib/util/run-main.js';

type Options = { home?: string; timeout: number } & RpcCliOptions;
const DEFAULTS: Options = { timeout: DEFAULT_CHIA_TIMEOUT_MS, rpcTimeout: DEFAULT_RPC_TIMEOUT_MS, rpcPort: {} };

async function main(): Promise<void> {
  const options = await cronOptions(DEFAULTS, async () => {
    const { Command } = await import('../lib/util/commander.js');
    const { addRpcOptions, parseDuration } = await import('../lib/chia-rpc/rpc-cli-options.js');
    return addRpcOptions(
      new Command('getfarm_collector')
        .description(
          'Write the farm metrics (sync, farming status, netspace, difficulty, XCH farmed, plots; through the RPC also pools, signage points, harvesters and wallet) to <prom_dir>/getfarm.prom',
        )
        .option('--home <dir>', 'goplot home (default: $GOPLOT_HOME or the package root)')
        .option(
          '--timeout <duration>',
          'kill each chia command after this long: 30, 30s or 500ms',
          parseDuration,
          DEFAULTS.timeout,
        ),
    )
      .parse()
      .opts<Options>();
  });
  const outcome = await collectFarm({
    paths: resolveHome({ home: options.home }),
    timeoutMs: options.timeout,
    rpcTimeoutMs: options.rpcTimeout,
    rpc: { host: options.rpcHost, ports: options.rpcPort },
  });
  if (!outcome.ok) {
    console.error(`getfarm_collector: ${outcome.problem}`);
    process.exitCode = 1;
  }
}

void runMain('getfarm_collector', main);
