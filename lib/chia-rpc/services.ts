// Apart from chia-config.ts so a collector's options, and a run that finds no certificates, need
// neither YAML nor HTTP loaded.
import fs from 'node:fs';
import path from 'node:path';

export const CHIA_SERVICES = ['full_node', 'farmer', 'harvester', 'wallet'] as const;
export type ChiaService = (typeof CHIA_SERVICES)[number];

/** Chia's defaults (its initial-config.yaml), used when config.yaml does not say. */
export const DEFAULT_RPC_PORTS: Record<ChiaService, number> = {
  full_node: 8555,
  farmer: 8559,
  harvester: 8560,
  wallet: 9256,
};
export const DEFAULT_SELF_HOSTNAME = 'localhost';
/** The whole of one RPC call, as chia-exporter's default: a farmer busy with a big farm can be slow. */
export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/** `farmer=8559` as a command line gives a port override; null when it is not one. */
export function parsePortOverride(text: string): { service: ChiaService; port: number } | null {
  const match = /^([a-z_]+)=(\d{1,5})$/.exec(text);
  const service = match?.[1] as ChiaService | undefined;
  const port = Number(match?.[2]);
  if (service === undefined || !CHIA_SERVICES.includes(service) || !Number.isInteger(port) || port < 1 || port > 65_535)
    return null;
  return { service, port };
}

export interface ServiceTls {
  ca: string;
  cert: string;
  key: string;
}

/** The private CA and the service's own private pair, laid out as `chia init` makes them. */
export function tlsFiles(chiaRoot: string, service: ChiaService): ServiceTls {
  const ssl = path.join(chiaRoot, 'config', 'ssl');
  return {
    ca: path.join(ssl, 'ca', 'private_ca.crt'),
    cert: path.join(ssl, service, `private_${service}.crt`),
    key: path.join(ssl, service, `private_${service}.key`),
  };
}

/** The first of the service's TLS files that cannot be read, with why, or null when all can. */
export function missingTlsFile(chiaRoot: string, service: ChiaService): string | null {
  for (const file of Object.values(tlsFiles(chiaRoot, service))) {
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (error) {
      return `${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`;
    }
  }
  return null;
}

/** Why getfarm cannot use the RPC for want of the full node's or the farmer's TLS files, or null. */
export function missingFarmCertificates(chiaRoot: string): string | null {
  for (const service of ['full_node', 'farmer'] as const) {
    const missing = missingTlsFile(chiaRoot, service);
    if (missing !== null) return `no RPC certificates for the ${service}: cannot read ${missing}`;
  }
  return null;
}

/** The collectors' cache of config.yaml's host and ports, in the goplot home's logs/ beside their other memory. */
export const CHIA_ENDPOINTS_CACHE = 'chia-endpoints.json';
