import type { ConfigReader } from '../config/config-reader.js';
import { errorMessage } from '../util/error-message.js';
import { readGetfarmHeight } from './getfarm-height.js';

/**
 * Where a height came from: the farm collector's fresh getfarm.prom, chia's RPC, its CLI
 * (`chia show -s`), the chain_height value, or nowhere.
 */
export type HeightSource = 'getfarm' | 'rpc' | 'cli' | 'value' | 'none';

export interface ChainHeight {
  height: number | null;
  source: HeightSource;
  /** `full_node RPC at localhost:8555`, `chia show -s`, `config/chain_height.goplot`: what answered. */
  where: string;
  /** Why each source tried before (or instead of) the one used gave nothing. */
  problems: string[];
}

export interface ChainHeightOptions {
  config: ConfigReader;
  env: NodeJS.ProcessEnv;
  /** Each RPC call gives up after this long (default 10 s). */
  rpcTimeoutMs?: number;
  /** `chia show -s` is killed after this long (default 30 s). */
  cliTimeoutMs?: number;
  /**
   * First try the height the farm collector wrote to `<prom_dir>/getfarm.prom`, when it is fresh
   * against nowMs: the cron collectors pass it so chia (a Python start) is asked once a minute,
   * not twice. Left out, chia is asked directly.
   */
  getfarm?: { nowMs: number; maxAgeMs?: number };
}

type Tried = { height: number; where: string } | { problem: string };

/** The full node's peak from get_blockchain_state; any failure comes back as a sentence naming the service. */
async function fromRpc(options: ChainHeightOptions): Promise<Tried> {
  const chiaRoot = options.config.get('chia_root');
  // loaded only when the RPC is asked: a fresh getfarm.prom (the cron collectors) needs none of it
  const { missingTlsFile } = await import('../chia-rpc/services.js');
  const missing = missingTlsFile(chiaRoot, 'full_node');
  if (missing !== null) return { problem: `no RPC certificates for the full_node: cannot read ${missing}` };
  // the RPC client, YAML and exact JSON load only when there are certificates to call with
  const { ChiaRpc } = await import('../chia-rpc/rpc-client.js');
  const { isObject, numberOf } = await import('../chia-rpc/chia-json.js');
  const rpc = new ChiaRpc({ chiaRoot, timeoutMs: options.rpcTimeoutMs });
  try {
    const answer = await rpc.call('full_node', 'get_blockchain_state');
    if (!answer.ok) return { problem: answer.problem };
    const state = answer.data.blockchain_state;
    const peak = isObject(state) && isObject(state.peak) ? numberOf(state.peak.height) : null;
    if (peak === null || !Number.isSafeInteger(peak) || peak < 0)
      return {
        problem: `${rpc.describe('full_node')}: get_blockchain_state has no peak height (the node has no chain yet?)`,
      };
    return { height: peak, where: rpc.describe('full_node') };
  } finally {
    rpc.close();
  }
}

/** The peak from `chia show -s`, as getfarm reads it. */
async function fromCli(options: ChainHeightOptions): Promise<Tried> {
  const { runChia } = await import('../chia-cli/run-chia.js');
  const { parseShowState } = await import('../chia-cli/parse-show-state.js');
  const chiaBin = options.config.get('chia_bin');
  const run = await runChia(chiaBin, ['show', '-s'], { timeoutMs: options.cliTimeoutMs ?? 30_000, env: options.env });
  if (!run.ok) return { problem: run.message };
  const state = parseShowState(run.stdout);
  if (state.peakHeight === null) {
    const said = state.recognized ? (state.status ?? 'no height') : 'nothing chia prints';
    return { problem: `"${run.command}" gave no peak height (${said})` };
  }
  return { height: state.peakHeight, where: `"${run.command}"` };
}

/** The chain_height value: a farmer's word on a host with no node. */
function fromValue(config: ConfigReader): Tried {
  const inspected = config.inspect('chain_height');
  if (inspected.value === '') {
    const why = inspected.error ?? `${inspected.file}: not set`;
    return { problem: why };
  }
  return { height: Number(inspected.value), where: inspected.file };
}

/**
 * The chain height: the farm collector's fresh getfarm.prom (only when options.getfarm asks),
 * else chia's RPC (unless chia_rpc is off), else `chia show -s` (unless chia_rpc is on, which
 * means the RPC only), else the chain_height value. Never throws: a height no source
 * gives is null, with every source's reason.
 */
export async function readChainHeight(options: ChainHeightOptions): Promise<ChainHeight> {
  const mode = options.config.get('chia_rpc');
  const problems: string[] = [];
  const attempts: [Exclude<HeightSource, 'none'>, () => Promise<Tried> | Tried][] = [];
  const getfarm = options.getfarm;
  if (getfarm !== undefined)
    attempts.push([
      'getfarm',
      () => readGetfarmHeight(options.config.get('prom_dir'), getfarm.nowMs, getfarm.maxAgeMs),
    ]);
  if (mode !== 'off') attempts.push(['rpc', () => fromRpc(options)]);
  if (mode !== 'on') attempts.push(['cli', () => fromCli(options)]);
  attempts.push(['value', () => fromValue(options.config)]);
  for (const [source, attempt] of attempts) {
    let tried: Tried;
    try {
      tried = await attempt();
    } catch (error) {
      tried = { problem: `${source}: ${errorMessage(error)}` };
    }
    if ('height' in tried) return { height: tried.height, source, where: tried.where, problems };
    problems.push(tried.problem);
  }
  return { height: null, source: 'none', where: 'nowhere', problems };
}

/** One line for a person: `9,600,000 (from full_node RPC at localhost:8555)`. */
export function describeHeight(height: ChainHeight): string {
  if (height.height === null) return `unknown: ${height.problems.join('; ')}`;
  const words = {
    getfarm: "the farm collector's textfile",
    rpc: "chia's RPC",
    cli: "chia's CLI",
    value: 'the chain_height value',
    none: '',
  }[height.source];
  return `${height.height.toLocaleString('en-US')} (from ${words}: ${height.where})`;
}
