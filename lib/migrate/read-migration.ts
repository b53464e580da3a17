import type { ConfigReader } from '../config/config-reader.js';
import { readChainHeight, type ChainHeight } from './chain-height.js';
import { planMigration, type MigrationPlan } from './plan-migration.js';
import type { PhaseoutParams } from './phaseout.js';
import { scanPosSummary } from './scan-pos-summary.js';

export function phaseoutParams(config: ConfigReader): PhaseoutParams {
  return {
    forkHeight: config.get('fork_height'),
    epochBlocks: config.get('epoch_blocks'),
    phaseoutEpochs: config.get('phaseout_epochs'),
  };
}

export interface Migration {
  height: ChainHeight;
  /** null when no source gives the chain height: nothing about the phase-out can be said then. */
  plan: MigrationPlan | null;
}

/** The farm's plan from its plot files, the chain height and the clock. */
export async function readMigration(
  config: ConfigReader,
  env: NodeJS.ProcessEnv,
  nowMs: number,
  options: { rpcTimeoutMs?: number; cliTimeoutMs?: number; fromGetfarm?: boolean } = {},
): Promise<Migration> {
  const { fromGetfarm, ...timeouts } = options;
  const height = await readChainHeight({
    config,
    env,
    ...timeouts,
    ...(fromGetfarm === true ? { getfarm: { nowMs } } : {}),
  });
  if (height.height === null) return { height, plan: null };
  const plan = planMigration({
    farm: await scanPosSummary(config),
    height: height.height,
    nowMs,
    params: phaseoutParams(config),
    targetWeight: config.get('migrate_target_weight'),
  });
  return { height, plan };
}
