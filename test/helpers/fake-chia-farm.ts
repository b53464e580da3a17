import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { fixtureAnswer, startFakeChiaService, type FakeChiaService } from './chia-rpc-server.js';
import { makeChiaSsl, writeChiaConfig, type PemPair } from './chia-ssl.js';

export const RPC_FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-rpc');

/** The real answers each service replays by default (test/fixtures/chia-rpc, SOURCES.md). */
export const FARM_ANSWERS = {
  full_node: {
    get_blockchain_state: 'full_node_get_blockchain_state_v2-docs_same-capture-plus-average_block_time.json',
  },
  farmer: {
    get_harvesters_summary: 'farmer_get_harvesters_summary_v1.7-docs_one-harvester-18-no-key.json',
    get_pool_state: 'farmer_get_pool_state_v1.7-docs_pool-space-unknown-launcher-errors.json',
    get_signage_points: 'farmer_get_signage_points_v1.7-docs_ellipsis-removed.json',
  },
  harvester: {
    get_plots: 'harvester_get_plots_v1.7-docs_two-k25-plotnft-one-not-found.json',
    get_plot_directories: 'harvester_get_plot_directories_v1.7-docs_missing-comma-fixed.json',
  },
  wallet: {
    get_sync_status: 'wallet_get_sync_status_v1.6-docs_synced.json',
    get_height_info: 'wallet_get_height_info_v1.6-docs_h2863319.json',
    get_farmed_amount: 'wallet_get_farmed_amount_v1.6-docs_never-farmed-zeros.json',
    get_wallet_balance: 'wallet_get_wallet_balance_v1.6-docs_standard-wallet.json',
  },
} as const;

export type FarmService = keyof typeof FARM_ANSWERS;

export interface FakeChiaFarm {
  chiaRoot: string;
  ssl: { ca: PemPair; daemon: PemPair };
  services: Record<FarmService, FakeChiaService>;
  /** Every service answers its real fixtures again. */
  replay(): void;
  /** The service stops listening, as a stopped chia service does. */
  stop(service: FarmService): Promise<void>;
  /** ...and starts again on its port (config.yaml's), answering its real fixtures. */
  start(service: FarmService): Promise<void>;
  fixtureText(file: string): string;
  close(): Promise<void>;
}

/**
 * A chia root (config/ssl as chia lays it out, config.yaml naming the ports) and its four
 * services on 127.0.0.1, each replaying the real answers. Servers stop by themselves after lifetimeMs.
 */
export async function startFakeChiaFarm(root: string, lifetimeMs = 240_000): Promise<FakeChiaFarm> {
  const chiaRoot = path.join(root, 'chia-mainnet');
  const ssl = makeChiaSsl(chiaRoot);
  const entries = await Promise.all(
    (Object.keys(FARM_ANSWERS) as FarmService[]).map(
      async (service) => [service, await startFakeChiaService({ ca: ssl.ca, server: ssl.daemon, lifetimeMs })] as const,
    ),
  );
  const services = Object.fromEntries(entries) as Record<FarmService, FakeChiaService>;
  writeChiaConfig(
    chiaRoot,
    '127.0.0.1',
    Object.fromEntries(entries.map(([service, server]) => [service, server.port])),
  );
  const farm: FakeChiaFarm = {
    chiaRoot,
    ssl,
    services,
    replay() {
      for (const [service, answers] of Object.entries(FARM_ANSWERS) as [FarmService, Record<string, string>][]) {
        services[service].answers.clear();
        for (const [endpoint, file] of Object.entries(answers))
          services[service].answers.set(endpoint, fixtureAnswer(RPC_FIXTURES, file));
      }
    },
    async stop(service) {
      await services[service].close();
    },
    async start(service) {
      services[service] = await startFakeChiaService({
        ca: ssl.ca,
        server: ssl.daemon,
        port: services[service].port,
        lifetimeMs,
      });
      for (const [endpoint, file] of Object.entries(FARM_ANSWERS[service]))
        services[service].answers.set(endpoint, fixtureAnswer(RPC_FIXTURES, file));
    },
    fixtureText: (file) => fs.readFileSync(path.join(RPC_FIXTURES, file), 'utf8'),
    close: async () => {
      await Promise.all(Object.values(services).map((service) => service.close()));
    },
  };
  farm.replay();
  return farm;
}
