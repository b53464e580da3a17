import type { Registry } from 'prom-client';
import type { CollectedValue } from './run-collector.js';
import { addGauge } from './registry.js';
import { isObject, numberOf } from '../chia-rpc/chia-json.js';
import type { FarmReadings } from '../chia-rpc/read-farm.js';
import type { RpcResult } from '../chia-rpc/rpc-client.js';

/**
 * The wallet's side of the farm: synced or not and its height, what the farm earned (in mojos,
 * chia's base unit: 1 XCH = 10^12 mojo), and the standard wallet's balance. Many farms run no
 * wallet; each value says why it is missing.
 */
export function addWalletMetrics(registry: Registry, readings: FarmReadings): CollectedValue[] {
  const values: CollectedValue[] = [];
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    addGauge(registry, `farm_wallet_${name}`, help, labelNames);
  const record = (name: string, result: RpcResult) =>
    values.push(result.ok ? { name, present: true } : { name, present: false, why: result.problem });

  record('wallet_sync', readings.walletSync);
  if (readings.walletSync.ok) {
    gauge('synced', '1 when the wallet is synced').set(readings.walletSync.data.synced === true ? 1 : 0);
    gauge('syncing', '1 while the wallet syncs').set(readings.walletSync.data.syncing === true ? 1 : 0);
  }
  record('wallet_height', readings.walletHeight);
  const height = readings.walletHeight.ok ? numberOf(readings.walletHeight.data.height) : null;
  if (height !== null) gauge('height', 'Height the wallet has synced to').set(height);

  record('farmed_amount', readings.farmedAmount);
  if (readings.farmedAmount.ok) {
    const farmed = readings.farmedAmount.data;
    const amounts: [string, string, string][] = [
      ['farmed_amount', 'farmed_amount_mojos', 'All the farm has farmed (farmer and pool rewards and fees), in mojos'],
      ['farmer_reward_amount', 'farmer_reward_amount_mojos', 'Farmer rewards farmed, in mojos'],
      ['pool_reward_amount', 'pool_reward_amount_mojos', 'Pool rewards farmed (to this wallet), in mojos'],
      ['fee_amount', 'fee_amount_mojos', 'Transaction fees farmed, in mojos'],
      ['last_height_farmed', 'last_height_farmed', 'Height of the last block this farm won (0 before the first)'],
      ['blocks_won', 'blocks_won', 'Blocks this farm has won (chia 2.0 and later)'],
    ];
    for (const [field, name, help] of amounts) {
      const value = numberOf(farmed[field]);
      if (value !== null) gauge(name, help).set(value);
    }
  }

  record('wallet_balance', readings.walletBalance);
  const balance =
    readings.walletBalance.ok && isObject(readings.walletBalance.data.wallet_balance)
      ? readings.walletBalance.data.wallet_balance
      : null;
  if (balance !== null) {
    const labels = { wallet_id: String(numberOf(balance.wallet_id) ?? 1) };
    const confirmed = numberOf(balance.confirmed_wallet_balance);
    const spendable = numberOf(balance.spendable_balance);
    if (confirmed !== null)
      gauge('confirmed_balance_mojos', 'Confirmed balance of the wallet, in mojos', ['wallet_id']).set(
        labels,
        confirmed,
      );
    if (spendable !== null)
      gauge('spendable_balance_mojos', 'Spendable balance of the wallet, in mojos', ['wallet_id']).set(
        labels,
        spendable,
      );
  }
  return values;
}
