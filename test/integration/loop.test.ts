import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../lib/util/logger.js';
import { runLoop, type LoopWorld } from '../../lib/loop/run-loop.js';
import { isAlive, makeSimFarm, simEnv, simPlotterPids } from '../helpers/sim-farm.js';
import { stopEverything } from '../helpers/scheduling.js';
import { builtScript, logMessages, waitFor, type TempHome } from '../helpers/temp-home.js';

const homes: TempHome[] = [];
const loops: RunningLoop[] = [];
// the tractors too, and wait for all to end: a tractor outliving its plotter writes its
// conclusion into the home while it is being removed (rmdir then failed with ENOTEMPTY)
after(async () => {
  for (const home of homes) await stopEverything(home, loops);
  for (const home of homes) home.cleanup();
});

function farm(values: Record<string, string | number>): TempHome {
  const home = makeSimFarm({ farm1: ['disk1', 'disk2'] }, ['1', '2']);
  for (const [name, value] of Object.entries(values)) home.set(name, value);
  homes.push(home);
  return home;
}

interface RunningLoop {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startLoop(home: TempHome, plotSeconds: number, env: Record<string, string> = {}): RunningLoop {
  const child = spawn('node', [builtScript('scripts/goplot.js')], {
    env: { ...simEnv(plotSeconds, env), GOPLOT_HOME: home.home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const loop = { child, stderr: () => stderr, exited };
  loops.push(loop);
  return loop;
}

const has = (home: TempHome, pattern: RegExp) => () => logMessages(home).some((line) => pattern.test(line));
const count = (home: TempHome, pattern: RegExp) => logMessages(home).filter((line) => pattern.test(line)).length;

async function stopLoop(loop: RunningLoop): Promise<number | null> {
  loop.child.kill('SIGTERM');
  return loop.exited;
}

describe('the goplot loop', () => {
  it('starts a tractor when on, under max_plots and past plot_gap, and says why; then waits at max_plots', async () => {
    const home = farm({ max_plots: 1, plot_gap: 0 });
    const loop = startLoop(home, 4);
    await waitFor(
      'a start',
      has(home, /^starting a plot: 0\/1 plots running, load \d+\.\d\d <= 1000; tractor pid \d+$/),
    );
    await waitFor('plot 1', has(home, /^plot 1 started: /));
    await waitFor('the wait at max_plots', has(home, /^not started: 1\/1 plots running \(max_plots\)$/));
    assert.equal(await stopLoop(loop), 0);
  });

  // How fast the loop reacts is measured in bench/loop.bench.ts; here it must react long before plot_poll.
  it('stops starting when on_toggle turns off, and starts on run, without waiting for plot_poll', async () => {
    const home = farm({ on_toggle: 'off', plot_poll: 600, max_plots: 5, plot_gap: 0 });
    const loop = startLoop(home, 3);
    await waitFor('the off line', has(home, /^not started: on_toggle is "off"/));
    fs.writeFileSync(path.join(home.configDir, 'on_toggle.goplot'), 'run\n');
    await waitFor('a start after run (plot_poll is 600 s)', has(home, /^starting a plot: /));
    fs.writeFileSync(path.join(home.configDir, 'on_toggle.goplot'), 'off\n');
    await waitFor(
      'the second off line (plot_poll is 600 s)',
      () => count(home, /^not started: on_toggle is "off"/) === 2,
    );
    assert.equal(await stopLoop(loop), 0);
  });

  it('starts one more plot at once when max_plots is raised and the gap allows', async () => {
    const home = farm({ plot_poll: 600, max_plots: 1, plot_gap: 0 });
    const loop = startLoop(home, 20);
    await waitFor('plot 1', has(home, /^plot 1 started: /));
    await waitFor('the max_plots wait', has(home, /^not started: 1\/1 plots running \(max_plots\)$/));
    fs.writeFileSync(path.join(home.configDir, 'max_plots.goplot'), '2\n');
    await waitFor(
      'the second start (plot_poll is 600 s)',
      () => count(home, /^starting a plot: 1\/2 plots running/) === 1,
    );
    assert.equal(await stopLoop(loop), 0);
  });

  it('writes one line per change of reason, not one per poll', async () => {
    const home = farm({ on_toggle: 'off', plot_poll: 1 });
    const loop = startLoop(home, 1);
    await waitFor('the off line', has(home, /^not started: on_toggle/));
    await new Promise((resolve) => setTimeout(resolve, 3500));
    assert.equal(count(home, /not started/), 1);
    assert.equal(await stopLoop(loop), 0);
  });

  it("refuses a second loop for the same home, naming the first one's pid", async () => {
    const home = farm({ on_toggle: 'off' });
    const first = startLoop(home, 1);
    await waitFor('the first loop', has(home, /^loop started for home /));
    const second = startLoop(home, 1);
    assert.equal(await second.exited, 3);
    const pid = first.child.pid;
    assert.equal(
      second.stderr().trim(),
      `goplot: another goplot loop is running for this home (pid ${pid}); stop it first with: kill ${pid}`,
    );
    assert.equal(await stopLoop(first), 0);
  });

  it('ends cleanly on SIGTERM and never kills the running plots', async () => {
    const home = farm({ max_plots: 1, plot_gap: 0 });
    const loop = startLoop(home, 8);
    const [plotter] = await waitFor('the plotter', () => {
      const pids = simPlotterPids(home);
      return pids.length > 0 ? pids : null;
    });
    assert.equal(await stopLoop(loop), 0);
    assert.ok(logMessages(home).includes('loop stopped; running plots keep running'));
    assert.equal(isAlive(plotter!), true);
    assert.equal(fs.existsSync(path.join(home.logsDir, 'goplot.pid')), false);
  });

  it('keeps plot_gap across a kill -9 and restart: no burst of starts', async () => {
    const home = farm({ max_plots: 5, plot_gap: 3600 });
    const first = startLoop(home, 3);
    await waitFor('the first start', has(home, /^starting a plot: /));
    first.child.kill('SIGKILL');
    await first.exited;
    const second = startLoop(home, 3);
    await waitFor('the gap wait after restart', has(home, /^not started: plot_gap: 3\d\d\d s left$/));
    await waitFor('the one tractor to start its plot', has(home, /^plot 1 started: /));
    assert.equal(count(home, /^starting a plot: /), 1);
    assert.equal(home.read('config/index.goplot').trim(), '1');
    assert.equal(await stopLoop(second), 0);
  });

  it('counts the plot a killed loop left running, so a restart starts no duplicate', async () => {
    const home = farm({ max_plots: 1, plot_gap: 0 });
    const first = startLoop(home, 10);
    await waitFor('plot 1', has(home, /^plot 1 started: /));
    first.child.kill('SIGKILL');
    await first.exited;
    const second = startLoop(home, 10);
    await waitFor('the restart', () => count(home, /^loop started for home /) === 2);
    await waitFor('the max_plots wait', has(home, /^not started: 1\/1 plots running \(max_plots\)$/));
    assert.equal(count(home, /^starting a plot: /), 1);
    assert.equal(await stopLoop(second), 0);
  });

  it('says an error in a pass and goes on, instead of dying silently', async () => {
    const home = farm({ on_toggle: 'off', plot_poll: 1 });
    let reads = 0;
    const world: LoopWorld = {
      now: Date.now,
      loadavg: () => [0, 0, 0],
      readRunning: () => {
        reads++;
        if (reads === 1) throw new Error('EIO: i/o error, read');
        return [];
      },
      findTractors: () => [],
      checkRoom: async () => null,
      launchTractor: () => undefined,
    };
    const stop = new AbortController();
    const running = runLoop({ paths: home, env: {}, log: createLogger(home, 'goplot'), world, stop: stop.signal });
    await waitFor('the error line', has(home, /^loop pass failed: EIO: i\/o error, read; trying again in 5 s$/));
    // the pass after it logs its reason only after an await: wait for the line itself
    await waitFor(
      'the pass after it',
      has(home, /^not started: on_toggle is "off", not "run" \(echo run > config\/on_toggle\.goplot to start\)$/),
      20_000,
    );
    assert.ok(reads >= 2, `${reads} reads of the process table`);
    stop.abort();
    assert.deepEqual(await running, { ok: true });
  });

  it('backs off with a growing delay when plots fail at once', { timeout: 60_000 }, async () => {
    const home = farm({ max_plots: 1, plot_gap: 0, plot_poll: 1, backoff_base: 4, backoff_max: 60 });
    const loop = startLoop(home, 0.2, { SIMPLOTTER_FAIL_PHASE: '1' });
    const began = Date.now();
    await waitFor(
      'the first back-off',
      has(home, /^not started: backing off after 1 failed plot in a row: [1-4] s left$/),
      20_000,
    );
    await waitFor(
      'the second back-off',
      has(home, /^not started: backing off after 2 failed plots in a row: [1-8] s left$/),
      30_000,
    );
    assert.equal(await stopLoop(loop), 0);
    const seconds = (Date.now() - began) / 1000;
    const starts = count(home, /^starting a plot: /);
    assert.equal(starts, 2, `${starts} starts in ${seconds} s; without a back-off there would be one a second`);
    assert.equal(home.read('config/failures.goplot').trim(), '2');
  });
});
