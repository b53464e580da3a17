import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parseChiaJson, type JsonObject } from '../../../lib/chia-rpc/chia-json.js';
import { buildRpcFarmRegistry } from '../../../lib/metrics/rpc-farm-metrics.js';
import type { FarmReadings } from '../../../lib/chia-rpc/read-farm.js';
import type { RpcResult } from '../../../lib/chia-rpc/rpc-client.js';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';

const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-rpc');
const fixture = (file: string) => parseChiaJson(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as JsonObject;
const ok = (data: JsonObject): RpcResult => ({ ok: true, data });
const down = (service: string): RpcResult => ({
  ok: false,
  reached: false,
  problem: `${service} RPC at localhost:1: connection refused`,
});

/** Prometheus text as `series value` lines, without HELP and TYPE. */
async function samples(readings: FarmReadings, memoryFile: string): Promise<Map<string, number>> {
  const { registry } = buildRpcFarmRegistry(readings, { file: memoryFile }, 1_700_000_000_000);
  const text = await registry.metrics();
  return new Map(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const at = line.lastIndexOf(' ');
        return [line.slice(0, at), Number(line.slice(at + 1))] as const;
      }),
  );
}

describe("getfarm's RPC metrics, as chia farm summary sums them", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-rpc-metrics-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const state = fixture('full_node_get_blockchain_state_v2-docs_same-capture-plus-average_block_time.json');
  const summary = fixture('farmer_get_harvesters_summary_v1.7-docs_one-harvester-18-no-key.json');
  const base: FarmReadings = {
    blockchainState: ok(state),
    harvesters: ok(summary),
    poolState: ok(fixture('farmer_get_pool_state_v1.7-docs_pool-space-unknown-launcher-errors.json')),
    signagePoints: ok(fixture('farmer_get_signage_points_v1.7-docs_ellipsis-removed.json')),
    walletSync: down('wallet'),
    walletHeight: down('wallet'),
    farmedAmount: down('wallet'),
    walletBalance: down('wallet'),
  };

  it('groups harvesters by address as the CLI does, leaving loading ones out of the sums, with 2.0+ effective sizes', async () => {
    // the real 1.7 harvester, and copies of it in the 2.0+ shape (FACTS.md): one remote pair behind one IP, one of them loading
    const real = (summary.harvesters as JsonObject[])[0]!;
    const copy = (host: string, nodeId: string, extra: JsonObject) => ({
      ...real,
      connection: { host, node_id: nodeId, port: 8448 },
      ...extra,
    });
    const harvesters = [
      { ...real, total_effective_plot_size: 108877420298 * 2 },
      copy('10.0.0.7', '0xaa', { plots: 3, total_plot_size: 300, total_effective_plot_size: 400 }),
      copy('10.0.0.7', '0xbb', {
        plots: 0,
        total_plot_size: 0,
        total_effective_plot_size: 0,
        syncing: { initial: true, plot_files_processed: 5, plot_files_total: 90 },
      }),
    ];
    const series = await samples({ ...base, harvesters: ok({ harvesters, success: true }) }, path.join(dir, 'a.json'));
    assert.equal(series.get('farm_harvesters{host="local",location="local"}'), 1);
    assert.equal(series.get('farm_harvesters{host="10.0.0.7",location="remote"}'), 2);
    assert.equal(series.get('farm_harvesters_loading{host="10.0.0.7",location="remote"}'), 1);
    assert.equal(series.get('farm_harvesters_plots{host="10.0.0.7",location="remote"}'), 3);
    assert.equal(series.get('farm_harvesters_plots_effective_size_bytes{host="10.0.0.7",location="remote"}'), 400);
    assert.equal(series.get('farm_plot_count'), 4);
    assert.equal(series.get('farm_plots_size_bytes'), 674281385 + 300);
    assert.equal(series.get('farm_plots_effective_size_bytes'), 108877420298 * 2 + 400);
    assert.equal(series.get('farm_farmer_harvester_loading{host="10.0.0.7",node_id="0xbb"}'), 1);
    // 18 s per transaction block over (2 k32 + 400 bytes) of 25193321725003644928: chia's whole minutes
    assert.equal(series.get('farm_expected_time_to_win_seconds'), 34708741 * 60);
  });

  it('says not synced, not farming, and leaves out the sums when the farmer does not answer', async () => {
    const syncing = structuredClone(state);
    Object.assign((syncing.blockchain_state as JsonObject).sync as JsonObject, {
      synced: false,
      sync_mode: true,
      sync_progress_height: 100,
      sync_tip_height: 200,
    });
    const series = await samples(
      { ...base, blockchainState: ok(syncing), harvesters: down('farmer') },
      path.join(dir, 'b.json'),
    );
    assert.equal(series.get('farm_fullnode_syncstatus'), 0);
    assert.equal(series.get('farm_farmer_farmstatus'), 0);
    assert.equal(series.get('farm_fullnode_sync_progress_height'), 100);
    assert.equal(series.get('farm_fullnode_sync_tip_height'), 200);
    assert.equal(series.get('farm_fullnode_netspace_bytes'), 25193321725003644928);
    assert.equal(series.has('farm_plot_count'), false);
    assert.equal(series.has('farm_wallet_synced'), false);
  });
});
