// goplot view's keys in a real terminal (tmux), on a plot a real tractor started: p pauses and
// resumes new starts, s / c suspend and resume the selected plot and x kills it, each after a
// y on a confirmation line; any other key cancels.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { readProcState } from '../../lib/farm/proc-read.js';
import { isAlive, simEnv, simFarmsOfThisFile, simPlotterPids } from '../helpers/sim-farm.js';
import { builtScript, logMessages, runScript, waitFor } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();
const tmuxSocket = `goplot-keys-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', tmuxSocket, '-f', '/dev/null', ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
after(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server was started
  }
});

async function waitForScreen(what: string, ready: (text: string) => boolean): Promise<string> {
  let last = '';
  try {
    await waitFor(what, () => ready((last = tmux('capture-pane', '-p', '-t', 'keys'))), 20_000);
  } catch (error) {
    throw new Error(`${String(error)}; the screen:\n${last}`);
  }
  return last;
}
const key = (...keys: string[]) => tmux('send-keys', '-t', 'keys', ...keys);

describe('goplot view keys', () => {
  it(
    'pause and resume starts, suspend, resume and kill the selected plot after a y',
    { timeout: 120_000 },
    async () => {
      const home = farm({ farm1: ['disk1'] }, ['1']);
      const tractor = runScript(home, 'scripts/tractor.js', [], { env: simEnv(120), timeout: 110_000 });
      started.push(tractor.pid!);
      const [pid] = await waitFor('the plotter', () => (simPlotterPids(home).length > 0 ? simPlotterPids(home) : null));
      tmux(
        'new-session',
        '-d',
        '-x',
        '160',
        '-y',
        '40',
        '-s',
        'keys',
        `node ${builtScript('scripts/goplot-cli.js')} --home ${home.home} view --interval 1; sleep 120`,
      );
      await waitForScreen('the selection line', (text) =>
        /^selected: plot 1 {3}j\/k select {2}x kill {2}s suspend {2}c resume {2}p pause starts$/m.test(text),
      );

      key('p');
      await waitForScreen('starts paused', (text) =>
        /^on_toggle = off: no new plots start; running plots go on$/m.test(text),
      );
      assert.equal(home.read('config/on_toggle.goplot').trim(), 'off');
      key('p');
      await waitForScreen('starts resumed', (text) =>
        /^on_toggle = run: new plots start when the limits allow$/m.test(text),
      );
      assert.equal(home.read('config/on_toggle.goplot').trim(), 'run');

      key('s');
      await waitForScreen('the question', (text) => /^suspend plot 1\? y confirms, any other key cancels$/m.test(text));
      key('n');
      await waitForScreen('the cancel', (text) => /^suspend of plot 1 cancelled$/m.test(text));
      assert.notEqual(readProcState('/proc', pid!), 'T');

      key('s');
      await waitForScreen('the question', (text) => /^suspend plot 1\?/m.test(text));
      key('y');
      await waitFor('process state T', () => readProcState('/proc', pid!) === 'T');
      await waitForScreen(
        'the plot shown suspended',
        (text) => /^selected: plot 1, suspended /m.test(text) && / suspended +\d+ +[\d.]+ \w+$/m.test(text),
      );

      key('c');
      await waitForScreen('the question', (text) => /^resume plot 1\?/m.test(text));
      key('y');
      await waitFor('the plot running again', () => readProcState('/proc', pid!) !== 'T');

      key('x');
      await waitForScreen('the question', (text) => /^kill plot 1\? y confirms, any other key cancels$/m.test(text));
      key('y');
      await waitFor('the plotter gone', () => !isAlive(pid!));
      await waitForScreen('the answer', (text) =>
        /^killed plot 1 \(pid \d+, job default, chia k25, dest farm1\/disk1\); removed \d+ temporary files?; its disk reservation is released$/m.test(
          text,
        ),
      );
      assert.equal((await tractor).exitCode, 0);
      const messages = logMessages(home);
      assert.ok(
        messages.some((line) => /^plot 1 \(.*\) killed on request by \S+ \(pid \d+\) with goplot view$/.test(line)),
        messages.join('\n'),
      );
      assert.ok(
        messages.some((line) =>
          /^plot 1 \(.*\) suspended by \S+ \(pid \d+\) with goplot view \(\d+ process(es)?\)$/.test(line),
        ),
      );
      key('q');
    },
  );
});

describe('goplot view phase times and ETA', () => {
  it(
    "shows each finished phase's time, the running one's so far, and an ETA from finished plots of the same job, plotter and k",
    { timeout: 120_000 },
    async () => {
      const home = farm({ farm1: ['disk1'] }, ['1']);
      const first = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(1) });
      assert.equal(first.exitCode, 0, first.stderr);
      const before = await runScript(home, 'scripts/goplot-cli.js', ['view', '--once']);
      assert.doesNotMatch(before.stdout, / eta /, 'no plot running, no ETA column');
      const tractor = runScript(home, 'scripts/tractor.js', [], { env: simEnv(40), timeout: 110_000 });
      started.push(tractor.pid!);
      const log = `${home.farmRoot}/farm1/disk1/logs/plot.2.log`;
      await waitFor(
        'plot 2 in phase 2',
        () => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('Starting phase 2/4'),
        60_000,
      );
      const view = await runScript(home, 'scripts/goplot-cli.js', ['view', '--once']);
      assert.equal(view.exitCode, 0, view.stderr);
      assert.match(
        view.stdout,
        /^#\s+plotter\s+k\s+started\s+elapsed\s+phase\s+progress\s+temp\s+dest\s+phase times\s+eta\s+pid\s+memory$/m,
      );
      assert.match(view.stdout, /^\s*2\s+chia\s+25\s.*\sfarm1\/disk1\s+\d+s \d+s\+\s+~\d+s\s+\d+\s+[\d.]+ \w+$/m);
    },
  );
});

describe('goplot kill on a terminal', () => {
  it('asks, and kills nothing on n; kills on y', { timeout: 120_000 }, async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const tractor = runScript(home, 'scripts/tractor.js', [], { env: simEnv(120), timeout: 110_000 });
    started.push(tractor.pid!);
    const [pid] = await waitFor('the plotter', () => (simPlotterPids(home).length > 0 ? simPlotterPids(home) : null));
    const kill = `node ${builtScript('scripts/goplot-cli.js')} --home ${home.home} kill 1; echo "exit=$?"; sleep 120`;
    tmux('new-session', '-d', '-x', '200', '-y', '20', '-s', 'ask', kill);
    const screen = () => tmux('capture-pane', '-p', '-t', 'ask');
    await waitFor('the question', () =>
      /^kill plot 1 \(pid \d+, job default, chia k25, dest farm1\/disk1\), and remove its temporary files\? \[y\/N\]\s*$/m.test(
        screen(),
      ),
    );
    tmux('send-keys', '-t', 'ask', 'n', 'Enter');
    await waitFor('the answer', () => /^nothing killed\nexit=1$/m.test(screen()));
    assert.equal(isAlive(pid!), true);
    tmux('kill-session', '-t', 'ask');
    tmux('new-session', '-d', '-x', '200', '-y', '20', '-s', 'ask', kill);
    await waitFor('the question again', () => /\[y\/N\]\s*$/m.test(screen()));
    tmux('send-keys', '-t', 'ask', 'y', 'Enter');
    await waitFor('the plotter gone', () => !isAlive(pid!));
    await waitFor('exit 0', () => /^exit=0$/m.test(screen()));
    assert.equal((await tractor).exitCode, 0);
  });
});
