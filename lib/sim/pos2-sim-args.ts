import path from 'node:path';
import { randomHex } from './plot-naming.js';
import { describeOptions, opt, parseOptions, type OptionSpec, type OptionValues } from './sim-options.js';

/** One simulated pos2 plotter run: `plots create2` (a group) or the reference tool's `test` (one plot). */
export interface Pos2SimRequest {
  mode: 'create2' | 'test' | 'xchplot2';
  k: number;
  strength: number;
  count: number;
  /** The first plot's index, raised by one per plot. */
  index: number;
  metaGroup: number;
  destDir: string;
  memo: 'solo' | 'pool' | 'zero';
  /** test mode: the plot id given on the command line. */
  plotId: string | null;
  /** xchplot2 mode: `--progress` asks for its aggregate progress line after each plot. */
  progress?: boolean;
}

export type Pos2SimArgs =
  { ok: true; request: Pos2SimRequest } | { ok: false; exitCode: number; stdout: string[]; stderr: string[] };

/** chia's `plots create2` as proposed (DESIGN §17), plus -k, --index, --meta-group and -t for test templates. */
const CREATE2: OptionSpec[] = [
  opt('-k --size', 'k', 'int'),
  opt('--strength', 'strength', 'int'),
  opt('-n --num', 'count', 'int'),
  opt('--index', 'index', 'int'),
  opt('--meta-group', 'metaGroup', 'int'),
  opt('-r --num_threads', 'threads', 'int'),
  opt('-t --tmp_dir', 'tempDir'),
  opt('-d --final_dir', 'destDir'),
  opt('-f --farmer_public_key', 'farmerKey'),
  opt('-p --pool_public_key', 'poolKey'),
  opt('-c --pool_contract_address', 'poolContract'),
];

const USAGE = 'Usage: chia plots create2 [OPTIONS]';

function refuse(stderr: string[], exitCode = 2, stdout: string[] = []): Pos2SimArgs {
  return { ok: false, exitCode, stdout, stderr };
}

function num(values: OptionValues, key: string, fallback: number): number {
  const value = values[key];
  return typeof value === 'number' ? value : fallback;
}

function checkRanges(r: Pos2SimRequest): string | null {
  if (r.k < 18 || r.k > 32 || r.k % 2 !== 0) return `k must be even, 18 to 32 (got ${r.k})`;
  if (r.strength < 0 || r.strength > 8) return `strength must be 0 to 8 (got ${r.strength})`;
  if (r.count < 1) return `-n must be 1 or more (got ${r.count})`;
  if (r.index < 0 || r.index + r.count - 1 > 65_535) return `plot indices must be 0 to 65535 (got ${r.index})`;
  if (r.metaGroup < 0 || r.metaGroup > 255) return `meta group must be 0 to 255 (got ${r.metaGroup})`;
  return null;
}

/** `plots create2 …`: a group of `-n` plots into `-d`; without --meta-group the plotter picks one. */
export function parseCreate2Args(args: string[], env: NodeJS.ProcessEnv): Pos2SimArgs {
  if (args.includes('-h') || args.includes('--help'))
    return refuse([], 0, [USAGE, '', 'Options:', describeOptions(CREATE2)]);
  const parsed = parseOptions(args, CREATE2);
  if (!parsed.ok) {
    const what =
      parsed.problem === 'unknown'
        ? `No such option: ${parsed.arg}`
        : parsed.problem === 'missing-value'
          ? `Option '${parsed.flag}' requires an argument.`
          : `Invalid value for '${parsed.flag}': '${parsed.value}' is not a valid integer.`;
    return refuse([USAGE, '', `Error: ${what}`]);
  }
  const { values } = parsed;
  const poolContract = typeof values.poolContract === 'string' ? values.poolContract : '';
  const request: Pos2SimRequest = {
    mode: 'create2',
    k: num(values, 'k', Number(env.SIMPLOTTER_K) || 28),
    strength: num(values, 'strength', 2),
    count: num(values, 'count', 1),
    index: num(values, 'index', 0),
    metaGroup: num(values, 'metaGroup', Math.floor(Math.random() * 256)),
    destDir: path.resolve(typeof values.destDir === 'string' ? values.destDir : '.'),
    // a pool contract makes a pool plot; a pool key (or chia's keychain) a solo one
    memo: poolContract !== '' ? 'pool' : 'solo',
    plotId: null,
  };
  const problem = checkRanges(request);
  return problem === null ? { ok: true, request } : refuse([USAGE, '', `Error: ${problem}`]);
}

/** xchplot2's `plot` command, the options goplot passes (DESIGN §17); `-i` is the first index. */
const XCHPLOT2: OptionSpec[] = [
  opt('-k', 'k', 'int'),
  opt('-n --num', 'count', 'int'),
  opt('-i --plot-index', 'index', 'int'),
  opt('-g --meta-group', 'metaGroup', 'int'),
  opt('-s --strength', 'strength', 'int'),
  opt('-f', 'farmerKey'),
  opt('-p', 'poolKey'),
  opt('-c', 'poolContract'),
  opt('-o --out', 'destDir'),
  opt('--progress', 'progress', 'flag'),
];

/** `xchplot2 plot …`: a group of `-n` plots into `-o`, each written as `.plot2.partial` and renamed when whole. */
export function parseXchplot2Args(args: string[]): Pos2SimArgs {
  const usage = 'usage: xchplot2 plot -k K -n N -f FARMER_PK (-p POOL_PK | -c CONTRACT) -o DIR [options]';
  const parsed = parseOptions(args, XCHPLOT2);
  if (!parsed.ok)
    return refuse([`Error: bad option ${parsed.problem === 'unknown' ? parsed.arg : parsed.flag}`, usage]);
  const { values } = parsed;
  const request: Pos2SimRequest = {
    mode: 'xchplot2',
    k: num(values, 'k', 28),
    strength: num(values, 'strength', 2),
    count: num(values, 'count', 1),
    index: num(values, 'index', 0),
    metaGroup: num(values, 'metaGroup', 0),
    destDir: path.resolve(typeof values.destDir === 'string' ? values.destDir : '.'),
    memo: typeof values.poolContract === 'string' && values.poolContract !== '' ? 'pool' : 'solo',
    plotId: null,
    progress: values.progress === true,
  };
  const problem = checkRanges(request);
  return problem === null ? { ok: true, request } : refuse([`Error: ${problem}`, usage]);
}

/** The reference tool's `plotter test K PLOT_ID STRENGTH INDEX META_GROUP`: one plot, a `.bin` in the working dir. */
export function parseTestArgs(args: string[]): Pos2SimArgs {
  const usage = 'Usage: plotter test <k> <plot_id_hex> [strength] [plot_index] [meta_group]';
  const [k, plotId, strength = '2', index = '0', metaGroup = '0'] = args;
  const whole = [k, strength, index, metaGroup].every((value) => value !== undefined && /^\d+$/.test(value));
  if (!whole || plotId === undefined || !/^[0-9a-fA-F]{64}$/.test(plotId)) return refuse([usage], 1);
  const request: Pos2SimRequest = {
    mode: 'test',
    k: Number(k),
    strength: Number(strength),
    count: 1,
    index: Number(index),
    metaGroup: Number(metaGroup),
    destDir: process.cwd(),
    memo: 'zero',
    plotId: plotId.toLowerCase(),
  };
  const problem = checkRanges(request);
  return problem === null ? { ok: true, request } : refuse([`Error: ${problem}`, usage], 1);
}

export function newPlotId(request: Pos2SimRequest): string {
  return request.plotId ?? randomHex(32);
}
