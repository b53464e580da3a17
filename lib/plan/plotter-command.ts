import type { ConfigReader } from '../config/config-reader.js';
import { findPlotJobProblems, standaloneBin, type PlotJob } from './plotter-args-checks.js';

export type { PlotJob } from './plotter-args-checks.js';

/** The argv to spawn, or why the plotter would refuse the job (errors as data). */
export type PlotterCommand = { ok: true; command: string; args: string[] } | { ok: false; message: string };

const BLADEBIT_COMMANDS = {
  'bladebit-ram': 'ramplot',
  'bladebit-disk': 'diskplot',
  'bladebit-cuda': 'cudaplot',
} as const;

/** madmax's chia_plot refuses dirs without a trailing slash ("needs trailing '/'"). */
function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/** `-f/-p/-c` as chia's wrappers take them: only the ones that are set. */
function keyArgs(job: PlotJob): string[] {
  return [
    ...(job.farmerKey ? ['-f', job.farmerKey] : []),
    ...(job.poolKey ? ['-p', job.poolKey] : []),
    ...(job.poolContract ? ['-c', job.poolContract] : []),
  ];
}

/** goplot's command: `chia plots create -k K -r R -n 1 -b B -u U [extra] -t T -2 T2 -d D`. */
function chiaArgs(job: PlotJob): string[] {
  return [
    'plots',
    'create',
    '-k',
    String(job.k),
    ...(job.k < 32 ? ['--override-k'] : []),
    '-r',
    String(job.threads),
    '-n',
    '1',
    '-b',
    String(job.buffer),
    '-u',
    String(job.buckets),
    ...job.extraArgs,
    '-t',
    job.tempDir,
    '-2',
    job.temp2Dir,
    '-d',
    job.destDir,
    ...keyArgs(job),
  ];
}

/** `-v` is passed too: chia's wrapper defaults it to 256 whatever -u is. */
function madmaxArgs(job: PlotJob, standalone: boolean): string[] {
  const buckets = ['-u', String(job.buckets), '-v', String(job.buckets)];
  if (!standalone) {
    return [
      'plotters',
      'madmax',
      '-k',
      String(job.k),
      '-n',
      '1',
      '-r',
      String(job.threads),
      ...buckets,
      ...job.extraArgs,
      '-t',
      job.tempDir,
      '-2',
      job.temp2Dir,
      '-d',
      job.destDir,
      ...keyArgs(job),
    ];
  }
  // -k only when it is not 32, as chia's wrapper does: early chia_plot builds have no -k.
  return [
    '-n',
    '1',
    '-r',
    String(job.threads),
    ...buckets,
    ...(job.k !== 32 ? ['-k', String(job.k)] : []),
    ...(job.compression > 0 ? ['-C', String(job.compression)] : []),
    ...job.extraArgs,
    '-t',
    withSlash(job.tempDir),
    '-2',
    withSlash(job.temp2Dir),
    '-d',
    withSlash(job.destDir),
    ...keyArgs(job),
  ];
}

function bladebitArgs(job: PlotJob & { plotter: keyof typeof BLADEBIT_COMMANDS }, standalone: boolean): string[] {
  const subcommand = BLADEBIT_COMMANDS[job.plotter];
  const disk = job.plotter === 'bladebit-disk';
  if (!standalone) {
    // chia's wrapper defaults --compress to 1, so the level is always given.
    return [
      'plotters',
      'bladebit',
      subcommand,
      '-r',
      String(job.threads),
      '-n',
      '1',
      '--compress',
      String(job.compression),
      ...(disk ? ['-u', String(job.buckets), '-t', job.tempDir, '-2', job.temp2Dir] : []),
      ...job.extraArgs,
      '-d',
      job.destDir,
      ...keyArgs(job),
    ];
  }
  // bladebit [global options] <command> [command options] <out_dir>; bladebit 2 has no --compress.
  return [
    '-t',
    String(job.threads),
    '-n',
    '1',
    ...keyArgs(job),
    ...(job.compression > 0 ? ['--compress', String(job.compression)] : []),
    subcommand,
    ...(disk ? ['-b', String(job.buckets), '-t1', job.tempDir, '-t2', job.temp2Dir] : []),
    ...job.extraArgs,
    job.destDir,
  ];
}

/**
 * The command line for one plot, in the real plotter's own flag spellings. A value the plotter
 * would refuse (or silently ignore while it differs from the default) is returned as a message
 * naming the config file, instead of starting a plot that fails or is not what was asked for.
 */
export function buildPlotterCommand(job: PlotJob): PlotterCommand {
  const problems = findPlotJobProblems(job);
  if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  const bin = standaloneBin(job);
  const command = bin || job.chiaBin;
  if (job.plotter === 'chia') return { ok: true, command, args: chiaArgs(job) };
  if (job.plotter === 'madmax') return { ok: true, command, args: madmaxArgs(job, bin !== '') };
  return {
    ok: true,
    command,
    args: bladebitArgs(job as PlotJob & { plotter: keyof typeof BLADEBIT_COMMANDS }, bin !== ''),
  };
}

/** Reads the job's values now (files may change between plots); temp2_dir '' means the temp dir. */
export function plotJobFromConfig(config: ConfigReader, dirs: { tempDir: string; destDir: string }): PlotJob {
  const temp2 = config.get('temp2_dir');
  return {
    plotter: config.get('plotter'),
    k: config.get('k'),
    compression: config.get('compression'),
    threads: config.get('threads'),
    buffer: config.get('buffer'),
    buckets: config.get('buckets'),
    tempDir: dirs.tempDir,
    temp2Dir: temp2 === '' ? dirs.tempDir : temp2,
    destDir: dirs.destDir,
    farmerKey: config.get('farmer_key'),
    poolKey: config.get('pool_key'),
    poolContract: config.get('pool_contract'),
    extraArgs: config.get('extra_args').split(/\s+/).filter(Boolean),
    chiaBin: config.get('chia_bin'),
    madmaxBin: config.get('madmax_bin'),
    bladebitBin: config.get('bladebit_bin'),
  };
}
