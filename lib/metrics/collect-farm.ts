import type { ChiaRunResult, RunChia } from '../chia-cli/run-chia.js';
import type { RpcOverrides } from '../chia-rpc/chia-config.js';
import { missingFarmCertificates } from '../chia-rpc/services.js';
import { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { runCollector, type CollectorOutcome, type CollectResult } from './run-collector.js';
import { DeferredLog } from './deferred-log.js';

export const DEFAULT_CHIA_TIMEOUT_MS = 30_000;

/**
 * What getfarm.prom says about now rather than about totals: when chia fails or hangs these are
 * dropped, not kept from the last good run, so a dead node does not look synced and farming.
 */
export const FARM_STATUS_METRICS = [
  'farm_fullnode_syncstatus',
  'farm_farmer_farmstatus',
  'farm_fullnode_peak_height',
  'farm_fullnode_sync_progress_height',
  'farm_fullnode_sync_tip_height',
  'farm_harvesters',
  'farm_harvesters_loading',
  // the RPC's: a signage point age kept from a good run would hide a farmer that stopped getting them
  'farm_farmer_last_signage_point_age_seconds',
  'farm_farmer_signage_points',
  'farm_farmer_signage_point_index',
  'farm_farmer_harvester_loading',
  'farm_wallet_synced',
  'farm_wallet_syncing',
] as const;

export interface CollectFarmOptions {
  paths: HomePaths;
  env?: NodeJS.ProcessEnv;
  /** Each chia command is killed after this long (default 30 s). */
  timeoutMs?: number;
  now?: () => number;
  /** Runs `chia <args>`; by default chia_bin through execa. Benchmarks pass canned output. */
  runChia?: RunChia;
  /** Each RPC call gives up after this long (default 10 s). */
  rpcTimeoutMs?: number;
  /** Host and ports instead of config.yaml's. */
  rpc?: RpcOverrides;
}

/**
 * The farm collector (goplot's getfarm_collector.sh), from chia's RPC or from `chia show -s` and
 * `chia farm summary` run side by side (chia_rpc: `on`, `off`, or `auto`: the RPC when its
 * certificates are there and the full node and farmer answer, else the CLI; the log says which
 * once, and again when it changes), written to `<prom_dir>/getfarm.prom`. A failed run keeps the
 * last good totals (the status metrics go), with getfarm_collector_success 0, and the log says why.
 */
export async function collectFarm(options: CollectFarmOptions): Promise<CollectorOutcome> {
  const env = options.env ?? process.env;
  const log = new DeferredLog(options.paths, 'getfarm');
  const config = new ConfigReader(options.paths, (level, message) => log.addOnce(level, message), env);
  const mode = config.get('chia_rpc');
  const collectFromCli = () => collectCli(options, config.get('chia_bin'), env);

  return runCollector({
    name: 'getfarm',
    promDir: config.get('prom_dir'),
    log,
    statusMetrics: FARM_STATUS_METRICS,
    now: options.now,
    collect: async (): Promise<CollectResult> => {
      if (mode === 'off') return collectFromCli();
      // auto on a host without chia's certificates (a plotter, a harvester): the CLI, said as the
      // RPC source would say it, without loading the RPC client, YAML and exact JSON first
      const noCertificates = missingFarmCertificates(config.get('chia_root'));
      if (mode === 'auto' && noCertificates !== null) {
        log.addOnce('info', `reading chia through its CLI (chia_rpc auto): ${noCertificates}`);
        return collectFromCli();
      }
      const { collectFarmFromRpc } = await import('./rpc-farm-source.js');
      const rpc = await collectFarmFromRpc({
        chiaRoot: config.get('chia_root'),
        logsDir: options.paths.logsDir,
        timeoutMs: options.rpcTimeoutMs,
        now: options.now,
        ...options.rpc,
      });
      if (mode === 'on') {
        log.addOnce('info', `reading chia through its RPC (chia_rpc on): ${rpc.where}`);
        return rpc.result;
      }
      if (rpc.answered) {
        log.addOnce('info', `reading chia through its RPC (chia_rpc auto): ${rpc.where} answer`);
        return rpc.result;
      }
      log.addOnce('info', `reading chia through its CLI (chia_rpc auto): ${rpc.reason}`);
      return collectFromCli();
    },
  });
}

async function collectCli(
  options: CollectFarmOptions,
  chiaBin: string,
  env: NodeJS.ProcessEnv,
): Promise<CollectResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHIA_TIMEOUT_MS;
  // execa, chia's output parsers and their registry load only when chia's CLI is the source: an
  // RPC run starts quicker without them
  const [{ buildFarmRegistry }, { parseFarmSummary }, { parseShowState }] = await Promise.all([
    import('./farm-registry.js'),
    import('../chia-cli/parse-farm-summary.js'),
    import('../chia-cli/parse-show-state.js'),
  ]);
  let run: RunChia;
  if (options.runChia) {
    run = options.runChia;
  } else {
    const { runChia } = await import('../chia-cli/run-chia.js');
    run = (args) => runChia(chiaBin, args, { timeoutMs, env });
  }
  const [showRun, summaryRun] = await Promise.all([run(['show', '-s']), run(['farm', 'summary'])]);
  const show = readOutput(showRun, parseShowState);
  const summary = readOutput(summaryRun, parseFarmSummary);
  if (!show.ok || !summary.ok) {
    // Both commands fail the same way when chia_bin is missing: say it once.
    const problems = new Set([show, summary].flatMap((read) => (read.ok ? [] : [read.problem])));
    return { ok: false, problem: [...problems].join('; ') };
  }
  return { ok: true, ...buildFarmRegistry(show.value, summary.value) };
}

type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A run that did not end, or whose output has no line chia prints, is a failed run. */
function readOutput<T extends { recognized: boolean }>(run: ChiaRunResult, parse: (text: string) => T): Read<T> {
  if (!run.ok) return { ok: false, problem: run.message };
  const value = parse(run.stdout);
  if (value.recognized) return { ok: true, value };
  const exit = run.exitCode === 0 ? '' : ` and exited with code ${run.exitCode}`;
  const shown = firstLine(run.stdout);
  if (shown !== null)
    return { ok: false, problem: `"${run.command}" printed nothing chia prints${exit}: ${JSON.stringify(shown)}` };
  // A Python traceback ends with the line that says what went wrong.
  const lastError = lastLine(run.stderr);
  return {
    ok: false,
    problem: `"${run.command}" printed nothing${exit}${lastError === null ? '' : `: stderr ${JSON.stringify(lastError)}`}`,
  };
}

function firstLine(text: string): string | null {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '');
  return line === undefined ? null : line.trim().slice(0, 160);
}

function lastLine(text: string): string | null {
  const line = text.split('\n').findLast((candidate) => candidate.trim() !== '');
  return line === undefined ? null : line.trim().slice(0, 160);
}
