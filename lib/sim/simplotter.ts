import os from 'node:os';
import path from 'node:path';
import { bladebitScript } from './bladebit-script.js';
import { chiaposScript } from './chiapos-script.js';
import { madmaxScript } from './madmax-script.js';
import { buildPlotHeader, type HeaderSpec } from '../plot-file/build-plot-header.js';
import { plotName, randomHex } from './plot-naming.js';
import { parseChiaArgs } from './sim-args-chia.js';
import { parseBladebitArgs, parseMadmaxArgs } from './sim-args-standalone.js';
import type { SimArgs, SimRequest } from './sim-request.js';
import { runSimScript, type SimIo } from './sim-script.js';
import { parsePos2Sim, runPos2Sim } from './pos2-sim.js';

export interface SimSettings {
  /** Wall time of one whole plot. */
  seconds: number;
  /** Die at the start of this phase; 0 never. */
  failPhase: number;
  finalBytes: number;
  memoryMb: number;
  /** Bad environment values, said on stderr; the default is used instead. */
  warnings: string[];
}

const DEFAULTS = {
  SIMPLOTTER_SECONDS: 20,
  SIMPLOTTER_FAIL_PHASE: 0,
  SIMPLOTTER_FINAL_BYTES: 65536,
  SIMPLOTTER_MEMORY_MB: 0,
};

/** Reads SIMPLOTTER_* from the environment; a bad value is named and its default used. */
export function readSimSettings(env: NodeJS.ProcessEnv): SimSettings {
  const warnings: string[] = [];
  const read = (name: keyof typeof DEFAULTS, whole: boolean): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return DEFAULTS[name];
    const value = Number(raw);
    if (Number.isFinite(value) && value >= 0 && (!whole || Number.isInteger(value))) return value;
    warnings.push(
      `simplotter: ${name}=${raw} is not ${whole ? 'a whole number' : 'a number'} >= 0; using ${DEFAULTS[name]}`,
    );
    return DEFAULTS[name];
  };
  return {
    seconds: read('SIMPLOTTER_SECONDS', false),
    failPhase: read('SIMPLOTTER_FAIL_PHASE', true),
    finalBytes: read('SIMPLOTTER_FINAL_BYTES', true),
    memoryMb: read('SIMPLOTTER_MEMORY_MB', true),
    warnings,
  };
}

/** The CLI the simulator stands in for, by the name it was run as (a symlink) and its arguments. */
export function parseSimArgs(args: string[], invokedAs: string): SimArgs {
  const name = path.basename(invokedAs).replace(/\.js$/, '');
  if (name === 'chia_plot') return parseMadmaxArgs(args, 32);
  if (name === 'chia_plot_k34') return parseMadmaxArgs(args, 34);
  if (name === 'bladebit') return parseBladebitArgs(args, false);
  if (name === 'bladebit_cuda') return parseBladebitArgs(args, true);
  return parseChiaArgs(args);
}

function phasesOf(request: SimRequest): number {
  return request.format === 'bladebit-disk' || request.format === 'bladebit-cuda' ? 3 : 4;
}

/**
 * The header the real plotter would write: chiapos and madmax v1, a compressing (Gigahorse)
 * chia_plot its own closed format; bladebit ramplot always v2, diskplot and cudaplot v2 only when
 * compressing. A pool contract (-c) makes a pool plot, else solo.
 */
export function simHeaderSpec(request: SimRequest, plotId: string): HeaderSpec {
  const v2 = request.format === 'bladebit-ram' || (request.format.startsWith('bladebit') && request.compression > 0);
  const gigahorse = request.format === 'madmax' && request.compression > 0;
  return {
    format: gigahorse ? 'gigahorse' : v2 ? 'bladebit' : 'v1',
    plotId,
    k: request.k,
    compression: v2 || gigahorse ? request.compression : 0,
    kind: request.poolContract ? 'pool' : 'solo',
  };
}

/** Memory held for the plot's lifetime so process views show a plotter's footprint. */
const heldMemory: Buffer[] = [];

/**
 * One simulated plot from start to its final rename, or the CLI's refusal. Returns the exit code.
 */
export async function runSimPlotter(options: {
  args: string[];
  invokedAs: string;
  env: NodeJS.ProcessEnv;
  io: SimIo;
  pid: number;
}): Promise<number> {
  const { io } = options;
  const pos2 = parsePos2Sim(options.args, options.invokedAs, options.env);
  if (pos2 !== null) {
    if (!pos2.ok) {
      if (pos2.stdout.length > 0) io.write(`${pos2.stdout.join('\n')}\n`);
      if (pos2.stderr.length > 0) io.writeError(`${pos2.stderr.join('\n')}\n`);
      return pos2.exitCode;
    }
    const settings = readSimSettings(options.env);
    for (const warning of settings.warnings) io.writeError(`${warning}\n`);
    return await runPos2Sim(pos2.request, settings, options.env, io);
  }
  const parsed = parseSimArgs(options.args, options.invokedAs);
  if (!parsed.ok) {
    if (parsed.stdout.length > 0) io.write(`${parsed.stdout.join('\n')}\n`);
    if (parsed.stderr.length > 0) io.writeError(`${parsed.stderr.join('\n')}\n`);
    return parsed.exitCode;
  }
  const request = { ...parsed.request, threads: parsed.request.threads || os.availableParallelism() };
  const settings = readSimSettings(options.env);
  const phases = phasesOf(request);
  if (settings.failPhase > phases) {
    settings.warnings.push(
      `simplotter: SIMPLOTTER_FAIL_PHASE=${settings.failPhase} is past this plotter's last phase (${phases}); it will not fail`,
    );
  }
  for (const warning of settings.warnings) io.writeError(`${warning}\n`);
  if (settings.memoryMb > 0) heldMemory.push(Buffer.alloc(settings.memoryMb * 1024 * 1024, 1));
  const start = new Date(io.now());
  const id = randomHex(32);
  const context = {
    id,
    start,
    pid: options.pid,
    finalBytes: settings.finalBytes,
    tempBytes: 4096,
    // Gigahorse names its level without a leading zero (c7, c31); bladebit pads it (c07)
    name: plotName(request.k, request.compression, start, id, request.format !== 'madmax'),
    header: buildPlotHeader(simHeaderSpec(request, id)),
  };
  const script =
    request.format === 'chiapos'
      ? chiaposScript(request, context)
      : request.format === 'madmax'
        ? madmaxScript(request, context)
        : bladebitScript(request, context);
  const code = await runSimScript(script, { seconds: settings.seconds, failPhase: settings.failPhase, io });
  heldMemory.length = 0;
  return code;
}
