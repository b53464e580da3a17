import type { ChiaRpc, RpcResult } from './rpc-client.js';

/** One answer per endpoint getfarm reads: what `chia show -s` and `chia farm summary` ask, and more. */
export interface FarmReadings {
  blockchainState: RpcResult;
  harvesters: RpcResult;
  poolState: RpcResult;
  signagePoints: RpcResult;
  walletSync: RpcResult;
  walletHeight: RpcResult;
  farmedAmount: RpcResult;
  walletBalance: RpcResult;
}

/**
 * All calls at once, one connection per service. The farmer's harvester summary, not
 * get_harvesters: the per-plot listing is heavy enough on big farms to disturb farming, and the
 * counts are all a metric needs. The standard wallet is wallet_id 1.
 */
export async function readFarm(rpc: ChiaRpc): Promise<FarmReadings> {
  const [blockchainState, harvesters, poolState, signagePoints, walletSync, walletHeight, farmedAmount, walletBalance] =
    await Promise.all([
      rpc.call('full_node', 'get_blockchain_state'),
      rpc.call('farmer', 'get_harvesters_summary'),
      rpc.call('farmer', 'get_pool_state'),
      rpc.call('farmer', 'get_signage_points'),
      rpc.call('wallet', 'get_sync_status'),
      rpc.call('wallet', 'get_height_info'),
      rpc.call('wallet', 'get_farmed_amount'),
      rpc.call('wallet', 'get_wallet_balance', { wallet_id: 1 }),
    ]);
  return {
    blockchainState,
    harvesters,
    poolState,
    signagePoints,
    walletSync,
    walletHeight,
    farmedAmount,
    walletBalance,
  };
}
