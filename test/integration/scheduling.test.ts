// Phase-aware scheduling with the real loop (node scripts/goplot.js), real tractors and the
// simulated plotter: each limit holds, says why a plot waits in one exact line, and follows a live
// `echo VALUE > config/NAME.goplot` (how fast: bench/loop.bench.ts). Priorities are read back from /proc.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findTractorPids } from '../../lib/farm/find-tractors.js';
import { readRunningPlots } from '../../lib/farm/process-table.js';
import { tempBytesNeeded } from '../../lib/plan/temp-space.js';
import {
  count,
  echoInto,
  has,
  loopsPerTest,
  makeSchedulingFarm,
  plotLogFile,
  plotPhase,
  sleep,
  STARTING,
  stopLoop,
} from '../helpers/scheduling.js';
import { FAKE_BIN, simEnv, simPlotterPids } from '../helpers/sim-farm.js';
import { logMessages, runScript, SIM_PLOTTER, waitFor, type TempHome } from '../helpers/temp-home.js';
import { errorMessage } from '../../lib/util/error-message.js';

/** A live change must show in the log within this: a bound for a loaded CI machine, not a speed claim. */
const REACT_MS = 15_000;
/** Longer than plot_poll (1 s): the loop has looked again and still holds. */
const HOLD_MS = 1300;
const GIB = 1024 ** 3;

const perTest = loopsPerTest();
const loop = perTest.loop;

function farm(values: Record<string, string | number>, farms?: Record<string, string[]>, temps?: string[]): TempHome {
  return perTest.home(makeSchedulingFarm({ plot_poll: 1, plot_gap: 0, ...values }, farms, temps));
}

/** Waits for a line of goplot.log; on a time-out the error shows the log, so a failure says why. */
async function waitLine(home: TempHome, line: string | RegExp, ms = REACT_MS): Promise<void> {
  try {
    await waitFor(`the line ${String(line)} in goplot.log`, has(home, line), ms);
  } catch (error) {
    throw new Error(`${errorMessage(error)}; goplot.log says:\n${logMessages(home).join('\n')}`);
  }
}

/** Holds for HOLD_MS and checks nothing more was started meanwhile. */
async function assertHolds(home: TempHome, starts: number, why: string): Promise<void> {
  await sleep(HOLD_MS);
  assert.equal(count(home, STARTING), starts, `${why}\n${logMessages(home).join('\n')}`);
}

describe('initial_delay', () => {
  it('waits after the loop starts, and a lowered delay starts the plot when it ends', async () => {
    const home = farm({ initial_delay: 600, plot_poll: 600, max_plots: 1 });
    const goplot = loop(home, 30);
    await waitLine(home, 'not started: initial_delay: 600 s left', 20_000);
    await assertHolds(home, 0, 'no plot during the initial delay');
    echoInto(home, 'initial_delay', 2);
    // the loop is over 1 s old, so a 2 s delay ends within the next second, though plot_poll is 600 s
    await waitLine(home, /^starting a plot: 0\/1 plots running, load \d+\.\d\d <= 1000; tractor pid \d+$/);
    assert.equal(await stopLoop(goplot), 0);
  });
});

describe('start_early_phase', () => {
  it('keeps counting a plot past phase 2 until start_early_phase says otherwise, then starts one more', async () => {
    const home = farm({ max_plots: 1, start_early_phase: 0 });
    const goplot = loop(home, 15);
    await waitLine(home, 'not started: 1/1 plots running (max_plots)', 20_000);
    await waitFor('plot 1 in phase 2', () => plotPhase(home, 1) >= 2, 15_000);
    await assertHolds(home, 1, 'a plot in phase 2 still counts while start_early_phase is 0');
    echoInto(home, 'start_early_phase', 2);
    await waitLine(home, /^starting a plot: 0\/1 plots running, /);
    await waitLine(home, 'not started: 1/1 plots running (1 more past phase 2 not counted) (max_plots)');
    assert.equal(count(home, STARTING), 2);
    assert.equal(await stopLoop(goplot), 0);
  });
});

describe('max_phase1', () => {
  it('holds plots in phase 1 at the limit and follows it up live, with max_plots still on top', async () => {
    const home = farm({ max_plots: 3, max_phase1: 1 });
    const goplot = loop(home, 30);
    await waitLine(home, 'not started: 1 plot in phase 1 (max_phase1 1)', 20_000);
    await assertHolds(home, 1, 'plot 1 is in phase 1 for 10 s');
    assert.equal(plotPhase(home, 1), 1);
    echoInto(home, 'max_phase1', 2);
    await waitLine(home, 'not started: 2 plots in phase 1 (max_phase1 2)');
    assert.equal(count(home, STARTING), 2);
    echoInto(home, 'max_phase1', 0);
    await waitLine(home, 'not started: 3/3 plots running (max_plots)');
    assert.equal(count(home, STARTING), 3);
    await waitFor('the third plotter', () => simPlotterPids(home).length === 3, 20_000);
    assert.equal(await stopLoop(goplot), 0);
  });

  it('says the new limit at once when max_phase1 is lowered while it holds', async () => {
    const home = farm({ max_plots: 3, max_phase1: 2 });
    const goplot = loop(home, 30);
    await waitLine(home, 'not started: 2 plots in phase 1 (max_phase1 2)', 20_000);
    echoInto(home, 'max_phase1', 1);
    await waitLine(home, 'not started: 2 plots in phase 1 (max_phase1 1)');
    assert.equal(count(home, STARTING), 2);
    assert.equal(await stopLoop(goplot), 0);
  });
});

/** The `-t` dir of every simulated plotter running for this home, from /proc (the truth). */
function plotterTempDirs(home: TempHome): string[] {
  return simPlotterPids(home)
    .map((pid) => {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv[argv.indexOf('-t') + 1] ?? '?';
    })
    .map((dir) => path.relative(home.tempRoot, dir))
    .sort();
}

describe('max_per_temp', () => {
  it('gives each temp dir at most max_per_temp plots, naming each dir, and takes a raised limit live', async () => {
    const home = farm({ max_plots: 3, max_per_temp: 1 }, { farm1: ['disk1', 'disk2'] }, ['1', '2']);
    const goplot = loop(home, 30);
    await waitFor('two plotters', () => simPlotterPids(home).length >= 2, 20_000);
    await sleep(HOLD_MS);
    assert.deepEqual(
      plotterTempDirs(home),
      ['1', '2'],
      `one plot per temp dir with max_per_temp 1; goplot.log says:\n${logMessages(home).join('\n')}`,
    );
    await waitLine(
      home,
      'not started: no temp dir can take a plot: 1: 1 plot (max_per_temp 1); 2: 1 plot (max_per_temp 1)',
    );
    assert.equal(count(home, /^tractor refused: /), 0, 'the loop starts no tractor that is bound to be refused');
    echoInto(home, 'max_per_temp', 2);
    await waitLine(home, 'not started: 3/3 plots running (max_plots)');
    await waitFor('the third plotter', () => simPlotterPids(home).length === 3, 20_000);
    assert.deepEqual(plotterTempDirs(home), ['1', '1', '2']);
    assert.equal(count(home, STARTING), 3);
    assert.equal(await stopLoop(goplot), 0);
  });
});

describe('max_per_temp between tractors started together', () => {
  it('lets one of three tractors plot into a temp dir with max_per_temp 1 and refuses the others', async () => {
    const home = farm({ max_per_temp: 1 }, { farm1: ['disk1', 'disk2', 'disk3'] }, ['1']);
    // --home as the loop passes it, so findTractorPids finds them when the test cleans up
    const tractors = [0, 1, 2].map(() =>
      runScript(home, 'scripts/tractor.js', ['--home', home.home], { env: simEnv(30), timeout: 40_000 }),
    );
    const ended: { exitCode?: number; stderr: unknown }[] = [];
    for (const tractor of tractors) void tractor.then((result) => ended.push(result));
    // the winner's plotter can start after the two refused tractors have ended: wait for both
    await waitFor(
      'two tractors that ended and one plotter, or two plotters',
      () => simPlotterPids(home).length >= 2 || (ended.length >= 2 && simPlotterPids(home).length >= 1),
      20_000,
    );
    await sleep(HOLD_MS);
    assert.deepEqual(
      plotterTempDirs(home),
      ['1'],
      `one plot in temp dir 1; goplot.log says:\n${logMessages(home).join('\n')}`,
    );
    assert.deepEqual(
      ended.map((result) => [result.exitCode, result.stderr]),
      [1, 2].map(() => [2, 'tractor: no temp dir can take a plot: 1: 1 plot (max_per_temp 1)']),
    );
  });
});

describe('the temp dir free-space check', () => {
  it('starts no plot into a temp dir without room for its k, and starts when k is lowered live', async () => {
    const home = farm({ max_plots: 1, disk_space: 'df', k: 32 }, { farm1: ['disk1'] }, ['1']);
    const table = path.join(home.root, 'df-table');
    // in KiB: 10 TiB of farm, 200 GiB of temp (a k32 chiapos plot needs about 239 GiB)
    fs.writeFileSync(
      table,
      `${home.farmRoot} ${10 * 1024 ** 3} 0\n${path.join(home.tempRoot, '1')} ${200 * 1024 ** 2} 0\n`,
    );
    const goplot = loop(home, 30, { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table });
    const needs = (tempBytesNeeded('chia', 32) / GIB).toFixed(1);
    await waitLine(
      home,
      `not started: no temp dir can take a plot: 1: 200.0 GiB free, a plot needs ${needs} GiB`,
      20_000,
    );
    await assertHolds(home, 0, 'a k32 chiapos plot does not fit in 200 GiB of temp space');
    assert.deepEqual(findTractorPids(home.home), []);
    echoInto(home, 'k', 25);
    await waitLine(home, /^starting a plot: 0\/1 plots running, /);
    await waitLine(home, /^plot 1 started: pid \d+, chia k25, temp /, 20_000);
    assert.equal(await stopLoop(goplot), 0);
  });
});

describe('destinations without room', () => {
  it('launches no tractor while every disk is full, and starts once diskhand finds room on one', async () => {
    const home = farm({ max_plots: 1 }, { farm1: ['disk1', 'disk2'] }, ['1']);
    fs.mkdirSync(path.join(home.disksDir, 'farm1'), { recursive: true });
    for (const disk of ['disk1', 'disk2'])
      fs.writeFileSync(path.join(home.disksDir, 'farm1', `${disk}.goplot`), 'full\n');
    const goplot = loop(home, 30);
    await waitLine(home, `not started: no usable disk under ${home.farmRoot}: farm1: 2 disks full`, 20_000);
    await assertHolds(home, 0, 'every disk is full');
    assert.deepEqual(findTractorPids(home.home), []);
    assert.equal(home.read('config/index.goplot').trim(), '0');
    assert.equal(count(home, /^tractor refused: /), 0);
    fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk2.goplot'), '0\n');
    await waitLine(home, /^starting a plot: 0\/1 plots running, /);
    await waitFor(
      'plot 1 on disk2',
      () => plotLogFile(home, 1) === path.join(home.farmRoot, 'farm1', 'disk2', 'logs', 'plot.1.log'),
      20_000,
    );
    assert.equal(await stopLoop(goplot), 0);
  });
});

/** Fields of /proc/<pid>/stat after the command name, which may hold spaces. */
function statFields(pid: number | 'self'): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
}
/** nice is field 19 of /proc/<pid>/stat; the fields after the name start at field 3. */
const niceOf = (pid: number | 'self') => Number(statFields(pid)[19 - 3]);
const cpusOf = (pid: number | 'self') =>
  /^Cpus_allowed_list:\s*(\S+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
const ioniceOf = (pid: number) => execFileSync('ionice', ['-p', String(pid)], { encoding: 'utf8' }).trim();

/** True once the wrappers (taskset, ionice, nice) have exec'd the plotter itself: only then are its priorities set. */
function isPastWrappers(pid: number): boolean {
  try {
    const program = path.basename(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '');
    return !['taskset', 'ionice', 'nice'].includes(program);
  } catch {
    return false;
  }
}

/** The pid of a simulated plotter of this home other than `except` (0 is no pid, so waitFor goes on). */
const waitForPlotter = (home: TempHome, what: string, except = 0): Promise<number> =>
  waitFor(what, () => simPlotterPids(home).find((pid) => pid !== except && isPastWrappers(pid)) ?? 0, 20_000);

describe('plotter priorities', () => {
  it('runs the plotter under nice, ionice and cpu_affinity, still counted as a plot, and takes new values for the next plot', async () => {
    const ownNice = niceOf('self');
    const allCpus = cpusOf('self')!;
    const lastCpu = /(\d+)$/.exec(allCpus)![1]!;
    const home = farm({ max_plots: 1, nice: 19, ionice_class: 'idle', cpu_affinity: lastCpu });
    const goplot = loop(home, 30);
    const first = await waitForPlotter(home, 'the first plotter');
    assert.equal(niceOf(first), Math.min(19, ownNice + 19));
    assert.equal(ioniceOf(first), 'idle');
    assert.equal(cpusOf(first), lastCpu);
    const wrapped = `plot 1 command: taskset -c ${lastCpu} ionice -c 3 nice -n 19 ${SIM_PLOTTER} plots create -k 25 `;
    await waitLine(home, new RegExp(`^${wrapped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 20_000);
    // each wrapper execs the next, so the plotter keeps its pid, parent and command line: the process table still finds it
    const running = readRunningPlots({
      farmRoot: home.farmRoot,
      tempRoot: home.tempRoot,
      commandNames: ['simplotter.js'],
    });
    assert.deepEqual(
      running.map((plot) => [plot.pid, plot.index]),
      [[first, 1]],
    );
    await waitLine(home, 'not started: 1/1 plots running (max_plots)', 20_000);

    echoInto(home, 'nice', 5);
    echoInto(home, 'ionice_class', 'best-effort');
    echoInto(home, 'ionice_level', 7);
    echoInto(home, 'cpu_affinity', allCpus);
    echoInto(home, 'max_plots', 2);
    const second = await waitForPlotter(home, 'the second plotter', first);
    assert.equal(niceOf(second), Math.min(19, ownNice + 5));
    assert.equal(ioniceOf(second), 'best-effort: prio 7');
    assert.equal(cpusOf(second), allCpus);
    assert.equal(niceOf(first), Math.min(19, ownNice + 19), 'a running plot keeps the priority it started with');
    assert.equal(await stopLoop(goplot), 0);
  });
});
