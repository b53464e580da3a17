// Apart from chia-config.ts so a collector's options need neither YAML nor HTTP loaded.
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
