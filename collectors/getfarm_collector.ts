#!/usr/bin/env node
// The farm collector: chia's RPC (chia_rpc on, or auto when it answers) or `chia show -s` +
// `chia farm summary` → <prom_dir>/getfarm.prom.
// Crontab line (every minute; it logs to logs/collectors.log only on failure or change):
//   * * * * * cd /opt/goplot-ts && node collectors/getfarm_collector.js >/dev/null 2>&1
import { Command, InvalidArgumentError } from 'commander';
import { parseTimeout } from '../lib/chia-cli/parse-timeout.js';
import { DEFAULT_RPC_TIMEOUT_MS, parsePortOverride, type ChiaService } from '../lib/chia-rpc/services.js';
import { collectFarm, DEFAULT_CHIA_TIMEOUT_MS } from '../lib/metrics/collect-farm.js';
import { resolveHome } from '../lib/config/home.js';

function duration(value: string): number {
  const ms = parseTimeout(value);
  if (ms === null) throw new InvalidArgumentError(`expected seconds (30, 30s) or milliseconds (500ms) up to 1 hour, got "${value}"`);
  return ms;
}

function portOverride(value: string, previous: Partial<Record<ChiaService, number>>): Partial<Record<ChiaService, number>> {
  const override = parsePortOverride(value);
  if (override === null) throw new InvalidArgumentError(`expected <service>=<port> with service full_node, farmer, harvester or wallet, got "${value}"`);
  return { ...previous, [override.service]: override.port };
}

async function main(): Promise<void> {
  const program = new Command('getfarm_collector')
    .description('Write the farm metrics (sync, farming status, netspace, difficulty, XCH farmed, plots, and through the RPC pools, signage points, harvesters and wallet) to <prom_dir>/getfarm.prom')
    .option('--home <dir>', 'goplot home (default: $GOPLOT_HOME or the package root)')
    .option('--timeout <duration>', 'kill each chia command after this long: 30, 30s or 500ms', duration, DEFAULT_CHIA_TIMEOUT_MS)
    .option('--rpc-timeout <duration>', 'give up on each RPC call after this long', duration, DEFAULT_RPC_TIMEOUT_MS)
    .option('--rpc-host <host>', 'the RPC host instead of self_hostname from <chia_root>/config/config.yaml')
    .option('--rpc-port <service=port>', 'an RPC port instead of config.yaml\'s (repeat for each service)', portOverride, {})
    .parse();
  const options = program.opts<{ home?: string; timeout: number; rpcTimeout: number; rpcHost?: string; rpcPort: Partial<Record<ChiaService, number>> }>();
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

main().catch((error: unknown) => {
  console.error(`getfarm_collector: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
