import { randomHex } from './plot-naming.js';
import { checkBladebitValues, onlyOnePlot } from './sim-args-standalone.js';
import { describeOptions, num, opt, parseOptions, str, type OptionSpec, type OptionValues } from './sim-options.js';
import { refuse, SIM_MIN_K, type SimArgs, type SimRequest } from './sim-request.js';

/** chia/cmds/plots.py `create` (click). */
const PLOTS_CREATE: OptionSpec[] = [
  opt('-k --size', 'k', 'int'),
  opt('--override-k', 'overrideK', 'flag'),
  opt('-n --num', 'count', 'int'),
  opt('-b --buffer', 'buffer', 'int'),
  opt('-r --num_threads', 'threads', 'int'),
  opt('-u --buckets', 'buckets', 'int'),
  opt('-a --alt_fingerprint', 'fingerprint', 'int'),
  opt('-c --pool_contract_address', 'poolContract'),
  opt('-f --farmer_public_key', 'farmerKey'),
  opt('-p --pool_public_key', 'poolKey'),
  opt('-t --tmp_dir', 'tempDir'),
  opt('-2 --tmp2_dir', 'temp2Dir'),
  opt('-d --final_dir', 'destDir'),
  opt('-i --plotid', 'plotId'),
  opt('-m --memo', 'memo'),
  opt('-e --nobitfield', 'noBitfield', 'flag'),
  opt('-x --exclude_final_dir', 'excludeFinalDir', 'flag'),
  opt('-D --connect_to_daemon', 'daemon', 'flag'),
];

/** chia/plotters/plotters.py: the options each `chia plotters` subcommand takes (argparse). */
const KEYS = [
  opt('-f --farmerkey', 'farmerKey'),
  opt('-p --pool-key', 'poolKey'),
  opt('-c --contract', 'poolContract'),
];
const MADMAX: OptionSpec[] = [
  opt('-k --size', 'k', 'int'),
  opt('-n --count', 'count', 'int'),
  opt('-r --threads', 'threads', 'int'),
  opt('-u --buckets', 'buckets', 'int'),
  opt('-v --buckets3', 'buckets3', 'int'),
  opt('-t --tmp_dir', 'tempDir'),
  opt('-2 --tmp2_dir', 'temp2Dir'),
  opt('-w --waitforcopy', 'waitForCopy', 'flag'),
  ...KEYS,
  opt('-G --tmptoggle', 'tmpToggle', 'flag'),
  opt('-K --rmulti2', 'rmulti2', 'int'),
  opt('-D --connect-to-daemon', 'daemon', 'flag'),
  opt('-d --final_dir', 'destDir'),
];
const BLADEBIT_COMMON: OptionSpec[] = [
  opt('-r --threads', 'threads', 'int'),
  opt('-n --count', 'count', 'int'),
  ...KEYS,
  opt('-i --id', 'plotId'),
  opt('-w --warmstart', 'warmStart', 'flag'),
  opt('--nonuma', 'noNuma', 'flag'),
  opt('--no-cpu-affinity', 'noAffinity', 'flag'),
  opt('-v --verbose', 'verbose', 'flag'),
  opt('-D --connect-to-daemon', 'daemon', 'flag'),
  opt('-d --final_dir', 'destDir'),
  opt('--compress', 'compression', 'int'),
];
const BLADEBIT: Record<string, OptionSpec[]> = {
  ramplot: BLADEBIT_COMMON,
  cudaplot: [
    ...BLADEBIT_COMMON,
    opt('--device', 'device', 'int'),
    opt('--no-direct-downloads', 'noDirectDownloads', 'flag'),
  ],
  diskplot: [
    ...BLADEBIT_COMMON,
    opt('--cache', 'cache'),
    ...['f1', 'fp', 'c', 'p2', 'p3'].map((p) => opt(`--${p}-threads`, `${p}Threads`, 'int')),
    opt('--alternate', 'alternate', 'flag'),
    opt('-t --tmp_dir', 'tempDir'),
    opt('-2 --tmp2_dir', 'temp2Dir'),
    opt('-u --buckets', 'buckets', 'int'),
    opt('-m --memo', 'memo'),
    opt('--no-t1-direct', 'noT1Direct', 'flag'),
    opt('--no-t2-direct', 'noT2Direct', 'flag'),
  ],
};

/** The keys chia would take from its keychain when none are given. */
function keysOf(values: OptionValues): Pick<SimRequest, 'farmerKey' | 'poolKey' | 'poolContract'> {
  const poolContract = str(values, 'poolContract');
  return {
    farmerKey: str(values, 'farmerKey') || randomHex(48),
    poolKey: str(values, 'poolKey') || (poolContract ? '' : randomHex(48)),
    poolContract,
  };
}

function clickError(message: string): SimArgs {
  return refuse(2, [
    'Usage: chia plots create [OPTIONS]',
    "Try 'chia plots create -h' for help.",
    '',
    `Error: ${message}`,
  ]);
}

function parsePlotsCreate(args: string[]): SimArgs {
  if (args.includes('-h') || args.includes('--help')) {
    return refuse(0, [], ['Usage: chia plots create [OPTIONS]', '', 'Options:', describeOptions(PLOTS_CREATE)]);
  }
  const parsed = parseOptions(args, PLOTS_CREATE);
  if (!parsed.ok) {
    if (parsed.problem === 'unknown') return clickError(`No such option: ${parsed.arg}`);
    if (parsed.problem === 'missing-value') return clickError(`Option '${parsed.flag}' requires an argument.`);
    return clickError(`Invalid value for '${parsed.flag}': '${parsed.value}' is not a valid integer.`);
  }
  if (parsed.positional.length > 0) return clickError(`Got unexpected extra argument (${parsed.positional.join(' ')})`);
  const v = parsed.values;
  const k = num(v, 'k', 32);
  if (k < 32 && !v.overrideK) {
    return refuse(
      1,
      [],
      [
        'k=32 is the minimum size for farming.',
        'If you are testing and you want to use smaller size please add the --override-k flag.',
      ],
    );
  }
  if (k < SIM_MIN_K) return refuse(1, [], [`Error: The minimum k size allowed from the cli is k=${SIM_MIN_K}.`]);
  const buckets = num(v, 'buckets', 128);
  // chiapos rounds -u up to a power of two, then refuses what is outside kMinBuckets..kMaxBuckets.
  const rounded = 2 ** Math.ceil(Math.log2(Math.max(buckets, 1)));
  if (rounded < 16 || rounded > 128)
    return refuse(1, [`ValueError: ${rounded < 16 ? 'Minimum buckets is 16' : 'Maximum buckets is 128'}`]);
  if (str(v, 'poolKey') && str(v, 'poolContract'))
    return refuse(1, ['RuntimeError: Choose one of pool_contract_address and pool_public_key']);
  const tempDir = str(v, 'tempDir', '.');
  return (
    onlyOnePlot(v) ?? {
      ok: true,
      request: {
        format: 'chiapos',
        viaChia: true,
        k,
        threads: num(v, 'threads', 2),
        buffer: num(v, 'buffer', 3389),
        buckets: rounded,
        buckets3: rounded,
        compression: 0,
        noBitfield: v.noBitfield === true,
        tempDir,
        temp2Dir: str(v, 'temp2Dir', tempDir),
        destDir: str(v, 'destDir', '.'),
        kmax: 50,
        ...keysOf(v),
      },
    }
  );
}

function argparseError(prog: string, message: string): SimArgs {
  return refuse(2, [`usage: ${prog} [-h] [options]`, `${prog}: error: ${message}`]);
}

/** The request `chia plotters madmax|bladebit <command>` makes of its parsed options, or bladebit's refusal of them. */
function plottersRequest(plotter: string | undefined, command: string | undefined, v: OptionValues): SimArgs {
  const tempDir = str(v, 'tempDir');
  const common = {
    viaChia: true,
    threads: num(v, 'threads', plotter === 'madmax' ? 4 : 0),
    buffer: 0,
    noBitfield: false,
    tempDir,
    temp2Dir: str(v, 'temp2Dir', tempDir),
    destDir: str(v, 'destDir'),
    ...keysOf(v),
  };
  if (plotter === 'madmax') {
    return (
      onlyOnePlot(v) ?? {
        ok: true,
        request: {
          ...common,
          format: 'madmax',
          k: num(v, 'k', 32),
          buckets: num(v, 'buckets', 256),
          buckets3: num(v, 'buckets3', 256),
          compression: 0,
          kmax: num(v, 'k', 32) > 32 ? 34 : 32,
        },
      }
    );
  }
  const format = command === 'ramplot' ? 'bladebit-ram' : command === 'diskplot' ? 'bladebit-disk' : 'bladebit-cuda';
  const request: SimRequest = {
    ...common,
    format,
    k: 32,
    buckets: num(v, 'buckets', 256),
    buckets3: 0,
    compression: num(v, 'compression', 1),
    kmax: 32,
  };
  const problem = checkBladebitValues(request);
  return (
    onlyOnePlot(v) ??
    (problem
      ? refuse(
          1,
          [],
          problem.map((line) => `STDERR: ${line}`),
        )
      : { ok: true, request })
  );
}

function parsePlotters(args: string[]): SimArgs {
  const [plotter, ...rest] = args;
  const command = plotter === 'bladebit' ? rest[0] : undefined;
  const specs = plotter === 'madmax' ? MADMAX : command !== undefined ? BLADEBIT[command] : undefined;
  if (plotter === 'bladebit' && !specs) {
    const choice =
      command === undefined
        ? 'the following arguments are required: plot_type'
        : `argument plot_type: invalid choice: '${command}' (choose from 'cudaplot', 'ramplot', 'diskplot')`;
    return argparseError('chia plotters bladebit', choice);
  }
  if (!specs)
    return argparseError(
      'chia plotters',
      `argument plotter: invalid choice: '${plotter ?? ''}' (choose from 'chiapos', 'madmax', 'bladebit', 'version')`,
    );
  const prog = `chia plotters ${plotter}${command ? ` ${command}` : ''}`;
  const optionArgs = command ? rest.slice(1) : rest;
  if (optionArgs.includes('-h') || optionArgs.includes('--help'))
    return refuse(0, [], [`usage: ${prog} [-h] [options]`, '', 'options:', describeOptions(specs)]);
  const parsed = parseOptions(optionArgs, specs);
  if (!parsed.ok) {
    if (parsed.problem === 'unknown') return argparseError(prog, `unrecognized arguments: ${parsed.arg}`);
    if (parsed.problem === 'missing-value')
      return argparseError(prog, `argument ${parsed.flag}: expected one argument`);
    return argparseError(prog, `argument ${parsed.flag}: invalid int value: '${parsed.value}'`);
  }
  if (parsed.positional.length > 0)
    return argparseError(prog, `unrecognized arguments: ${parsed.positional.join(' ')}`);
  const v = parsed.values;
  const required = specs.filter(
    (s) =>
      (s.key === 'destDir' ||
        (s.key === 'tempDir' && plotter === 'madmax') ||
        (s.key === 'tempDir' && command === 'diskplot')) &&
      v[s.key] === undefined,
  );
  if (required.length > 0) {
    return argparseError(
      prog,
      `the following arguments are required: ${required.map((s) => s.flags.join('/')).join(', ')}`,
    );
  }
  return plottersRequest(plotter, command, v);
}

/** `plots create …` and `plotters madmax|bladebit …`, as `chia` takes them. */
export function parseChiaArgs(args: string[]): SimArgs {
  if (args[0] === 'plots' && args[1] === 'create') return parsePlotsCreate(args.slice(2));
  if (args[0] === 'plotters') return parsePlotters(args.slice(1));
  const command = args[0] === 'plots' ? `plots ${args[1] ?? ''}`.trim() : (args[0] ?? '');
  return refuse(2, [
    'Usage: chia [OPTIONS] COMMAND [ARGS]...',
    "Try 'chia -h' for help.",
    '',
    `Error: No such command '${command}'.`,
  ]);
}
