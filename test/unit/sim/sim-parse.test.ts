// The plot-log parser against logs the simulated plotter writes for real, for every plotter, k and
// bucket count: the whole log gives the right plot, and fed line by line its progress and phase
// never go down. The plotter writes stdout and stderr into one log file, as the tractor runs it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  createPlotLogParser,
  parsePlotLog,
  type PlotLogInfo,
  type PlotLogPlotter,
} from '../../../lib/plot-log/parse-plot-log.js';
import { CONTRACT, FARMER, POOL, simPlotterLinks } from '../../helpers/sim-plotter.js';

const FINAL_NAME = /^(plot-k(\d+)(?:-c\d\d)?-\d{4}(?:-\d\d){4}-([0-9a-f]{64}))\.plot$/;
/** Long enough for several batches of lines per phase, short enough for ~30 runs. */
const SIM_SECONDS = '0.4';
const RUN_TIMEOUT_MS = 30_000;

const children = new Set<ChildProcess>();
const links = simPlotterLinks('sim-parse-test-', ['chia', 'chia_plot', 'bladebit', 'bladebit_cuda'], children);

interface Dirs {
  t: string;
  t2: string;
  d: string;
}

interface SimCase {
  title: string;
  /** The command as a user has it: `chia` (chia_bin) or a standalone plotter's name. */
  command: 'chia' | 'chia_plot' | 'bladebit' | 'bladebit_cuda';
  args: (dirs: Dirs) => string[];
  plotter: Exclude<PlotLogPlotter, 'unknown'>;
  k: number;
  /** What the log says about buckets; null when the plotter prints none (bladebit RAM and CUDA). */
  buckets: number | null;
  phaseCount: number;
}

interface SimRun {
  exitCode: number | null;
  log: string;
  dirs: Dirs;
}

let runCount = 0;

/** Runs one simulated plot with stdout and stderr in `plot.log`, as the tractor does. */
async function runSim(simCase: SimCase, env: Record<string, string> = {}): Promise<SimRun> {
  const base = path.join(links.root, `run${++runCount}`);
  const dirs = { t: path.join(base, 'tmp'), t2: path.join(base, 'tmp2'), d: path.join(base, 'dest') };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(base, 'plot.log');
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(path.join(links.root, simCase.command), simCase.args(dirs), {
    stdio: ['ignore', fd, fd],
    env: { PATH: process.env.PATH ?? '', SIMPLOTTER_SECONDS: SIM_SECONDS, ...env },
  });
  fs.closeSync(fd);
  children.add(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code));
  });
  clearTimeout(timer);
  children.delete(child);
  return { exitCode, log: fs.readFileSync(logFile, 'utf8'), dirs };
}

const chiapos = (k: number, buckets: number): SimCase => ({
  title: `chia plots create k${k} with ${buckets} buckets`,
  command: 'chia',
  args: ({ t, t2, d }) => [
    'plots',
    'create',
    '-k',
    String(k),
    ...(k < 32 ? ['--override-k'] : []),
    '-u',
    String(buckets),
    '-t',
    t,
    '-2',
    t2,
    '-d',
    d,
  ],
  plotter: 'chia',
  k,
  buckets,
  phaseCount: 4,
});

const madmax = (via: 'chia' | 'chia_plot', k: number, buckets: number): SimCase => ({
  title: `${via === 'chia' ? 'chia plotters madmax' : 'chia_plot'} k${k} with ${buckets} buckets`,
  command: via,
  args: ({ t, t2, d }) =>
    via === 'chia'
      ? ['plotters', 'madmax', '-k', String(k), '-u', String(buckets), '-t', t, '-2', t2, '-d', d]
      : [
          '-k',
          String(k),
          '-u',
          String(buckets),
          '-t',
          `${t}/`,
          '-2',
          `${t2}/`,
          '-d',
          `${d}/`,
          '-f',
          FARMER,
          '-p',
          POOL,
        ],
  plotter: 'madmax',
  k,
  buckets,
  phaseCount: 4,
});

const BLADEBIT_CASES: SimCase[] = [
  {
    title: 'bladebit ramplot',
    command: 'bladebit',
    args: ({ d }) => ['-f', FARMER, '-p', POOL, 'ramplot', d],
    plotter: 'bladebit-ram',
    k: 32,
    buckets: null,
    phaseCount: 4,
  },
  {
    title: 'bladebit diskplot with 64 buckets',
    command: 'bladebit',
    args: ({ t, t2, d }) => ['-f', FARMER, '-c', CONTRACT, 'diskplot', '-b', '64', '-t1', t, '-t2', t2, d],
    plotter: 'bladebit-disk',
    k: 32,
    buckets: 64,
    phaseCount: 3,
  },
  {
    title: 'bladebit diskplot with 256 buckets',
    command: 'bladebit',
    args: ({ t, d }) => ['-f', FARMER, '-p', POOL, 'diskplot', '-t1', t, d],
    plotter: 'bladebit-disk',
    k: 32,
    buckets: 256,
    phaseCount: 3,
  },
  {
    title: 'bladebit_cuda cudaplot',
    command: 'bladebit_cuda',
    args: ({ d }) => ['-f', FARMER, '-p', POOL, '--compress', '7', 'cudaplot', d],
    plotter: 'bladebit-cuda',
    k: 32,
    buckets: null,
    phaseCount: 4,
  },
  {
    title: 'chia plotters bladebit ramplot',
    command: 'chia',
    args: ({ d }) => ['plotters', 'bladebit', 'ramplot', '-d', d],
    plotter: 'bladebit-ram',
    k: 32,
    buckets: null,
    phaseCount: 4,
  },
  {
    title: 'chia plotters bladebit diskplot with 128 buckets',
    command: 'chia',
    args: ({ t, d }) => ['plotters', 'bladebit', 'diskplot', '--compress', '0', '-u', '128', '-t', t, '-d', d],
    plotter: 'bladebit-disk',
    k: 32,
    buckets: 128,
    phaseCount: 3,
  },
  {
    title: 'chia plotters bladebit cudaplot',
    command: 'chia',
    args: ({ d }) => ['plotters', 'bladebit', 'cudaplot', '-d', d],
    plotter: 'bladebit-cuda',
    k: 32,
    buckets: null,
    phaseCount: 4,
  },
];

/** The one `.plot` the run left in its destination. */
function finalPlot(dirs: Dirs): { file: string; name: string; k: number; id: string } {
  const plots = fs.readdirSync(dirs.d).filter((name) => name.endsWith('.plot'));
  assert.equal(plots.length, 1, `one .plot in ${dirs.d}: ${fs.readdirSync(dirs.d).join(', ')}`);
  const match = FINAL_NAME.exec(plots[0]!);
  assert.ok(match, `${plots[0]} is named like a plot`);
  return { file: path.join(dirs.d, plots[0]!), name: match[1]!, k: Number(match[2]), id: match[3]! };
}

/** Feeds the log one line at a time and returns the info after every line. */
function infosLineByLine(log: string): PlotLogInfo[] {
  const parser = createPlotLogParser();
  return log.split(/(?<=\n)/).map((line) => {
    parser.push(line);
    return parser.info();
  });
}

/** Feeds the log in uneven chunks that cut lines (and bucket lines) anywhere, as a growing file is read. */
function parseInChunks(log: string): PlotLogInfo {
  const parser = createPlotLogParser();
  for (let at = 0, size = 1; at < log.length; at += size, size = ((size * 7 + 3) % 113) + 1)
    parser.push(log.slice(at, at + size));
  parser.end();
  return parser.info();
}

function assertNeverDown(infos: PlotLogInfo[], what: string): void {
  for (let i = 1; i < infos.length; i++) {
    const [before, now] = [infos[i - 1]!, infos[i]!];
    assert.ok(
      now.progress >= before.progress,
      `${what}: progress went down at line ${i + 1}: ${before.progress} -> ${now.progress}`,
    );
    assert.ok(now.phase >= before.phase, `${what}: phase went down at line ${i + 1}: ${before.phase} -> ${now.phase}`);
  }
}

async function checkFinishedPlot(simCase: SimCase): Promise<void> {
  const run = await runSim(simCase);
  assert.equal(run.exitCode, 0, run.log.split('\n').slice(-5).join('\n'));
  const plot = finalPlot(run.dirs);
  assert.equal(plot.k, simCase.k);

  const info = parsePlotLog(run.log);
  assert.equal(info.plotter, simCase.plotter);
  assert.equal(info.k, simCase.k);
  assert.equal(info.plotId, plot.id);
  assert.equal(info.plotName, plot.name);
  assert.equal(info.finalFile && path.resolve(info.finalFile), plot.file);
  assert.equal(info.buckets, simCase.buckets);
  assert.equal(info.phaseCount, simCase.phaseCount);
  assert.equal(info.phase, simCase.phaseCount);
  assert.equal(info.status, 'finished');
  assert.equal(info.progress, 1);
  assert.equal(info.phaseSeconds.length, simCase.phaseCount);
  // at SIM_SECONDS a short phase may print `in 0.00 seconds`: present is what counts
  for (const [i, seconds] of info.phaseSeconds.entries()) {
    assert.ok(typeof seconds === 'number' && seconds >= 0, `phase ${i + 1} time: ${seconds}`);
  }
  assert.ok(typeof info.totalSeconds === 'number' && info.totalSeconds > 0, `total time: ${info.totalSeconds}`);

  const infos = infosLineByLine(run.log);
  assertNeverDown(infos, simCase.title);
  const progresses = infos.map((one) => one.progress);
  const firstDone = progresses.indexOf(1);
  assert.ok(firstDone > 0, 'progress reaches 1');
  assert.ok(
    progresses.slice(firstDone).every((p) => p === 1),
    'and stays there',
  );
  const beforeDone = new Set(progresses.slice(0, firstDone));
  // the bar moves through the plot, not from 0 straight to 1
  assert.ok(beforeDone.size > simCase.phaseCount, `${beforeDone.size} distinct progress values before the end`);
  assert.ok(Math.max(...beforeDone) < 1);
  const phasesSeen = [...new Set(infos.map((one) => one.phase))];
  assert.deepEqual(
    phasesSeen,
    Array.from({ length: simCase.phaseCount + 1 }, (_, i) => i),
    'every phase in order, from 0',
  );
  assert.deepEqual(infos.at(-1), info, 'line by line ends where the whole log does');
  assert.deepEqual(parseInChunks(run.log), info, 'chunks that cut lines end where the whole log does');
}

describe('the parser on simulated chiapos logs', { concurrency: 4 }, () => {
  for (const k of [25, 32]) {
    for (const buckets of [16, 32, 64, 128]) {
      const simCase = chiapos(k, buckets);
      test(`${simCase.title}: plot, id, phase times; progress and phase never go down`, () =>
        checkFinishedPlot(simCase));
    }
  }
});

describe('the parser on simulated madMAx logs', { concurrency: 4 }, () => {
  for (const via of ['chia', 'chia_plot'] as const) {
    for (const k of [25, 32]) {
      for (const buckets of [64, 256]) {
        const simCase = madmax(via, k, buckets);
        test(`${simCase.title}: plot, id, phase times; progress and phase never go down`, () =>
          checkFinishedPlot(simCase));
      }
    }
  }
});

describe('the parser on simulated bladebit logs', { concurrency: 4 }, () => {
  for (const simCase of BLADEBIT_CASES) {
    test(`${simCase.title}: plot, id, phase times; progress and phase never go down`, () => checkFinishedPlot(simCase));
  }
});

describe('the parser on a plot that failed at the start of phase 3', { concurrency: 4 }, () => {
  const failing: SimCase[] = [
    chiapos(25, 32),
    madmax('chia', 25, 64),
    madmax('chia_plot', 25, 64),
    ...BLADEBIT_CASES.filter((c) => c.buckets !== 64),
  ];
  for (const simCase of failing) {
    test(`${simCase.title}: status failed, phase 3, phases 1 and 2 timed, no final plot`, async () => {
      const run = await runSim(simCase, { SIMPLOTTER_FAIL_PHASE: '3' });
      assert.notEqual(run.exitCode, 0);
      assert.deepEqual(
        fs.readdirSync(run.dirs.d).filter((name) => name.endsWith('.plot')),
        [],
      );
      const info = parsePlotLog(run.log);
      assert.equal(info.plotter, simCase.plotter);
      assert.equal(info.status, 'failed');
      assert.ok(
        info.phaseSeconds[0]! > 0 && info.phaseSeconds[1]! > 0,
        `phase times ${JSON.stringify(info.phaseSeconds)}`,
      );
      assert.deepEqual(info.phaseSeconds.slice(2), new Array(simCase.phaseCount - 2).fill(null));
      assert.ok(info.progress > 0 && info.progress < 1, `progress ${info.progress}`);
      assertNeverDown(infosLineByLine(run.log), simCase.title);
      // phase 2 ended: the plot died in phase 3, as goplot analyze and start_early_phase must see it
      assert.equal(info.phase, 3);
    });
  }
});
