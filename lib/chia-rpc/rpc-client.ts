import fs from 'node:fs';
import https from 'node:https';
import { MAX_RPC_ANSWER_BYTES, postJson, type PostAnswer } from './https-post.js';
import {
  DEFAULT_RPC_TIMEOUT_MS,
  readRpcEndpoints,
  tlsFiles,
  type ChiaRpcEndpoints,
  type ChiaService,
  type RpcOverrides,
} from './chia-config.js';
import { isObject, parseChiaJson, textOf, type JsonObject } from './chia-json.js';
import { errorMessage } from '../util/error-message.js';

/**
 * What one call gave. `reached` says the service answered at all (with an HTTP response): a
 * service that answers `success: false` is up, one that refuses the connection or times out is not.
 */
export type RpcResult = { ok: true; data: JsonObject } | { ok: false; reached: boolean; problem: string };

export interface ChiaRpcOptions extends RpcOverrides {
  chiaRoot: string;
  /** The whole of one call: connect, TLS, request and answer (default 10 s, as chia-exporter's). */
  timeoutMs?: number;
  /** An answer larger than this is refused unread (default MAX_RPC_ANSWER_BYTES). */
  maxAnswerBytes?: number;
  /** Where config.yaml's host and ports are kept between runs (a collector's, every minute); none by default. */
  endpointsCacheFile?: string;
}

/**
 * The part of each answer its readers need: `{"success": true}` without it would pass for an
 * answer with every value missing (and a not-synced node could never look not synced).
 */
const ANSWER_KEYS: Record<string, string> = {
  get_blockchain_state: 'blockchain_state',
  get_harvesters_summary: 'harvesters',
  get_pool_state: 'pool_state',
  get_signage_points: 'signage_points',
  get_sync_status: 'synced',
  get_height_info: 'height',
  get_farmed_amount: 'farmed_amount',
  get_wallet_balance: 'wallet_balance',
  get_plots: 'plots',
  get_plot_directories: 'directories',
};

/**
 * Chia's RPC services over HTTPS with mutual TLS: the service's own private certificate, the
 * server checked against chia's private CA but not by name (its certificate names chia.net),
 * TLS 1.3 as chia 2.6+ requires. One keep-alive connection per service for a run; no retries,
 * since the next cron run is the retry; every failure comes back as data naming service and port.
 */
export class ChiaRpc {
  readonly endpoints: ChiaRpcEndpoints;
  private readonly timeoutMs: number;
  private readonly agents = new Map<ChiaService, https.Agent | { problem: string }>();

  constructor(private readonly options: ChiaRpcOptions) {
    this.endpoints = readRpcEndpoints(options.chiaRoot, options, options.endpointsCacheFile);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  }

  /** `farmer RPC at localhost:8559`, as every message about that service begins. */
  describe(service: ChiaService): string {
    const host = this.endpoints.host.includes(':') ? `[${this.endpoints.host}]` : this.endpoints.host;
    return `${service} RPC at ${host}:${this.endpoints.ports[service]}`;
  }

  async call(service: ChiaService, endpoint: string, body: Record<string, unknown> = {}): Promise<RpcResult> {
    const where = this.describe(service);
    const agent = this.agentFor(service);
    if ('problem' in agent) return { ok: false, reached: false, problem: `${where}: ${agent.problem}` };
    const host = this.endpoints.host.includes(':') ? `[${this.endpoints.host}]` : this.endpoints.host;
    const maxBytes = this.options.maxAnswerBytes ?? MAX_RPC_ANSWER_BYTES;
    let response: PostAnswer;
    try {
      response = await postJson(`https://${host}:${this.endpoints.ports[service]}/${endpoint}`, {
        body: JSON.stringify(body),
        agent,
        timeoutMs: this.timeoutMs,
        maxBytes,
      });
    } catch (error) {
      return { ok: false, reached: false, problem: `${where}: ${this.connectionProblem(service, endpoint, error)}` };
    }
    if ('tooLarge' in response)
      return {
        ok: false,
        reached: true,
        problem: `${where}: ${endpoint} answered more than ${maxBytes} bytes; not read (no chia answer is that large)`,
      };
    const text = response.text;
    if (response.statusCode !== 200) {
      return {
        ok: false,
        reached: true,
        problem: `${where}: ${endpoint} answered HTTP ${response.statusCode}: ${quote(text)}`,
      };
    }
    let data;
    try {
      data = parseChiaJson(text);
    } catch {
      return {
        ok: false,
        reached: true,
        problem: `${where}: ${endpoint} answered something that is not JSON: ${quote(text)}`,
      };
    }
    if (!isObject(data))
      return { ok: false, reached: true, problem: `${where}: ${endpoint} answered ${quote(text)}, not a JSON object` };
    if (data.success !== true)
      return { ok: false, reached: true, problem: `${where}: ${endpoint} failed: ${chiaError(data)}` };
    const needed = ANSWER_KEYS[endpoint];
    if (needed !== undefined && (data[needed] === undefined || data[needed] === null))
      return {
        ok: false,
        reached: true,
        problem: `${where}: ${endpoint} answered success without its ${needed}: ${quote(text)}`,
      };
    return { ok: true, data };
  }

  /** Lets the process end now instead of when idle keep-alive sockets time out. */
  close(): void {
    for (const agent of this.agents.values()) if (agent instanceof https.Agent) agent.destroy();
    this.agents.clear();
  }

  private agentFor(service: ChiaService): https.Agent | { problem: string } {
    let agent = this.agents.get(service);
    if (agent === undefined) {
      agent = makeAgent(this.options.chiaRoot, service);
      this.agents.set(service, agent);
    }
    return agent;
  }

  private connectionProblem(service: ChiaService, endpoint: string, error: unknown): string {
    if (!(error instanceof Error)) return `${endpoint}: ${String(error)}`;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (error.name === 'TimeoutError') return `no answer to ${endpoint} within ${seconds(this.timeoutMs)}`;
    if (code === 'ECONNREFUSED') return 'connection refused (is the service running, and is this its rpc_port?)';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host (${code})`;
    if (/ALERT_(UNKNOWN_CA|CERTIFICATE_REQUIRED|BAD_CERTIFICATE|DECRYPT_ERROR)/.test(code)) {
      return `the service refused our client certificate (${code}): it is not signed by the CA this service trusts`;
    }
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      // TLS 1.3 ends the handshake before the server has checked our certificate: its refusal
      // comes as an alert or, as often, as a reset, both after the request was sent
      return (
        `the service closed the connection without an answer (${code}): a chia service does that when it does not trust ` +
        `our client certificate ${tlsFiles(this.options.chiaRoot, service).cert} (not signed by its private CA), or while it stops`
      );
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
      return `the service's certificate is not signed by config/ssl/ca/private_ca.crt (${code}): ${error.message}`;
    }
    if (/SSL|TLS|EPROTO/.test(code)) return `TLS handshake failed (${code}): ${error.message}`;
    return `${endpoint}: ${error.message}${code ? ` (${code})` : ''}`;
  }
}

function makeAgent(chiaRoot: string, service: ChiaService): https.Agent | { problem: string } {
  const files = tlsFiles(chiaRoot, service);
  const read = (file: string): Buffer | string => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      return `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`;
    }
  };
  const [ca, cert, key] = [read(files.ca), read(files.cert), read(files.key)];
  for (const part of [ca, cert, key]) if (typeof part === 'string') return { problem: part };
  return new https.Agent({
    keepAlive: true,
    maxSockets: 1,
    ca,
    cert,
    key,
    minVersion: 'TLSv1.3',
    // the chain must lead to chia's private CA; the name (chia.net) says nothing about this host
    checkServerIdentity: () => undefined,
  });
}

/** Chia's words for a failure: `error` (possibly empty), and since 2.6.1 a structured code. */
function chiaError(data: JsonObject): string {
  const error = textOf(data.error);
  const structured = isObject(data.structuredError) ? textOf(data.structuredError.code) : null;
  const words = error === null || error === '' ? '(chia gave no error text)' : JSON.stringify(error);
  return structured === null ? words : `${words} [${structured}]`;
}

function quote(text: string): string {
  const line = text
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
  return JSON.stringify(line.length > 160 ? `${line.slice(0, 160)}…` : line);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}
