import { VALUE_SPECS, type PlotterName } from '../config/value-specs.js';

/** Everything one plot needs, resolved from config and the chosen dirs. */
export interface PlotJob {
  plotter: PlotterName;
  k: number;
  compression: number;
  threads: number;
  buffer: number;
  buckets: number;
  tempDir: string;
  temp2Dir: string;
  destDir: string;
  farmerKey: string;
  poolKey: string;
  poolContract: string;
  extraArgs: string[];
  chiaBin: string;
  madmaxBin: string;
  bladebitBin: string;
}

/*
 * What each plotter refuses, from its own source:
 * - chiapos (`chia plots create`): k >= 25 from the CLI (chia/cmds/plots.py), 16 to 128 buckets
 *   (chiapos kMinBuckets/kMaxBuckets), no compression.
 * - madmax: `chia plotters madmax` has no compression option (chia/plotters/plotters.py); a
 *   standalone gigahorse chia_plot takes `-C`. k up to 34 (chia_plot_k34). A standalone chia_plot
 *   exits when -f or one of -p/-c is missing (src/chia_plot.cpp); chia's wrapper asks the keychain.
 * - bladebit: k32 only; diskplot refuses compression ("disabled for compressed plotting") and
 *   takes 64..512 buckets below k33; ramplot refuses compression above 7 (src/main.cpp,
 *   src/plotdisk/DiskPlotter.cpp). A standalone bladebit needs -f and -p or -c.
 */

const DISKPLOT_BUCKETS = [64, 128, 256, 512];

function file(name: string): string {
  return `config/${name}.goplot`;
}

function isBladebit(plotter: PlotterName): boolean {
  return plotter.startsWith('bladebit-');
}

/** The standalone binary a job runs, or '' when it goes through `chia plotters`. */
export function standaloneBin(job: PlotJob): string {
  if (job.plotter === 'madmax') return job.madmaxBin;
  if (isBladebit(job.plotter)) return job.bladebitBin;
  return '';
}

function checkCompression(job: PlotJob): string | null {
  const { plotter, compression: level } = job;
  if (level === 0) return null;
  const refuse = (why: string): string =>
    `${file('compression')}: plotter ${plotter} does not take compression ${level} (${why})`;
  if (plotter === 'chia') return refuse('use bladebit-ram or bladebit-cuda, or set 0');
  if (plotter === 'madmax' && job.madmaxBin === '') {
    return refuse(
      'chia plotters madmax makes uncompressed plots; set madmax_bin to a gigahorse chia_plot, use bladebit-ram or bladebit-cuda, or set 0',
    );
  }
  if (plotter === 'bladebit-disk')
    return refuse('bladebit diskplot makes uncompressed plots only; use bladebit-ram or bladebit-cuda, or set 0');
  if (plotter === 'bladebit-ram' && level > 7)
    return refuse('bladebit ramplot takes 0 to 7; use bladebit-cuda, or set 7 or less');
  return null;
}

function checkK(job: PlotJob): string | null {
  const { plotter, k } = job;
  const refuse = (why: string): string => `${file('k')}: plotter ${plotter} does not take k ${k} (${why})`;
  if (plotter === 'chia' && k < 25) return refuse('chia plots create takes k 25 or more, and farming needs 32');
  if (plotter === 'madmax' && k > 34) return refuse('madmax plots k up to 34');
  if (isBladebit(plotter) && k !== 32) return refuse('bladebit makes k32 plots only; set 32');
  return null;
}

function checkBuckets(job: PlotJob): string | null {
  const { plotter, buckets } = job;
  const refuse = (why: string): string =>
    `${file('buckets')}: plotter ${plotter} does not take ${buckets} buckets (${why})`;
  if (plotter === 'chia' && buckets > 128) return refuse('chiapos takes 16 to 128');
  if (plotter === 'bladebit-disk' && !DISKPLOT_BUCKETS.includes(buckets))
    return refuse('bladebit diskplot takes 64, 128, 256 or 512');
  if ((plotter === 'bladebit-ram' || plotter === 'bladebit-cuda') && buckets !== VALUE_SPECS.buckets.default) {
    return refuse(`only chia, madmax and bladebit-disk use buckets; set ${VALUE_SPECS.buckets.default}, the default`);
  }
  return null;
}

function checkBuffer(job: PlotJob): string | null {
  if (job.plotter === 'chia' || job.buffer === VALUE_SPECS.buffer.default) return null;
  return `${file('buffer')}: plotter ${job.plotter} does not take buffer ${job.buffer} (only chia uses it; set ${VALUE_SPECS.buffer.default}, the default)`;
}

function checkKeys(job: PlotJob): string | null {
  if (job.poolKey !== '' && job.poolContract !== '') {
    return (
      `${file('pool_contract')}: pool_contract ${job.poolContract} is set together with pool_key, and a plot takes one of them ` +
      `(empty ${file('pool_key')} for a pool plot, or ${file('pool_contract')} for a solo plot)`
    );
  }
  const bin = standaloneBin(job);
  if (bin === '') return null;
  const binName = job.plotter === 'madmax' ? 'madmax_bin' : 'bladebit_bin';
  const wrapper = job.plotter === 'madmax' ? 'chia plotters madmax' : 'chia plotters bladebit';
  if (job.farmerKey === '') {
    return (
      `${file('farmer_key')}: ${binName} ${bin} needs a farmer key and farmer_key is empty ` +
      `(set it, or empty ${binName} to run ${wrapper}, which asks chia for the keys)`
    );
  }
  if (job.poolKey === '' && job.poolContract === '') {
    return (
      `${file('pool_contract')}: ${binName} ${bin} needs pool_contract (pool plot) or pool_key (solo plot), and both are empty ` +
      `(set one, or empty ${binName} to run ${wrapper}, which asks chia for the keys)`
    );
  }
  return null;
}

/** Every value of the job its plotter would refuse or ignore, as messages; empty when it can run. */
export function findPlotJobProblems(job: PlotJob): string[] {
  return [checkCompression, checkK, checkBuckets, checkBuffer, checkKeys]
    .map((check) => check(job))
    .filter((problem): problem is string => problem !== null);
}
