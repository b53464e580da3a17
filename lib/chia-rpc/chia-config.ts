import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CHIA_SERVICES, DEFAULT_RPC_PORTS, DEFAULT_SELF_HOSTNAME, type ChiaService } from './services.js';
import { errorMessage } from '../util/error-message.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

export {
  CHIA_SERVICES,
  DEFAULT_RPC_PORTS,
  DEFAULT_RPC_TIMEOUT_MS,
  DEFAULT_SELF_HOSTNAME,
  missingTlsFile,
  parsePortOverride,
  tlsFiles,
  type ChiaService,
  type ServiceTls,
} from './services.js';

export interface ChiaRpcEndpoints {
  host: string;
  ports: Record<ChiaService, number>;
  /** Why a default was used for the host or a port (config.yaml missing or unreadable), or null. */
  problem: string | null;
}

export interface RpcOverrides {
  host?: string;
  ports?: Partial<Record<ChiaService, number>>;
}

/**
 * Where the services answer: chia's own client connects to `self_hostname` and
 * `<service>.rpc_port` from `<chia_root>/config/config.yaml`, so this reads the same keys.
 * Anything the file does not give comes from chia's defaults; overrides win over both. With a
 * cache file, what the file gave is kept there and used while config.yaml is unchanged.
 */
export function readRpcEndpoints(chiaRoot: string, overrides: RpcOverrides = {}, cacheFile?: string): ChiaRpcEndpoints {
  const read = readConfigEndpoints(path.join(chiaRoot, 'config', 'config.yaml'), cacheFile);
  const fromFile = 'problem' in read ? { ports: {} } : read;
  const ports = { ...DEFAULT_RPC_PORTS };
  for (const service of CHIA_SERVICES) {
    const port = overrides.ports?.[service] ?? fromFile.ports[service];
    if (port !== undefined) ports[service] = port;
  }
  return {
    host: overrides.host ?? fromFile.host ?? DEFAULT_SELF_HOSTNAME,
    ports,
    problem: 'problem' in read ? read.problem : null,
  };
}

/** The usable values config.yaml gives (a non-empty host, ports in range), before defaults and overrides. */
interface ConfigEndpoints {
  host?: string;
  ports: Partial<Record<ChiaService, number>>;
}

interface EndpointsCache {
  file: string;
  /** sha256 of config.yaml's text: exact where a file's times and size may not change (two writes in one clock tick). */
  key: string;
  endpoints: ConfigEndpoints;
}

/**
 * config.yaml's endpoints, from the cache while the file's text is the one it was made from.
 * chia's config.yaml is some 40 KB of YAML: the parser's load and the parse cost a collector run
 * about a tenth of its start (bench/RESULTS.md), every minute, for a file that rarely changes;
 * reading and hashing it costs well under a millisecond.
 */
function readConfigEndpoints(file: string, cacheFile: string | undefined): ConfigEndpoints | { problem: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
    return { problem: `${file}: ${code}; using chia's default host and ports` };
  }
  const key = crypto.createHash('sha256').update(text).digest('hex');
  const cached = cacheFile === undefined ? null : readEndpointsCache(cacheFile);
  if (cached !== null && cached.file === file && cached.key === key) return cached.endpoints;
  const parsed = parseConfigEndpoints(file, text);
  if (!('problem' in parsed) && cacheFile !== undefined) {
    try {
      writeFileAtomicSync(cacheFile, `${JSON.stringify({ file, key, endpoints: parsed } satisfies EndpointsCache)}\n`);
    } catch {
      // the cache only saves time: without it the next run parses config.yaml again
    }
  }
  return parsed;
}

function parseConfigEndpoints(file: string, text: string): ConfigEndpoints | { problem: string } {
  let config: unknown;
  try {
    // loaded only when config.yaml is parsed, which the cache spares most runs
    const yaml = createRequire(import.meta.url)('js-yaml') as typeof import('js-yaml');
    config = yaml.load(text);
  } catch (error) {
    return { problem: `${file}: ${errorMessage(error).split('\n')[0]}; using chia's default host and ports` };
  }
  if (!isRecord(config)) return { problem: `${file} is not a YAML mapping; using chia's default host and ports` };
  const endpoints: ConfigEndpoints = { ports: {} };
  if (typeof config.self_hostname === 'string' && config.self_hostname !== '') endpoints.host = config.self_hostname;
  for (const service of CHIA_SERVICES) {
    const section = config[service];
    const port = isRecord(section) ? section.rpc_port : undefined;
    if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536)
      endpoints.ports[service] = port;
  }
  return endpoints;
}

/** The cache as written, or null for a missing, unreadable or foreign file: it is then made again. */
function readEndpointsCache(cacheFile: string): EndpointsCache | null {
  try {
    const cache: unknown = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
    if (!isRecord(cache) || typeof cache.file !== 'string' || typeof cache.key !== 'string') return null;
    const endpoints = cache.endpoints;
    if (!isRecord(endpoints) || !isRecord(endpoints.ports)) return null;
    if (endpoints.host !== undefined && (typeof endpoints.host !== 'string' || endpoints.host === '')) return null;
    for (const port of Object.values(endpoints.ports))
      if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port >= 65_536) return null;
    return cache as unknown as EndpointsCache;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
