import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { buildPlotterCommand, plotJobFromConfig, type PlotJob } from '../../../lib/plan/plotter-command.js';
import { CONTRACT, FARMER, POOL } from '../../helpers/sim-plotter.js';
import { makeTempHome } from '../../helpers/temp-home.js';

function job(overrides: Partial<PlotJob> = {}): PlotJob {
  return {
    plotter: 'chia',
    k: 32,
    compression: 0,
    threads: 2,
    buffer: 3389,
    buckets: 128,
    tempDir: '/plot_temp/1',
    temp2Dir: '/plot_temp/1',
    destDir: '/farm/f1/d1/plots',
    farmerKey: '',
    poolKey: '',
    poolContract: '',
    extraArgs: [],
    chiaBin: 'chia',
    madmaxBin: '',
    bladebitBin: '',
    ...overrides,
  };
}

function argsOf(overrides: Partial<PlotJob>): { command: string; args: string[] } {
  const built = buildPlotterCommand(job(overrides));
  if (!built.ok) assert.fail(built.message);
  return { command: built.command, args: built.args };
}

function refusal(overrides: Partial<PlotJob>): string {
  const built = buildPlotterCommand(job(overrides));
  assert.equal(built.ok, false);
  return (built as { message: string }).message;
}

describe('buildPlotterCommand for plotter chia', () => {
  test("gives goplot's chia plots create command with the temp, temp2 and destination last", () => {
    assert.deepEqual(argsOf({ extraArgs: ['-e'] }), {
      command: 'chia',
      args: [
        'plots',
        'create',
        '-k',
        '32',
        '-r',
        '2',
        '-n',
        '1',
        '-b',
        '3389',
        '-u',
        '128',
        '-e',
        '-t',
        '/plot_temp/1',
        '-2',
        '/plot_temp/1',
        '-d',
        '/farm/f1/d1/plots',
      ],
    });
  });

  test('adds --override-k below k32 and the keys that are set', () => {
    assert.deepEqual(argsOf({ k: 25, chiaBin: '/opt/chia/chia', farmerKey: FARMER, poolContract: CONTRACT }), {
      command: '/opt/chia/chia',
      args: [
        'plots',
        'create',
        '-k',
        '25',
        '--override-k',
        '-r',
        '2',
        '-n',
        '1',
        '-b',
        '3389',
        '-u',
        '128',
        '-t',
        '/plot_temp/1',
        '-2',
        '/plot_temp/1',
        '-d',
        '/farm/f1/d1/plots',
        '-f',
        FARMER,
        '-c',
        CONTRACT,
      ],
    });
  });

  test('refuses compression, which chiapos does not make', () => {
    assert.equal(
      refusal({ compression: 3 }),
      'config/compression.goplot: plotter chia does not take compression 3 (use bladebit-ram or bladebit-cuda, or set 0)',
    );
  });

  test('refuses k below 25, which chia plots create refuses', () => {
    assert.equal(
      refusal({ k: 20 }),
      'config/k.goplot: plotter chia does not take k 20 (chia plots create takes k 25 or more, and farming needs 32)',
    );
  });

  test("refuses more than 128 buckets, chiapos's maximum", () => {
    assert.equal(
      refusal({ buckets: 256 }),
      'config/buckets.goplot: plotter chia does not take 256 buckets (chiapos takes 16 to 128)',
    );
  });

  test('refuses a pool key and a pool contract together, for every plotter', () => {
    const expected =
      `config/pool_contract.goplot: pool_contract ${CONTRACT} is set together with pool_key, and a plot takes one of them ` +
      '(empty config/pool_key.goplot for a pool plot, or config/pool_contract.goplot for a solo plot)';
    assert.equal(refusal({ poolKey: POOL, poolContract: CONTRACT }), expected);
    assert.equal(refusal({ plotter: 'bladebit-ram', poolKey: POOL, poolContract: CONTRACT }), expected);
  });

  test('names every problem at once, separated by semicolons', () => {
    assert.equal(
      refusal({ compression: 1, buckets: 512 }),
      'config/compression.goplot: plotter chia does not take compression 1 (use bladebit-ram or bladebit-cuda, or set 0); ' +
        'config/buckets.goplot: plotter chia does not take 512 buckets (chiapos takes 16 to 128)',
    );
  });
});

describe('buildPlotterCommand for plotter madmax', () => {
  test('runs chia plotters madmax when madmax_bin is empty, with -v equal to -u', () => {
    assert.deepEqual(argsOf({ plotter: 'madmax', threads: 8, buckets: 256, temp2Dir: '/plot_temp/ram' }), {
      command: 'chia',
      args: [
        'plotters',
        'madmax',
        '-k',
        '32',
        '-n',
        '1',
        '-r',
        '8',
        '-u',
        '256',
        '-v',
        '256',
        '-t',
        '/plot_temp/1',
        '-2',
        '/plot_temp/ram',
        '-d',
        '/farm/f1/d1/plots',
      ],
    });
  });

  test('runs a standalone chia_plot with trailing slashes, keys, -k only when not 32 and -C when compressing', () => {
    assert.deepEqual(
      argsOf({ plotter: 'madmax', madmaxBin: '/usr/bin/chia_plot', farmerKey: FARMER, poolContract: CONTRACT }),
      {
        command: '/usr/bin/chia_plot',
        args: [
          '-n',
          '1',
          '-r',
          '2',
          '-u',
          '128',
          '-v',
          '128',
          '-t',
          '/plot_temp/1/',
          '-2',
          '/plot_temp/1/',
          '-d',
          '/farm/f1/d1/plots/',
          '-f',
          FARMER,
          '-c',
          CONTRACT,
        ],
      },
    );
    assert.deepEqual(
      argsOf({
        plotter: 'madmax',
        madmaxBin: '/usr/bin/chia_plot_k34',
        k: 33,
        compression: 5,
        farmerKey: FARMER,
        poolKey: POOL,
        extraArgs: ['-K', '2'],
      }).args,
      [
        '-n',
        '1',
        '-r',
        '2',
        '-u',
        '128',
        '-v',
        '128',
        '-k',
        '33',
        '-C',
        '5',
        '-K',
        '2',
        '-t',
        '/plot_temp/1/',
        '-2',
        '/plot_temp/1/',
        '-d',
        '/farm/f1/d1/plots/',
        '-f',
        FARMER,
        '-p',
        POOL,
      ],
    );
  });

  test('refuses compression through chia plotters madmax, which has no compression option', () => {
    assert.equal(
      refusal({ plotter: 'madmax', compression: 3 }),
      'config/compression.goplot: plotter madmax does not take compression 3 (chia plotters madmax makes uncompressed plots; set madmax_bin to a gigahorse chia_plot, use bladebit-ram or bladebit-cuda, or set 0)',
    );
  });

  test('refuses k above 34', () => {
    assert.equal(
      refusal({ plotter: 'madmax', k: 35 }),
      'config/k.goplot: plotter madmax does not take k 35 (madmax plots k up to 34)',
    );
  });

  test('refuses a buffer other than the default, which madmax would ignore, and takes the default', () => {
    assert.equal(
      refusal({ plotter: 'madmax', buffer: 4000 }),
      'config/buffer.goplot: plotter madmax does not take buffer 4000 (only chia uses it; set 3389, the default)',
    );
    assert.equal(buildPlotterCommand(job({ plotter: 'madmax', buffer: 3389 })).ok, true);
  });

  test('refuses a standalone chia_plot without a farmer key or a pool key or contract', () => {
    assert.equal(
      refusal({ plotter: 'madmax', madmaxBin: '/usr/bin/chia_plot', poolKey: POOL }),
      'config/farmer_key.goplot: madmax_bin /usr/bin/chia_plot needs a farmer key and farmer_key is empty (set it, or empty madmax_bin to run chia plotters madmax, which asks chia for the keys)',
    );
    assert.equal(
      refusal({ plotter: 'madmax', madmaxBin: '/usr/bin/chia_plot', farmerKey: FARMER }),
      'config/pool_contract.goplot: madmax_bin /usr/bin/chia_plot needs pool_contract (pool plot) or pool_key (solo plot), and both are empty (set one, or empty madmax_bin to run chia plotters madmax, which asks chia for the keys)',
    );
  });
});

describe('buildPlotterCommand for the bladebit plotters', () => {
  test('runs chia plotters bladebit ramplot|diskplot|cudaplot, always giving --compress (chia defaults it to 1)', () => {
    assert.deepEqual(argsOf({ plotter: 'bladebit-ram', threads: 16 }), {
      command: 'chia',
      args: ['plotters', 'bladebit', 'ramplot', '-r', '16', '-n', '1', '--compress', '0', '-d', '/farm/f1/d1/plots'],
    });
    assert.deepEqual(argsOf({ plotter: 'bladebit-disk', buckets: 256, temp2Dir: '/plot_temp/2' }).args, [
      'plotters',
      'bladebit',
      'diskplot',
      '-r',
      '2',
      '-n',
      '1',
      '--compress',
      '0',
      '-u',
      '256',
      '-t',
      '/plot_temp/1',
      '-2',
      '/plot_temp/2',
      '-d',
      '/farm/f1/d1/plots',
    ]);
    assert.deepEqual(
      argsOf({ plotter: 'bladebit-cuda', compression: 7, farmerKey: FARMER, poolContract: CONTRACT }).args,
      [
        'plotters',
        'bladebit',
        'cudaplot',
        '-r',
        '2',
        '-n',
        '1',
        '--compress',
        '7',
        '-d',
        '/farm/f1/d1/plots',
        '-f',
        FARMER,
        '-c',
        CONTRACT,
      ],
    );
  });

  test('runs a standalone bladebit as: global flags, command, command flags, output dir', () => {
    assert.deepEqual(
      argsOf({
        plotter: 'bladebit-disk',
        bladebitBin: '/usr/bin/bladebit',
        farmerKey: FARMER,
        poolKey: POOL,
        extraArgs: ['--cache', '64G'],
      }),
      {
        command: '/usr/bin/bladebit',
        args: [
          '-t',
          '2',
          '-n',
          '1',
          '-f',
          FARMER,
          '-p',
          POOL,
          'diskplot',
          '-b',
          '128',
          '-t1',
          '/plot_temp/1',
          '-t2',
          '/plot_temp/1',
          '--cache',
          '64G',
          '/farm/f1/d1/plots',
        ],
      },
    );
    assert.deepEqual(
      argsOf({
        plotter: 'bladebit-cuda',
        bladebitBin: 'bladebit_cuda',
        compression: 7,
        farmerKey: FARMER,
        poolContract: CONTRACT,
      }).args,
      ['-t', '2', '-n', '1', '-f', FARMER, '-c', CONTRACT, '--compress', '7', 'cudaplot', '/farm/f1/d1/plots'],
    );
  });

  test('refuses k other than 32', () => {
    assert.equal(
      refusal({ plotter: 'bladebit-cuda', k: 33 }),
      'config/k.goplot: plotter bladebit-cuda does not take k 33 (bladebit makes k32 plots only; set 32)',
    );
  });

  test('refuses compression with diskplot and above 7 with ramplot', () => {
    assert.equal(
      refusal({ plotter: 'bladebit-disk', compression: 3 }),
      'config/compression.goplot: plotter bladebit-disk does not take compression 3 (bladebit diskplot makes uncompressed plots only; use bladebit-ram or bladebit-cuda, or set 0)',
    );
    assert.equal(
      refusal({ plotter: 'bladebit-ram', compression: 9 }),
      'config/compression.goplot: plotter bladebit-ram does not take compression 9 (bladebit ramplot takes 0 to 7; use bladebit-cuda, or set 7 or less)',
    );
    assert.equal(buildPlotterCommand(job({ plotter: 'bladebit-cuda', compression: 9 })).ok, true);
  });

  test('refuses bucket counts diskplot does not take, and any non-default count for ramplot and cudaplot', () => {
    assert.equal(
      refusal({ plotter: 'bladebit-disk', buckets: 1024 }),
      'config/buckets.goplot: plotter bladebit-disk does not take 1024 buckets (bladebit diskplot takes 64, 128, 256 or 512)',
    );
    assert.equal(
      refusal({ plotter: 'bladebit-disk', buckets: 32 }),
      'config/buckets.goplot: plotter bladebit-disk does not take 32 buckets (bladebit diskplot takes 64, 128, 256 or 512)',
    );
    assert.equal(
      refusal({ plotter: 'bladebit-ram', buckets: 256 }),
      'config/buckets.goplot: plotter bladebit-ram does not take 256 buckets (only chia, madmax and bladebit-disk use buckets; set 128, the default)',
    );
  });

  test('refuses a standalone bladebit without keys', () => {
    assert.equal(
      refusal({ plotter: 'bladebit-ram', bladebitBin: '/usr/bin/bladebit' }),
      'config/farmer_key.goplot: bladebit_bin /usr/bin/bladebit needs a farmer key and farmer_key is empty (set it, or empty bladebit_bin to run chia plotters bladebit, which asks chia for the keys)',
    );
  });
});

describe('plotJobFromConfig', () => {
  const home = makeTempHome();
  after(() => home.cleanup());

  test('reads the values now, uses the temp dir when temp2_dir is empty and splits extra_args on whitespace', () => {
    home.set('plotter', 'madmax');
    home.set('threads', 6);
    home.set('extra_args', '  -K 2   -G ');
    const config = new ConfigReader(home);
    const read = plotJobFromConfig(config, { tempDir: '/t/1', destDir: '/f/a/b/plots' });
    assert.deepEqual(read, {
      plotter: 'madmax',
      k: 32,
      compression: 0,
      threads: 6,
      buffer: 3389,
      buckets: 128,
      tempDir: '/t/1',
      temp2Dir: '/t/1',
      destDir: '/f/a/b/plots',
      farmerKey: '',
      poolKey: '',
      poolContract: '',
      extraArgs: ['-K', '2', '-G'],
      chiaBin: 'chia',
      madmaxBin: '',
      bladebitBin: '',
    });
    home.set('temp2_dir', '/ram');
    assert.equal(plotJobFromConfig(config, { tempDir: '/t/1', destDir: '/d' }).temp2Dir, '/ram');
  });
});
