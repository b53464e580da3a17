import {
  describeOptions,
  num,
  opt,
  parseOptions,
  str,
  type OptionSpec,
  type OptionsParse,
  type OptionValues,
} from './sim-options.js';
import { refuse, SIM_MIN_K, type SimArgs, type SimRequest } from './sim-request.js';

/** madMAx chia_plot's cxxopts options (src/chia_plot.cpp), with gigahorse's -C level. */
const CHIA_PLOT: OptionSpec[] = [
  opt('-k --size', 'k', 'int'),
  opt('-C --level', 'compression', 'int'),
  opt('-x --port', 'port', 'int'),
  opt('-n --count', 'count', 'int'),
  opt('-r --threads', 'threads', 'int'),
  opt('-u --buckets', 'buckets', 'int'),
  opt('-v --buckets3', 'buckets3', 'int'),
  opt('-t --tmpdir', 'tempDir'),
  opt('-2 --tmpdir2', 'temp2Dir'),
  opt('-s --stagedir', 'stageDir'),
  opt('-d --finaldir', 'destDir'),
  opt('-w --waitforcopy', 'waitForCopy', 'flag'),
  opt('-p --poolkey', 'poolKey'),
  opt('-c --contract', 'poolContract'),
  opt('-f --farmerkey', 'farmerKey'),
  opt('-G --tmptoggle', 'tmpToggle', 'flag'),
  opt('-D --directout', 'directOut', 'flag'),
  opt('-K --rmulti2', 'rmulti2', 'int'),
];

/** bladebit's global options and each command's own (src/main.cpp, DiskPlotter.cpp, CudaPlotter.cu). */
const BLADEBIT_GLOBAL: OptionSpec[] = [
  opt('-t --threads', 'threads', 'int'),
  opt('-n --count', 'count', 'int'),
  opt('-f --farmer-key', 'farmerKey'),
  opt('-p --pool-key', 'poolKey'),
  opt('-c --pool-contract', 'poolContract'),
  opt('-z --compress', 'compression', 'level'),
  opt('-w --warm-start', 'warmStart', 'flag'),
  opt('-i --plot-id', 'plotId'),
  opt('--memo', 'memo'),
  opt('--show-memo', 'showMemo', 'flag'),
  opt('-m --no-numa', 'noNuma', 'flag'),
  opt('--no-cpu-affinity', 'noAffinity', 'flag'),
  opt('-v --verbose', 'verbose', 'flag'),
  opt('--benchmark --dry-run', 'benchmark', 'flag'),
];
const TEMPS = [
  opt('-t1 --temp1', 'tempDir'),
  opt('-t2 --temp2', 'temp2Dir'),
  opt('--no-t1-direct', 'noT1Direct', 'flag'),
  opt('--no-t2-direct', 'noT2Direct', 'flag'),
];
const BLADEBIT_COMMANDS: Record<string, OptionSpec[]> = {
  ramplot: [],
  diskplot: [
    opt('-b --buckets', 'buckets', 'int'),
    opt('--unbounded', 'unbounded', 'flag'),
    opt('-a --alternate', 'alternate', 'flag'),
    ...TEMPS,
    opt('--cache', 'cache'),
    ...['f1', 'fp', 'c', 'p2', 'p3'].map((p) => opt(`--${p}-threads`, `${p}Threads`, 'int')),
  ],
  cudaplot: [
    opt('-d --device', 'device', 'int'),
    opt('--disk-128', 'disk128', 'flag'),
    opt('--disk-16', 'disk16', 'flag'),
    ...TEMPS,
    opt('--check', 'check', 'int'),
    opt('--check-threshold', 'checkThreshold'),
  ],
};

/** Every CLI simulated plots one plot per run; -n above 1 is refused rather than faked. */
export function onlyOnePlot(values: OptionValues): SimArgs | null {
  const count = num(values, 'count', 1);
  return count === 1 ? null : refuse(2, [`simplotter: only -n 1 is simulated (got -n ${count})`]);
}

function fatal(message: string, exitCode = 1): SimArgs {
  return refuse(exitCode, ['Fatal Error:', `  ${message}`]);
}

/** What bladebit itself refuses about a request, as its Fatal Error lines; null when it plots. */
export function checkBladebitValues(req: SimRequest): string[] | null {
  const problem = (message: string): string[] => ['Fatal Error:', `  ${message}`];
  if (req.compression > 9)
    return problem('Invalid compression level. Please specify a compression level between 0 and 9 (inclusive).');
  if (req.format === 'bladebit-disk') {
    if (req.compression > 0) return problem('diskplot is currently disabled for compressed plotting due to a bug.');
    if (req.buckets < 64 || req.buckets > 1024) return problem('Buckets must be between 64 and 1024, inclusive.');
    if ((req.buckets & (req.buckets - 1)) !== 0) return problem('Buckets must be power of 2.');
    if (req.buckets >= 1024) return problem('1024 buckets are not allowed for plots < k33.');
  }
  if (req.format === 'bladebit-ram' && req.compression > 7)
    return problem('ramplot currently does not support compression levels greater than 7');
  return null;
}

const KEY = /^(0x)?[0-9a-fA-F]{96}$/;
const CONTRACT = /^t?xch1[02-9ac-hj-np-z]{58}$/;

/** madmax's checks print to stdout and `return -2`, which the shell sees as 254. */
function madmaxRefuses(message: string): SimArgs {
  return refuse(254, [], [message]);
}

/** madmax's cxxopts error for an option it cannot parse. */
function madmaxParseError(parsed: Exclude<OptionsParse, { ok: true }>): SimArgs {
  if (parsed.problem === 'unknown')
    return refuse(2, [`error parsing options: Option '${parsed.arg.replace(/^-+/, '')}' does not exist`]);
  if (parsed.problem === 'missing-value')
    return refuse(2, [`error parsing options: Option '${parsed.flag.replace(/^-+/, '')}' is missing an argument`]);
  return refuse(2, [`error parsing options: Argument '${parsed.value}' failed to parse`]);
}

/** madmax's checks of the keys and the pool contract, in its order; null when they pass. */
function madmaxKeyRefusal(poolKey: string, poolContract: string, farmerKey: string): SimArgs | null {
  if (!poolKey && !poolContract) {
    return madmaxRefuses(
      'Pool Public Key (for solo farming) or Pool Contract Address (for pool farming) needs to be specified via -p or -c, see `chia_plot --help`.',
    );
  }
  if (poolKey && poolContract)
    return madmaxRefuses(
      'Choose either Pool Public Key (for solo farming) or Pool Contract Address (for pool farming), see `chia_plot --help`.',
    );
  if (!farmerKey)
    return madmaxRefuses('Farmer Public Key (48 bytes) needs to be specified via -f, see `chia keys show`.');
  if (!KEY.test(farmerKey))
    return madmaxRefuses(`Invalid farmerkey: '${farmerKey}' (needs to be 48 bytes, see \`chia keys show\`)`);
  if (poolKey && !KEY.test(poolKey))
    return madmaxRefuses(`Invalid poolkey: '${poolKey}' (needs to be 48 bytes, see \`chia keys show\`)`);
  if (poolContract && !CONTRACT.test(poolContract)) {
    return madmaxRefuses(
      `Invalid contract (address): '${poolContract}' (invalid contract address (!Bech32m): ${poolContract}, see \`chia plotnft show\`)`,
    );
  }
  return null;
}

/** madmax's checks of the directories' trailing slashes; null when they pass. */
function madmaxDirRefusal(tempDir: string, temp2Dir: string, destDir: string): SimArgs | null {
  for (const [name, dir] of [
    ['tmpdir', tempDir],
    ['tmpdir2', temp2Dir],
    ['finaldir', destDir],
  ]) {
    if (!dir.endsWith('/')) return madmaxRefuses(`Invalid ${name}: ${dir} (needs trailing '/' or '\\')`);
  }
  return null;
}

/** madmax's bucket checks (-u and -v each a power of two from 2^4 to 2^16); null when they pass. */
function madmaxBucketRefusal(buckets: number, buckets3: number): SimArgs | null {
  for (const [flag, count] of [
    ['-u', buckets],
    ['-v', buckets3],
  ] as const) {
    const log = Math.log2(count);
    if (!Number.isInteger(log) || log < 4 || log > 16)
      return madmaxRefuses(`Invalid buckets parameter ${flag}: 2^${log.toFixed(0)} (supported: 2^[4..16])`);
  }
  return null;
}

/** `chia_plot …` / `chia_plot_k34 …`, as madmax takes them (kmax 32 or 34). */
export function parseMadmaxArgs(args: string[], kmax: number): SimArgs {
  if (args.length === 0 || args.includes('--help'))
    return refuse(0, [], ['Usage:', '  chia_plot [OPTION...]', '', describeOptions(CHIA_PLOT)]);
  const parsed = parseOptions(args, CHIA_PLOT);
  // The real chia_plot ignores unknown options (cxxopts allow_unrecognised_options); the simulator refuses them to catch mistakes.
  if (!parsed.ok) return madmaxParseError(parsed);
  if (parsed.positional.length > 0)
    return refuse(2, [`error parsing options: unexpected argument '${parsed.positional[0]}'`]);
  const v = parsed.values;
  const [poolKey, poolContract, farmerKey] = [str(v, 'poolKey'), str(v, 'poolContract'), str(v, 'farmerKey')];
  const keyRefusal = madmaxKeyRefusal(poolKey, poolContract, farmerKey);
  if (keyRefusal) return keyRefusal;
  const tempDir = str(v, 'tempDir');
  if (!tempDir) return madmaxRefuses('tmpdir needs to be specified via -t path/');
  const temp2Dir = str(v, 'temp2Dir', tempDir);
  const destDir = str(v, 'destDir', tempDir);
  const dirRefusal = madmaxDirRefusal(tempDir, temp2Dir, destDir);
  if (dirRefusal) return dirRefusal;
  const k = num(v, 'k', 32);
  if (k < SIM_MIN_K || k > kmax) return madmaxRefuses(`Invalid k: ${k} (supported: [${SIM_MIN_K}..${kmax}])`);
  const buckets = num(v, 'buckets', 256);
  const buckets3 = num(v, 'buckets3', buckets);
  const bucketRefusal = madmaxBucketRefusal(buckets, buckets3);
  if (bucketRefusal) return bucketRefusal;
  const many = onlyOnePlot(v);
  if (many) return many;
  return {
    ok: true,
    request: {
      format: 'madmax',
      viaChia: false,
      k,
      threads: num(v, 'threads', 4),
      buffer: 0,
      buckets,
      buckets3,
      compression: num(v, 'compression', 0),
      noBitfield: false,
      tempDir,
      temp2Dir,
      destDir,
      farmerKey,
      poolKey,
      poolContract,
      kmax,
    },
  };
}

/** `bladebit [global options] ramplot|diskplot|cudaplot [command options] <out_dir>`. */
export function parseBladebitArgs(args: string[], cuda: boolean): SimArgs {
  if (args.length === 0 || args.includes('-h') || args.includes('--help')) {
    return refuse(
      0,
      [],
      ['bladebit [GLOBAL_OPTIONS] <command> [COMMAND_OPTIONS]', '', describeOptions(BLADEBIT_GLOBAL)],
    );
  }
  const global = parseOptions(args, BLADEBIT_GLOBAL, true);
  // The real bladebit exits 1 here; the simulator uses 2 like the other CLIs' usage errors.
  if (!global.ok)
    return fatal(
      global.problem === 'unknown' ? `Unexpected argument '${global.arg}'` : `Expected a value for '${global.flag}'`,
      2,
    );
  const [command, ...commandArgs] = global.rest;
  const commands = cuda ? ['ramplot', 'diskplot', 'cudaplot'] : ['ramplot', 'diskplot'];
  if (command === undefined) return fatal('No plotter type chosen.');
  if (!commands.includes(command)) return fatal(`Unexpected argument '${command}'`, 2);
  const own = parseOptions(commandArgs, BLADEBIT_COMMANDS[command]);
  if (!own.ok)
    return fatal(
      own.problem === 'unknown' ? `Unexpected argument '${own.arg}'` : `Expected a value for '${own.flag}'`,
      2,
    );
  const v = { ...global.values, ...own.values };
  if (!str(v, 'farmerKey')) return fatal('A farmer public key must be specified.');
  if (!str(v, 'poolKey') && !str(v, 'poolContract'))
    return fatal('Error: Either a pool public key or a pool contract address must be specified.');
  if (!KEY.test(str(v, 'farmerKey'))) return fatal(`Invalid farmer public key '${str(v, 'farmerKey')}'`);
  if (str(v, 'poolContract') && !CONTRACT.test(str(v, 'poolContract')))
    return fatal(`Invalid pool contract puzzle hash '${str(v, 'poolContract')}'`);
  if (!str(v, 'poolContract') && !KEY.test(str(v, 'poolKey')))
    return fatal(`Invalid pool public key '${str(v, 'poolKey')}'`);
  if (own.positional.length === 0) return fatal('At least one output folder must be specified.');
  const format = command === 'ramplot' ? 'bladebit-ram' : command === 'diskplot' ? 'bladebit-disk' : 'bladebit-cuda';
  if (format === 'bladebit-disk' && !str(v, 'tempDir'))
    return fatal('At least 1 temporary path (--temp) must be specified.');
  const many = onlyOnePlot(v);
  if (many) return many;
  const tempDir = str(v, 'tempDir');
  const request: SimRequest = {
    format,
    viaChia: false,
    k: 32,
    threads: num(v, 'threads', 0),
    buffer: 0,
    buckets: num(v, 'buckets', 256),
    buckets3: 0,
    compression: num(v, 'compression', 0),
    noBitfield: false,
    tempDir,
    temp2Dir: str(v, 'temp2Dir', tempDir),
    destDir: own.positional[0],
    farmerKey: str(v, 'farmerKey'),
    poolKey: str(v, 'poolContract') ? '' : str(v, 'poolKey'),
    poolContract: str(v, 'poolContract'),
    kmax: 32,
  };
  const problem = checkBladebitValues(request);
  return problem ? refuse(1, problem) : { ok: true, request };
}
