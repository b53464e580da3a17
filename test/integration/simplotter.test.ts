import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { execa, type Result, type ResultPromise } from 'execa';
import { readPlotFile } from '../../lib/plot-file/read-plot-file.js';
import { CONTRACT, FARMER, POOL, simPlotterLinks } from '../helpers/sim-plotter.js';
import { SIM_PLOTTER, waitFor } from '../helpers/temp-home.js';

// Regexes from test/fixtures/plot-logs/FORMATS.md, which the plot-log parser matches.
const CHIAPOS = {
  keys: /Creating (\d+) plots of size (\d+), pool (public key|contract address):\s+(\S+) farmer public key: ([0-9a-f]{96})/,
  temps: /^Starting plotting progress into temporary dirs: (.+) and (.+)$/,
  id: /^ID: ([0-9a-f]{64})$/,
  k: /^Plot size is: (\d+)$/,
  buffer: /^Buffer size is: (\d+)MiB$/,
  buckets: /^Using (\d+) buckets$/,
  threads: /^Using (\d+) threads of stripe size (\d+)$/,
  finalDir: /^Final Directory is: (.+)$/,
  phaseStart: /^Starting phase (\d)\/4: .*\.\.\. (\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})$/,
  phaseEnd: /^Time for phase (\d) = (\d+\.\d+) seconds\. CPU \((\d+\.\d+)%\) (.+)$/,
  total: /^Total time = (\d+\.\d+) seconds\. CPU \((\d+\.\d+)%\) (.+)$/,
  computing: /^Computing table (\d)$/,
  tableDone: /^(?:F1 complete, time|Forward propagation table time): (\d+\.\d+) seconds/,
  bucket: /^\tBucket (\d+) (uniform sort|QS)\./,
  copied: /^Copied final file from "(.+)" to "(.+)"$/,
  renamed: /^Renamed final file from "(.+)" to "(.+)"$/,
};
const MADMAX = {
  banner: /^Multi-threaded pipelined Chia k(\d+) plotter(?: - ([0-9a-f]+))?/,
  finalDir: /^Final Directory: (.+)$/,
  crafting: /^Crafting plot (\d+) out of (-?\d+)/,
  threads: /^Number of Threads: (\d+)$/,
  buckets: /^Number of Buckets(?: P1)?:\s+2\^(\d+) \((\d+)\)$/,
  buckets3: /^Number of Buckets P3\+P4: 2\^(\d+) \((\d+)\)$/,
  pool: /^(Pool Puzzle Hash|Pool Public Key):\s+([0-9a-f]+)$/,
  farmer: /^Farmer Public Key: ([0-9a-f]{96})$/,
  workDir: /^Working Directory( 2)?:\s+(.+?)\s*$/,
  name: /^Plot Name: (plot-k(\d+)(?:-c\d\d?)?-(\d{4})-(\d\d)-(\d\d)-(\d\d)-(\d\d)-([0-9a-f]{64}))$/,
  p1: /^\[P1\] Table (\d) took (\d+(?:\.\d+)?) sec/,
  phaseEnd: /^Phase (\d) took (\d+(?:\.\d+)?) sec/,
  p2: /^\[P2\] Table (\d) (scan|rewrite) took (\d+(?:\.\d+)?) sec/,
  p3: /^\[P3-([12])\] Table (\d) took (\d+(?:\.\d+)?) sec/,
  p4: /^\[P4\] (Starting to write C1 and C3 tables|Finished writing C1 and C3 tables|Writing C2 table|Finished writing C2 table)\s*$/,
  total: /^Total plot creation time was (\d+(?:\.\d+)?) sec(?: \((\d+(?:\.\d+)?) min\))?/,
  copyStart: /^Started copy to (.+)$/,
  renamed: /^Renamed final plot to (.+)$/,
  copied: /^Copy to (.+) finished, took (\d+(?:\.\d+)?) sec/,
};
const BLADEBIT = {
  output: /^ Output path\s*: (.+)$/,
  generating: /^Generating plot (\d+)(?: \/ (\d+))?: ([0-9a-f]{64})$/,
  running: /^Running Phase (\d)$/,
  phaseEnd: /^(?:Finished|Completed) Phase (\d) in (\d+\.\d+) seconds/,
  finished: /^Finished plotting in (\d+\.\d+) seconds/,
  bucketCount: /^ Bucket count\s*: (\d+)$/,
  temp: /^ Temp([12]) path\s*: (.+)$/,
  cudaTemp: /^Plot temporary file: (.+)$/,
  cudaTable: /^Table (\d) completed in (\d+\.\d+) seconds with (\d+) entries\./,
};
const FINAL_NAME = /^plot-k(\d+)(?:-c(\d\d?))?-(\d{4})-(\d\d)-(\d\d)-(\d\d)-(\d\d)-([0-9a-f]{64})\.plot$/;

const children: ResultPromise[] = [];
const links = simPlotterLinks(
  'simplotter-test-',
  ['chia_plot', 'chia_plot_k34', 'bladebit', 'bladebit_cuda'],
  children,
);

let runCount = 0;
/** Fresh temp, temp2 and destination dirs for one run. */
function dirs(): { t: string; t2: string; d: string } {
  const base = path.join(links.root, `run${++runCount}`);
  const made = { t: path.join(base, 'tmp'), t2: path.join(base, 'tmp2'), d: path.join(base, 'dest') };
  for (const dir of Object.values(made)) fs.mkdirSync(dir, { recursive: true });
  return made;
}

function sim(command: string, args: string[], env: Record<string, string> = {}): ResultPromise {
  const child = execa(command, args, { reject: false, timeout: 30_000, env: { SIMPLOTTER_SECONDS: '0.3', ...env } });
  children.push(child);
  return child;
}

const chia = (args: string[], env?: Record<string, string>): ResultPromise => sim(SIM_PLOTTER, args, env);
const standalone = (name: string, args: string[], env?: Record<string, string>): ResultPromise =>
  sim(path.join(links.root, name), args, env);

function lines(result: Result): string[] {
  return String(result.stdout).split('\n');
}

/** chia's logger lines carry colour escapes; FORMATS.md says to strip them before matching. */
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function matching(result: Result, regex: RegExp): RegExpMatchArray[] {
  return lines(result)
    .map((line) => line.replace(ANSI_ESCAPE, '').match(regex))
    .filter((m): m is RegExpMatchArray => m !== null);
}

function onlyFinalPlot(dir: string): string {
  const files = fs.readdirSync(dir);
  assert.equal(files.length, 1, `expected one file in ${dir}, found ${files.join(', ')}`);
  assert.match(files[0], FINAL_NAME);
  return files[0];
}

describe('simplotter as chia plots create', { concurrency: 4 }, () => {
  test('writes the chiapos log, leaves no temp files and one final .plot of SIMPLOTTER_FINAL_BYTES', async () => {
    const { t, t2, d } = dirs();
    const result = await chia(
      [
        'plots',
        'create',
        '-k',
        '32',
        '-r',
        '3',
        '-n',
        '1',
        '-b',
        '4000',
        '-u',
        '64',
        '-t',
        t,
        '-2',
        t2,
        '-d',
        d,
        '-f',
        FARMER,
        '-c',
        CONTRACT,
      ],
      { SIMPLOTTER_FINAL_BYTES: '1000' },
    );
    assert.equal(result.exitCode, 0, String(result.stderr));
    const [keys] = matching(result, CHIAPOS.keys);
    assert.deepEqual([keys[1], keys[2], keys[3], keys[4], keys[5]], ['1', '32', 'contract address', CONTRACT, FARMER]);
    assert.deepEqual(matching(result, CHIAPOS.temps)[0].slice(1), [t, t2]);
    const id = matching(result, CHIAPOS.id)[0][1];
    assert.equal(matching(result, CHIAPOS.k)[0][1], '32');
    assert.equal(matching(result, CHIAPOS.buffer)[0][1], '4000');
    assert.equal(matching(result, CHIAPOS.buckets)[0][1], '64');
    assert.equal(matching(result, CHIAPOS.threads)[0][1], '3');
    assert.equal(matching(result, CHIAPOS.finalDir)[0][1], d);
    assert.deepEqual(
      matching(result, CHIAPOS.phaseStart).map((m) => m[1]),
      ['1', '2', '3', '4'],
    );
    assert.deepEqual(
      matching(result, CHIAPOS.phaseEnd).map((m) => m[1]),
      ['1', '2', '3', '4'],
    );
    assert.deepEqual(
      matching(result, CHIAPOS.computing).map((m) => m[1]),
      ['1', '2', '3', '4', '5', '6', '7'],
    );
    assert.equal(matching(result, CHIAPOS.tableDone).length, 7);
    assert.equal(matching(result, CHIAPOS.total).length, 1);
    const finalName = onlyFinalPlot(d);
    assert.ok(finalName.endsWith(`-${id}.plot`));
    assert.equal(fs.statSync(path.join(d, finalName)).size, 1000);
    const [copied] = matching(result, CHIAPOS.copied);
    assert.deepEqual(copied.slice(1), [path.join(t2, `${finalName}.2.tmp`), path.join(d, `${finalName}.2.tmp`)]);
    assert.deepEqual(matching(result, CHIAPOS.renamed)[0].slice(1), [
      path.join(d, `${finalName}.2.tmp`),
      path.join(d, finalName),
    ]);
    assert.deepEqual([fs.readdirSync(t), fs.readdirSync(t2)], [[], []]);
  });

  for (const buckets of [16, 64, 128]) {
    test(`prints buckets x 6 bucket lines in phase 1 with -u ${buckets}`, async () => {
      const { t, d } = dirs();
      const result = await chia(['plots', 'create', '-u', String(buckets), '-t', t, '-d', d]);
      assert.equal(result.exitCode, 0, String(result.stderr));
      const log = lines(result);
      const phase1 = log.slice(
        log.findIndex((l) => l.startsWith('Starting phase 1/4')),
        log.findIndex((l) => l.startsWith('Starting phase 2/4')),
      );
      assert.equal(phase1.filter((l) => CHIAPOS.bucket.test(l)).length, buckets * 6);
      assert.equal(matching(result, CHIAPOS.bucket).length, buckets * 6 + buckets * 12 + buckets);
    });
  }

  test('refuses 256 buckets as chiapos does (its maximum is 128)', async () => {
    const { t, d } = dirs();
    const result = await chia(['plots', 'create', '-u', '256', '-t', t, '-d', d]);
    assert.deepEqual(
      [result.exitCode, result.stderr, fs.readdirSync(d)],
      [1, 'ValueError: Maximum buckets is 128', []],
    );
  });

  test('renames in place when the final dir is the temp2 dir', async () => {
    const { t } = dirs();
    const result = await chia(['plots', 'create', '-t', t, '-d', t]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.equal(matching(result, CHIAPOS.copied).length, 0);
    const finalName = onlyFinalPlot(t);
    assert.deepEqual(matching(result, CHIAPOS.renamed)[0].slice(1), [
      path.join(t, `${finalName}.2.tmp`),
      path.join(t, finalName),
    ]);
  });

  test('takes k below 32 only with --override-k, as chia does', async () => {
    const { t, d } = dirs();
    const refused = await chia(['plots', 'create', '-k', '25', '-t', t, '-d', d]);
    assert.deepEqual(
      [refused.exitCode, refused.stdout],
      [
        1,
        'k=32 is the minimum size for farming.\nIf you are testing and you want to use smaller size please add the --override-k flag.',
      ],
    );
    const result = await chia(['plots', 'create', '-k', '25', '--override-k', '-e', '-t', t, '-d', d]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.match(onlyFinalPlot(d), /^plot-k25-/);
    assert.match(
      lines(result).find((l) => l.startsWith('Starting phase 2/4')) ?? '',
      /^Starting phase 2\/4: Backpropagation without bitfield into tmp files\.\.\. /,
    );
  });

  test('creates its temp files while plotting and removes them when done', async () => {
    const { t, t2, d } = dirs();
    // phases 3 and 4 (about 45 % of the plot's time) have files in both dirs: the window is polled for itself
    const child = chia(['plots', 'create', '-t', t, '-2', t2, '-d', d], { SIMPLOTTER_SECONDS: '6' });
    const during = await waitFor(
      'temp files in tmp and tmp2 at once',
      () => {
        const [inTmp, inTmp2] = [fs.readdirSync(t), fs.readdirSync(t2)];
        return inTmp.length > 0 && inTmp2.length > 0 ? [...inTmp, ...inTmp2] : null;
      },
      20_000,
      20,
    );
    assert.ok(during);
    assert.equal(during.length, 9);
    assert.ok(
      during.every((file) => /^plot-k32-\d{4}(-\d\d){4}-[0-9a-f]{64}\.plot\.(table[1-7]|sort|2)\.tmp$/.test(file)),
      during.join(' '),
    );
    const result = await child;
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.deepEqual([fs.readdirSync(t), fs.readdirSync(t2)], [[], []]);
    onlyFinalPlot(d);
  });

  test('fails at the start of SIMPLOTTER_FAIL_PHASE with exit 1, leaving its temp files and no plot', async () => {
    const { t, t2, d } = dirs();
    const result = await chia(['plots', 'create', '-t', t, '-2', t2, '-d', d], { SIMPLOTTER_FAIL_PHASE: '3' });
    assert.equal(result.exitCode, 1);
    assert.equal(
      result.stderr,
      'Traceback (most recent call last):\n  File "chia/plotting/create_plots.py", line 240, in create_plots\n' +
        'RuntimeError: simulated plotter failure at the start of phase 3 (SIMPLOTTER_FAIL_PHASE=3)',
    );
    assert.deepEqual(
      matching(result, CHIAPOS.phaseStart).map((m) => m[1]),
      ['1', '2'],
    );
    assert.equal(fs.readdirSync(t).length, 8);
    assert.deepEqual([fs.readdirSync(t2), fs.readdirSync(d)], [[], []]);
  });

  test('exits at once with 143 on SIGTERM, leaving its temp files', async () => {
    const { t, d } = dirs();
    const child = chia(['plots', 'create', '-t', t, '-d', d], { SIMPLOTTER_SECONDS: '60' });
    await waitFor('phase 1 temp files', () => fs.readdirSync(t).length === 8, 20_000, 20);
    child.kill('SIGTERM');
    const result = await child;
    assert.equal(result.exitCode, 143);
    assert.equal(fs.readdirSync(t).length, 8);
    assert.deepEqual(fs.readdirSync(d), []);
  });

  test("refuses an unknown option with exit 2 and click's message", async () => {
    const result = await chia(['plots', 'create', '-k', '32', '--bogus', '-t', '/tmp']);
    assert.deepEqual(
      [result.exitCode, result.stderr],
      [2, "Usage: chia plots create [OPTIONS]\nTry 'chia plots create -h' for help.\n\nError: No such option: --bogus"],
    );
    const other = await chia(['farm', 'summary']);
    assert.deepEqual(
      [other.exitCode, other.stderr],
      [2, "Usage: chia [OPTIONS] COMMAND [ARGS]...\nTry 'chia -h' for help.\n\nError: No such command 'farm'."],
    );
  });

  test('names a bad SIMPLOTTER_ value and uses its default', async () => {
    const { t, d } = dirs();
    const result = await chia(['plots', 'create', '-t', t, '-d', d], { SIMPLOTTER_FINAL_BYTES: 'lots' });
    assert.deepEqual(
      [result.exitCode, result.stderr],
      [0, 'simplotter: SIMPLOTTER_FINAL_BYTES=lots is not a whole number >= 0; using 65536'],
    );
    assert.equal(fs.statSync(path.join(d, onlyFinalPlot(d))).size, 65536);
  });
});

function checkMadmaxLog(result: Result, k: number): void {
  assert.equal(matching(result, MADMAX.p1).length, 7);
  assert.equal(matching(result, MADMAX.p2).length, 12);
  assert.equal(matching(result, MADMAX.p3).length, 12);
  assert.equal(matching(result, MADMAX.p4).length, 4);
  assert.deepEqual(
    matching(result, MADMAX.phaseEnd).map((m) => m[1]),
    ['1', '2', '3', '4'],
  );
  assert.equal(matching(result, MADMAX.total).length, 1);
  assert.equal(matching(result, MADMAX.crafting)[0][1], '1');
  assert.equal(matching(result, MADMAX.name)[0][2], String(k));
}

describe('simplotter as madmax', { concurrency: 4 }, () => {
  test("chia plotters madmax writes the madmax log with chia's progress lines and a final plot", async () => {
    const { t, t2, d } = dirs();
    const result = await chia([
      'plotters',
      'madmax',
      '-k',
      '32',
      '-n',
      '1',
      '-r',
      '8',
      '-u',
      '64',
      '-v',
      '128',
      '-t',
      t,
      '-2',
      t2,
      '-d',
      d,
    ]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    checkMadmaxLog(result, 32);
    assert.equal(matching(result, MADMAX.banner)[0][1], '32');
    assert.equal(matching(result, MADMAX.threads)[0][1], '8');
    assert.deepEqual(matching(result, MADMAX.buckets)[0].slice(1), ['6', '64']);
    assert.deepEqual(matching(result, MADMAX.buckets3)[0].slice(1), ['7', '128']);
    assert.deepEqual(
      matching(result, MADMAX.workDir).map((m) => m[2]),
      [t, t2],
    );
    assert.equal(matching(result, /^Progress update: (0\.\d+)$/).length, 19);
    const finalName = onlyFinalPlot(d);
    assert.equal(matching(result, MADMAX.renamed)[0][1], path.join(d, finalName));
    assert.deepEqual([fs.readdirSync(t), fs.readdirSync(t2)], [[], []]);
  });

  test("a chia_plot symlink takes madmax's own flags, with -C naming a compressed plot", async () => {
    const { t, t2, d } = dirs();
    const result = await standalone('chia_plot', [
      '-n',
      '1',
      '-r',
      '4',
      '-u',
      '256',
      '-C',
      '5',
      '-t',
      `${t}/`,
      '-2',
      `${t2}/`,
      '-d',
      `${d}/`,
      '-f',
      FARMER,
      '-c',
      CONTRACT,
    ]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    checkMadmaxLog(result, 32);
    assert.equal(matching(result, MADMAX.pool)[0][1], 'Pool Puzzle Hash');
    assert.equal(matching(result, MADMAX.farmer)[0][1], FARMER);
    assert.equal(matching(result, /^Progress update/).length, 0);
    const name = onlyFinalPlot(d);
    assert.equal(name.match(FINAL_NAME)?.[2], '5', 'Gigahorse does not pad its level');
    const facts = await readPlotFile(path.join(d, name));
    assert.deepEqual(facts.ok ? 'read' : [facts.problem, facts.message], [
      'unsupported',
      'Gigahorse plot (format description "mmx-v3.0"): closed format, not read',
    ]);
  });

  test('a chia_plot_k34 symlink plots k33 and says k34 in its banner', async () => {
    const { t, d } = dirs();
    const result = await standalone('chia_plot_k34', [
      '-k',
      '33',
      '-t',
      `${t}/`,
      '-d',
      `${d}/`,
      '-f',
      FARMER,
      '-p',
      POOL,
    ]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.equal(matching(result, MADMAX.banner)[0][1], '34');
    checkMadmaxLog(result, 33);
  });

  test('chia_plot refuses what madmax refuses, with its messages and exit 254', async () => {
    const { t, d } = dirs();
    const noSlash = await standalone('chia_plot', ['-t', t, '-d', `${d}/`, '-f', FARMER, '-p', POOL]);
    assert.deepEqual([noSlash.exitCode, noSlash.stdout], [254, `Invalid tmpdir: ${t} (needs trailing '/' or '\\')`]);
    const noPool = await standalone('chia_plot', ['-t', `${t}/`, '-f', FARMER]);
    assert.deepEqual(
      [noPool.exitCode, noPool.stdout],
      [
        254,
        'Pool Public Key (for solo farming) or Pool Contract Address (for pool farming) needs to be specified via -p or -c, see `chia_plot --help`.',
      ],
    );
  });

  test('fails at SIMPLOTTER_FAIL_PHASE like a crashing chia_plot, leaving temp files', async () => {
    const { t, t2, d } = dirs();
    const result = await standalone(
      'chia_plot',
      ['-t', `${t}/`, '-2', `${t2}/`, '-d', `${d}/`, '-f', FARMER, '-p', POOL],
      { SIMPLOTTER_FAIL_PHASE: '2' },
    );
    assert.equal(result.exitCode, 1);
    assert.equal(
      result.stderr,
      "terminate called after throwing an instance of 'std::runtime_error'\n" +
        '  what():  simulated plotter failure at the start of phase 2 (SIMPLOTTER_FAIL_PHASE=2)',
    );
    assert.equal(fs.readdirSync(t).length, 6);
    assert.equal(fs.readdirSync(t2).length, 1);
    assert.deepEqual(fs.readdirSync(d), []);
  });

  test('unknown arguments exit 2 for chia plotters madmax and for chia_plot', async () => {
    const viaChia = await chia(['plotters', 'madmax', '-t', '/tmp', '-d', '/tmp', '--bogus']);
    assert.deepEqual(
      [viaChia.exitCode, viaChia.stderr],
      [2, 'usage: chia plotters madmax [-h] [options]\nchia plotters madmax: error: unrecognized arguments: --bogus'],
    );
    const direct = await standalone('chia_plot', ['--bogus', '1']);
    assert.deepEqual([direct.exitCode, direct.stderr], [2, "error parsing options: Option 'bogus' does not exist"]);
  });
});

describe('simplotter as bladebit', { concurrency: 4 }, () => {
  test('chia plotters bladebit ramplot writes the RAM log and the plot as .plot.tmp then .plot', async () => {
    const { d } = dirs();
    const result = await chia(['plotters', 'bladebit', 'ramplot', '-r', '4', '-n', '1', '--compress', '3', '-d', d]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.equal(matching(result, BLADEBIT.output)[0][1], d);
    const id = matching(result, BLADEBIT.generating)[0][3];
    assert.deepEqual(
      matching(result, BLADEBIT.running).map((m) => m[1]),
      ['1', '2', '3', '4'],
    );
    assert.deepEqual(
      matching(result, BLADEBIT.phaseEnd).map((m) => m[1]),
      ['1', '2', '3', '4'],
    );
    assert.equal(matching(result, BLADEBIT.finished).length, 1);
    assert.ok(matching(result, /^Progress update: /).length > 10);
    const finalName = onlyFinalPlot(d);
    assert.deepEqual([finalName.match(FINAL_NAME)?.[2], finalName.match(FINAL_NAME)?.[8]], ['03', id]);
  });

  test('a bladebit symlink runs diskplot: 3 phases, its bucket count and temp paths, temp files removed', async () => {
    const { t, t2, d } = dirs();
    const result = await standalone('bladebit', [
      '-t',
      '4',
      '-n',
      '1',
      '-f',
      FARMER,
      '-c',
      CONTRACT,
      'diskplot',
      '-b',
      '128',
      '-t1',
      t,
      '-t2',
      t2,
      d,
    ]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.equal(matching(result, BLADEBIT.bucketCount)[0][1], '128');
    assert.deepEqual(
      matching(result, BLADEBIT.temp).map((m) => m[2]),
      [t, t2],
    );
    assert.deepEqual(
      matching(result, BLADEBIT.running).map((m) => m[1]),
      ['1', '2', '3'],
    );
    assert.deepEqual(
      matching(result, BLADEBIT.phaseEnd).map((m) => m[1]),
      ['1', '2', '3'],
    );
    assert.equal(matching(result, BLADEBIT.finished).length, 1);
    onlyFinalPlot(d);
    assert.deepEqual([fs.readdirSync(t), fs.readdirSync(t2)], [[], []]);
  });

  test("diskplot fails at SIMPLOTTER_FAIL_PHASE with bladebit's Fatal Error, leaving temp files and the .plot.tmp", async () => {
    const { t, d } = dirs();
    const result = await standalone('bladebit', ['-f', FARMER, '-p', POOL, 'diskplot', '-t1', t, d], {
      SIMPLOTTER_FAIL_PHASE: '3',
    });
    assert.deepEqual(
      [result.exitCode, result.stderr],
      [1, 'Fatal Error:\n  simulated plotter failure at the start of phase 3 (SIMPLOTTER_FAIL_PHASE=3)'],
    );
    assert.deepEqual(fs.readdirSync(t).sort(), ['fx_0.tmp', 'map_0.tmp', 'meta0_0.tmp', 'y0_0.tmp']);
    assert.match(fs.readdirSync(d)[0], /^plot-k32-.*\.plot\.tmp$/);
  });

  test('a bladebit_cuda symlink runs cudaplot with compression', async () => {
    const { d } = dirs();
    const result = await standalone('bladebit_cuda', [
      '-t',
      '2',
      '-f',
      FARMER,
      '-c',
      CONTRACT,
      '--compress',
      '7',
      'cudaplot',
      d,
    ]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.equal(matching(result, BLADEBIT.cudaTable).length, 6);
    const finalName = onlyFinalPlot(d);
    assert.equal(matching(result, BLADEBIT.cudaTemp)[0][1], path.join(d, `${finalName}.tmp`));
    assert.equal(finalName.match(FINAL_NAME)?.[2], '07');
    assert.equal(matching(result, /^Completed writing plot in/).length, 1);
  });

  test('bladebit refuses an unknown argument, a missing farmer key and compressed diskplots', async () => {
    const unknown = await standalone('bladebit', ['-f', FARMER, '-p', POOL, 'ramplot', '--bogus', '/tmp']);
    assert.deepEqual([unknown.exitCode, unknown.stderr], [2, "Fatal Error:\n  Unexpected argument '--bogus'"]);
    const noKey = await standalone('bladebit', ['-p', POOL, 'ramplot', '/tmp']);
    assert.deepEqual([noKey.exitCode, noKey.stderr], [1, 'Fatal Error:\n  A farmer public key must be specified.']);
    const compressedDisk = await standalone('bladebit', [
      '-f',
      FARMER,
      '-p',
      POOL,
      '-z',
      '3',
      'diskplot',
      '-t1',
      '/tmp',
      '/tmp',
    ]);
    assert.deepEqual(
      [compressedDisk.exitCode, compressedDisk.stderr],
      [1, 'Fatal Error:\n  diskplot is currently disabled for compressed plotting due to a bug.'],
    );
    const cudaOnPlainBladebit = await standalone('bladebit', ['-f', FARMER, '-p', POOL, 'cudaplot', '/tmp']);
    assert.deepEqual(
      [cudaOnPlainBladebit.exitCode, cudaOnPlainBladebit.stderr],
      [2, "Fatal Error:\n  Unexpected argument 'cudaplot'"],
    );
  });

  test('chia plotters bladebit refuses an unknown plot type and a missing final dir like argparse', async () => {
    const badType = await chia(['plotters', 'bladebit', 'gpuplot']);
    assert.deepEqual(
      [badType.exitCode, badType.stderr],
      [
        2,
        "usage: chia plotters bladebit [-h] [options]\nchia plotters bladebit: error: argument plot_type: invalid choice: 'gpuplot' (choose from 'cudaplot', 'ramplot', 'diskplot')",
      ],
    );
    const noDir = await chia(['plotters', 'bladebit', 'diskplot', '-r', '2']);
    assert.deepEqual(
      [noDir.exitCode, noDir.stderr],
      [
        2,
        'usage: chia plotters bladebit diskplot [-h] [options]\nchia plotters bladebit diskplot: error: the following arguments are required: -d/--final_dir, -t/--tmp_dir',
      ],
    );
  });
});

describe('simplotter writes a real plot header into its final file', { concurrency: 4 }, () => {
  async function headerOf(dir: string): Promise<[string, string, number, number, string]> {
    const finalName = onlyFinalPlot(dir);
    const facts = await readPlotFile(path.join(dir, finalName));
    assert.ok(facts.ok, facts.ok ? '' : facts.message);
    assert.deepEqual(facts.nameMismatches, []);
    assert.equal(facts.header.plotId, finalName.match(FINAL_NAME)?.[8]);
    return [facts.header.format, facts.header.kind, facts.header.k, facts.header.compression, facts.header.plotId];
  }
  const cases: {
    name: string;
    run: (d: string, t: string) => ResultPromise;
    expected: [string, string, number, number];
  }[] = [
    {
      name: 'chia plots create -c: v1 pool',
      run: (d, t) => chia(['plots', 'create', '-f', FARMER, '-c', CONTRACT, '-t', t, '-d', d]),
      expected: ['v1', 'pool', 32, 0],
    },
    {
      name: 'chia plots create -k 33 -p: v1 solo k33',
      run: (d, t) => chia(['plots', 'create', '-k', '33', '-f', FARMER, '-p', POOL, '-t', t, '-d', d]),
      expected: ['v1', 'solo', 33, 0],
    },
    {
      name: 'chia plotters madmax -c: v1 pool',
      run: (d, t) => chia(['plotters', 'madmax', '-f', FARMER, '-c', CONTRACT, '-t', t, '-d', d]),
      expected: ['v1', 'pool', 32, 0],
    },
    {
      name: 'chia_plot -p: v1 solo',
      run: (d, t) => standalone('chia_plot', ['-f', FARMER, '-p', POOL, '-t', `${t}/`, '-d', `${d}/`]),
      expected: ['v1', 'solo', 32, 0],
    },
    {
      name: 'bladebit ramplot -z 0 -p: v2 solo without a level',
      run: (d) => standalone('bladebit', ['-f', FARMER, '-p', POOL, '-z', '0', 'ramplot', d]),
      expected: ['bladebit', 'solo', 32, 0],
    },
    {
      name: 'chia plotters bladebit ramplot --compress 5 -c: v2 pool C5',
      run: (d) => chia(['plotters', 'bladebit', 'ramplot', '-f', FARMER, '-c', CONTRACT, '--compress', '5', '-d', d]),
      expected: ['bladebit', 'pool', 32, 5],
    },
    {
      name: 'bladebit_cuda -z 7 -c: v2 pool C7',
      run: (d) => standalone('bladebit_cuda', ['-f', FARMER, '-c', CONTRACT, '-z', '7', 'cudaplot', d]),
      expected: ['bladebit', 'pool', 32, 7],
    },
    {
      name: 'bladebit diskplot -c: v1 pool (diskplot writes v1 at C0)',
      run: (d, t) => standalone('bladebit', ['-f', FARMER, '-c', CONTRACT, 'diskplot', '-t1', t, d]),
      expected: ['v1', 'pool', 32, 0],
    },
  ];
  for (const { name, run, expected } of cases) {
    test(name, async () => {
      const { t, d } = dirs();
      const result = await run(d, t);
      assert.equal(result.exitCode, 0, String(result.stderr));
      assert.deepEqual((await headerOf(d)).slice(0, 4), expected);
    });
  }

  test('bladebit diskplot holds the header in its .plot.tmp while plotting, as bladebit writes while plotting', async () => {
    const { t, d } = dirs();
    const result = await standalone('bladebit', ['-f', FARMER, '-c', CONTRACT, 'diskplot', '-t1', t, d], {
      SIMPLOTTER_FAIL_PHASE: '2',
    });
    assert.equal(result.exitCode, 1);
    const [tmp] = fs.readdirSync(d);
    const facts = await readPlotFile(path.join(d, tmp!));
    assert.ok(facts.ok);
    assert.deepEqual([facts.header.format, facts.header.kind], ['v1', 'pool']);
  });
});
