import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { CHIA_SERVICES, DEFAULT_RPC_PORTS, DEFAULT_SELF_HOSTNAME, type ChiaService } from './services.js';
import { errorMessage } from '../util/error-message.js';

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
 * Anything the file does not give comes from chia's defaults; overrides win over both.
 */
export function readRpcEndpoints(chiaRoot: string, overrides: RpcOverrides = {}): ChiaRpcEndpoints {
  const file = path.join(chiaRoot, 'config', 'config.yaml');
  let config: Record<string, unknown> = {};
  let problem: string | null = null;
  try {
    const loaded = yaml.load(fs.readFileSync(file, 'utf8'));
    if (isRecord(loaded)) config = loaded;
    else problem = `${file} is not a YAML mapping; using chia's default host and ports`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem = `${file}: ${code ?? errorMessage(error).split('\n')[0]}; using chia's default host and ports`;
  }
  const hostname = config.self_hostname;
  const ports = { ...DEFAULT_RPC_PORTS };
  for (const service of CHIA_SERVICES) {
    const section = config[service];
    const port = isRecord(section) ? section.rpc_port : undefined;
    if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536) ports[service] = port;
    const override = overrides.ports?.[service];
    if (override !== undefined) ports[service] = override;
  }
  return {
    host: overrides.host ?? (typeof hostname === 'string' && hostname !== '' ? hostname : DEFAULT_SELF_HOSTNAME),
    ports,
    problem,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
