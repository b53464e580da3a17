import path from 'node:path';
import type { CollectResult } from './run-collector.js';
import type { RpcOverrides } from '../chia-rpc/chia-config.js';
import { CHIA_ENDPOINTS_CACHE, missingFarmCertificates } from '../chia-rpc/services.js';
import { buildRpcFarmRegistry } from './rpc-farm-metrics.js';
import { readFarm } from '../chia-rpc/read-farm.js';
import { ChiaRpc, type RpcResult } from '../chia-rpc/rpc-client.js';

export interface FarmRpcOptions extends RpcOverrides {
  chiaRoot: string;
  logsDir: string;
  timeoutMs?: number;
  now?: () => number;
}

export interface FarmRpcRun {
  /** The full node and the farmer answered (even if only to say they failed): the RPC is what to use. */
  answered: boolean;
  /** The full node and the farmer: `full_node RPC at localhost:8555 and farmer RPC at localhost:8559`. */
  where: string;
  /** Why the RPC is not used (certificates missing, a service not answering), naming the service and port. */
  reason: string;
  result: CollectResult;
}

/**
 * getfarm through the RPC. The full node and the farmer are what getfarm is about (sync and
 * farming): either one failing fails the run, as a failed `chia` command does, so the last good
 * values stay with success 0. A wallet that does not answer only leaves its own values out.
 */
export async function collectFarmFromRpc(options: FarmRpcOptions): Promise<FarmRpcRun> {
  const rpc = new ChiaRpc({ ...options, endpointsCacheFile: path.join(options.logsDir, CHIA_ENDPOINTS_CACHE) });
  const config = rpc.endpoints.problem === null ? '' : ` (${rpc.endpoints.problem})`;
  const where = `${rpc.describe('full_node')} and ${rpc.describe('farmer')}${config}`;
  const noCertificates = missingFarmCertificates(options.chiaRoot);
  if (noCertificates !== null)
    return { answered: false, where, reason: noCertificates, result: { ok: false, problem: noCertificates } };
  let readings;
  try {
    readings = await readFarm(rpc);
  } finally {
    rpc.close();
  }
  const required: RpcResult[] = [readings.blockchainState, readings.harvesters];
  const problems = [...new Set(required.flatMap((result) => (result.ok ? [] : [result.problem])))];
  if (required.some((result) => !result.ok && !result.reached)) {
    const reason = `${problems.join('; ')}${config}`;
    return { answered: false, where, reason, result: { ok: false, problem: reason } };
  }
  if (problems.length > 0)
    return { answered: true, where, reason: '', result: { ok: false, problem: problems.join('; ') } };
  const now = options.now ?? Date.now;
  const memory = { file: path.join(options.logsDir, 'getfarm.signage-points.json') };
  return { answered: true, where, reason: '', result: { ok: true, ...buildRpcFarmRegistry(readings, memory, now()) } };
}
