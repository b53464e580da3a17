import { Command, InvalidArgumentError } from '../util/commander.js';
import { parseTimeout } from '../chia-cli/parse-timeout.js';
import { DEFAULT_RPC_TIMEOUT_MS, parsePortOverride, type ChiaService } from './services.js';

export interface RpcCliOptions {
  rpcTimeout: number;
  rpcHost?: string;
  rpcPort: Partial<Record<ChiaService, number>>;
}

export function parseDuration(value: string): number {
  const ms = parseTimeout(value);
  if (ms === null)
    throw new InvalidArgumentError(`expected seconds (30, 30s) or milliseconds (500ms) up to 1 hour, got "${value}"`);
  return ms;
}

function portOverride(
  value: string,
  previous: Partial<Record<ChiaService, number>>,
): Partial<Record<ChiaService, number>> {
  const override = parsePortOverride(value);
  if (override === null)
    throw new InvalidArgumentError(
      `expected <service>=<port> with service full_node, farmer, harvester or wallet, got "${value}"`,
    );
  return { ...previous, [override.service]: override.port };
}

/** The collectors' RPC options: the call timeout, and host and ports instead of config.yaml's. */
export function addRpcOptions(program: Command): Command {
  return program
    .option(
      '--rpc-timeout <duration>',
      'give up on each chia RPC call after this long',
      parseDuration,
      DEFAULT_RPC_TIMEOUT_MS,
    )
    .option('--rpc-host <host>', 'the chia RPC host instead of self_hostname from <chia_root>/config/config.yaml')
    .option(
      '--rpc-port <service=port>',
      "a chia RPC port instead of config.yaml's (repeat for each service)",
      portOverride,
      {},
    );
}
