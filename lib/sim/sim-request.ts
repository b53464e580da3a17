/** One simulated plot, as parsed from any plotter's arguments. */
export interface SimRequest {
  /** Whose log format and file habits to copy. */
  format: 'chiapos' | 'madmax' | 'bladebit-ram' | 'bladebit-disk' | 'bladebit-cuda';
  /** Run through `chia plotters …` (which adds `Progress update` lines) rather than standalone. */
  viaChia: boolean;
  k: number;
  threads: number;
  buffer: number;
  buckets: number;
  buckets3: number;
  compression: number;
  /** chiapos -e: phase 2 says "Backpropagation without bitfield". */
  noBitfield: boolean;
  tempDir: string;
  temp2Dir: string;
  destDir: string;
  farmerKey: string;
  poolKey: string;
  poolContract: string;
  /** madmax built for k34 (chia_plot_k34) prints k34 in its banner. */
  kmax: number;
}

/** What the simulation context adds: ids, clock, sizes, pid. */
export interface SimContext {
  id: string;
  name: string;
  start: Date;
  pid: number;
  finalBytes: number;
  /** Size of each temp file: small, so tests and demos stay light. */
  tempBytes: number;
  /** The real header for this plot's format, k, level and memo kind, written at the final file's start. */
  header: Buffer;
}

/** A request to plot, or what the CLI prints and exits with instead (usage errors, refusals, help). */
export type SimArgs =
  { ok: true; request: SimRequest } | { ok: false; exitCode: number; stdout: string[]; stderr: string[] };

/** The lowest k the simulator plots (chia's own CLI stops at 25 even with --override-k). */
export const SIM_MIN_K = 18;

export function refuse(exitCode: number, stderr: string[], stdout: string[] = []): SimArgs {
  return { ok: false, exitCode, stdout, stderr };
}
