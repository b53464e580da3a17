import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ViewModel } from '../../lib/view/read-view-model.js';
import { readViewModel } from '../../lib/view/read-view-model.js';
import { renderView } from '../../lib/view/render-view.js';
import { readLoopProcess } from '../../lib/view/read-loop-pid.js';
import { frameText } from '../../lib/view/run-view.js';
import { resolveHome } from '../../lib/config/home.js';
import { spawnSimPlot } from '../../lib/sim/spawn-sim-plot.js';
import {
  builtScript,
  makeDisks,
  makeTempDirs,
  makeTempHome,
  runScript,
  SIM_PLOTTER,
  waitFor,
  type TempHome,
} from '../helpers/temp-home.js';

// the renderer shows local clock times: pin the zone so the expected lines hold anywhere
process.env.TZ = 'UTC';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const GIB = 1024 ** 3;
const TIB = 1024 ** 4;

function fixedModel(overrides: Partial<ViewModel> = {}): ViewModel {
  return {
    nowMs: NOW,
    host: 'plotter1',
    home: '/srv/goplot',
    loop: { pid: 4242, running: true, startedAtMs: NOW - 3 * 3600_000 },
    onToggle: 'run',
    maxPlots: 3,
    loadMax: 20,
    load: [0.8, 1.4, 1.64],
    plots: [
      {
        index: 12,
        pid: 31337,
        plotter: 'chia',
        k: 32,
        startedAtMs: NOW - 7085_000,
        elapsedSeconds: 7085,
        phase: 2,
        progress: 0.45,
        tempDir: '/plot_temp/1',
        destination: 'farm1/disk1',
        rssBytes: 3.2 * GIB,
      },
      {
        index: 13,
        pid: 31400,
        plotter: 'madmax',
        k: 32,
        startedAtMs: NOW - 600_000,
        elapsedSeconds: 600,
        phase: 1,
        progress: 0.05,
        tempDir: '/plot_temp/2',
        destination: 'farm2/disk1',
        rssBytes: 512 * 1024 ** 2,
      },
    ],
    disks: [
      { farm: 'farm1', disk: 'disk1', state: 'ok', freeBytes: 1.2 * TIB, totalBytes: 7.3 * TIB },
      { farm: 'farm1', disk: 'disk2', state: 'full', freeBytes: 50 * GIB, totalBytes: 7.3 * TIB },
      { farm: 'farm2', disk: 'disk1', state: 'ok', freeBytes: 3.5 * TIB, totalBytes: 7.3 * TIB },
      { farm: 'farm2', disk: 'disk2', state: 'unmounted', freeBytes: null, totalBytes: null },
    ],
    next: { start: false, reason: 'plot_gap: 1200 s left', retryAtMs: NOW + 1200_000 },
    problems: [],
    ...overrides,
  };
}

/** The screen once it passes `ready` (bounded by waitFor's timeout). */
async function waitForScreen(what: string, screen: () => string, ready: (text: string) => boolean): Promise<string> {
  let last = '';
  await waitFor(what, () => ready((last = screen())));
  return last;
}

function manyPlots(count: number): ViewModel['plots'] {
  return Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    pid: 1000 + i,
    plotter: 'chia',
    k: 32,
    startedAtMs: NOW - 60_000,
    elapsedSeconds: 60,
    phase: 1,
    progress: 0.01,
    tempDir: `/plot_temp/${i + 1}`,
    destination: 'farm1/disk1',
    rssBytes: GIB,
  }));
}

function manyDisks(count: number): ViewModel['disks'] {
  return Array.from({ length: count }, (_, i) => ({
    farm: 'f1',
    disk: `d${i + 1}`,
    state: 'ok',
    freeBytes: TIB,
    totalBytes: 8 * TIB,
  }));
}

describe('renderView on a fixed model', () => {
  test('a 120-column screen shows the header, each plot with its bar, and the disks in columns', () => {
    assert.deepEqual(renderView(fixedModel(), 120, 40, { live: true }), [
      'goplot view  plotter1  2025-06-01 12:00:00  home /srv/goplot  (q quits)',
      'loop: running, pid 4242 since 09:00:00   on_toggle: run   plots: 2 of max_plots 3',
      'load: 1.52 of load_max 20   ((load5 + load15) / 2; 1m 0.80, 5m 1.40, 15m 1.64)',
      'next plot: waits: plot_gap: 1200 s left (until 12:20:00)',
      '',
      'plots: 2 running',
      ' #  plotter   k  started      elapsed  phase  progress                       temp          dest           pid     memory',
      '12  chia     32  10:01:55  1h 58m 05s      2  [#########.............]  45%  /plot_temp/1  farm1/disk1  31337    3.2 GiB',
      '13  madmax   32  11:50:00     10m 00s      1  [#.....................]   5%  /plot_temp/2  farm2/disk1  31400  512.0 MiB',
      '',
      'disks: 4 (2 ok, 1 full, 1 unmounted), 4.7 TiB free on the ok ones',
      'farm1/disk1  ok          1.2 TiB free    farm2/disk1  ok          3.5 TiB free',
      'farm1/disk2  full       50.0 GiB free    farm2/disk2  unmounted              -',
    ]);
  });

  test('the bar fills the width of the screen, so a 120-column plot row is exactly 120 wide', () => {
    const lines = renderView(fixedModel(), 120, 40);
    assert.deepEqual(
      lines.slice(6, 9).map((line) => line.length),
      [120, 120, 120],
    );
  });

  test('a narrow screen gives up whole columns, says which, and cuts every other line to the width', () => {
    const lines = renderView(fixedModel(), 80, 40);
    assert.ok(
      lines.every((line) => line.length <= 80),
      lines.join('\n'),
    );
    assert.deepEqual(lines.slice(5, 9), [
      'plots: 2 running (too narrow for: started, k, pid, temp)',
      ' #  plotter     elapsed  phase  progress                  dest            memory',
      '12  chia     1h 58m 05s      2  [#######..........]  45%  farm1/disk1    3.2 GiB',
      '13  madmax      10m 00s      1  [.................]   5%  farm2/disk1  512.0 MiB',
    ]);
    assert.equal(lines[2], 'load: 1.52 of load_max 20   ((load5 + load15) / 2; 1m 0.80, 5m 1.40, 15m 1.64)');
    assert.deepEqual(lines.slice(11), [
      'farm1/disk1  ok          1.2 TiB free    farm2/disk1  ok          3.5 TiB free',
      'farm1/disk2  full       50.0 GiB free    farm2/disk2  unmounted              -',
    ]);
  });

  test('a very narrow screen cuts lines rather than wrapping them', () => {
    const lines = renderView(fixedModel(), 30, 40);
    assert.equal(lines[0], 'goplot view  plotter1  2025-06');
    assert.ok(
      lines.every((line) => line.length <= 30),
      lines.join('\n'),
    );
    assert.equal(lines.length, 15, 'one disk per row when two do not fit');
  });

  test('a short screen keeps to its height and counts the plots and disks it leaves out', () => {
    const lines = renderView(fixedModel({ plots: manyPlots(9), disks: manyDisks(30) }), 100, 16);
    assert.equal(lines.length, 16);
    assert.deepEqual(lines.slice(5), [
      'plots: 9 running (too narrow for: started)',
      '#  plotter   k  elapsed  phase  progress                    temp          dest          pid   memory',
      '1  chia     32   1m 00s      1  [...................]   1%  /plot_temp/1  farm1/disk1  1000  1.0 GiB',
      '2  chia     32   1m 00s      1  [...................]   1%  /plot_temp/2  farm1/disk1  1001  1.0 GiB',
      '3  chia     32   1m 00s      1  [...................]   1%  /plot_temp/3  farm1/disk1  1002  1.0 GiB',
      '4  chia     32   1m 00s      1  [...................]   1%  /plot_temp/4  farm1/disk1  1003  1.0 GiB',
      '… 5 more plots',
      '',
      'disks: 30 (30 ok), 30.0 TiB free on the ok ones',
      'f1/d1   ok  1.0 TiB free    f1/d2   ok  1.0 TiB free    f1/d3   ok  1.0 TiB free',
      '… 27 more disks',
    ]);
  });

  test('no plots and no disks say so, and a start the loop would make says whether a loop is there', () => {
    const model = fixedModel({
      plots: [],
      disks: [],
      loop: { pid: null, running: false, startedAtMs: null },
      next: { start: true, reason: '0/3 plots running, load 1.52 <= 20', retryAtMs: null },
    });
    assert.deepEqual(renderView(model, Infinity, Infinity), [
      'goplot view  plotter1  2025-06-01 12:00:00  home /srv/goplot',
      'loop: not running (npm start, or node scripts/goplot.js)   on_toggle: run   plots: 0 of max_plots 3',
      'load: 1.52 of load_max 20   ((load5 + load15) / 2; 1m 0.80, 5m 1.40, 15m 1.64)',
      'next plot: can start now: 0/3 plots running, load 1.52 <= 20, but no loop is running to start it',
      '',
      'plots: none running',
      '',
      'disks: none found under farm_root',
    ]);
  });

  test('control characters from paths or files never reach the terminal, and problems are listed', () => {
    const model = fixedModel({
      plots: [{ ...fixedModel().plots[0]!, tempDir: '/plot_temp/\x1b[2Jx' }],
      problems: ['/srv/goplot/config/max_plots.goplot: "three\x07" is not a whole number >= 1, using 3 (the default)'],
    });
    const text = renderView(model, Infinity, Infinity).join('\n');
    assert.ok(![...text].some((char) => char.charCodeAt(0) < 32 && char !== '\n'), text);
    assert.match(text, /\/plot_temp\/\?\[2Jx/);
    assert.match(
      text,
      /^! \/srv\/goplot\/config\/max_plots\.goplot: "three\?" is not a whole number >= 1, using 3 \(the default\)$/m,
    );
  });
});

describe('frameText', () => {
  test('overwrites in place: clear to line end after short lines only, then clears below the last line', () => {
    assert.equal(frameText(['abc', 'abcde'], 5, 4), '\x1b[Habc\x1b[K\r\nabcde\r\n\x1b[J');
  });

  test('a frame as tall as the screen ends on its last line, so the screen does not scroll', () => {
    assert.equal(frameText(['a', 'b', 'c'], 5, 2), '\x1b[Ha\x1b[K\r\nb\x1b[K');
  });
});

describe('readLoopProcess', () => {
  let home: TempHome;
  let loop: ChildProcess | undefined;
  before(() => {
    home = makeTempHome('goplot-view-loop-');
  });
  after(() => {
    loop?.kill('SIGKILL');
    home.cleanup();
  });

  test('no pid file: no loop', () => {
    assert.deepEqual(readLoopProcess(home), { pid: null, running: false, startedAtMs: null });
  });

  test('a pid file naming a process that is not a goplot loop (a reused pid) is not a running loop', () => {
    fs.writeFileSync(path.join(home.logsDir, 'goplot.pid'), `${process.pid}\n`);
    assert.deepEqual(readLoopProcess(home), { pid: process.pid, running: false, startedAtMs: null });
  });

  test('a live goplot.js named in the pid file is the running loop, started when it wrote the file', async () => {
    const script = path.join(home.root, 'goplot.js');
    fs.writeFileSync(script, 'setTimeout(() => {}, 60_000);\n');
    loop = spawn('node', [script], { stdio: 'ignore' });
    const pidFile = path.join(home.logsDir, 'goplot.pid');
    fs.writeFileSync(pidFile, `${loop.pid}\n`);
    await waitFor(
      'the stand-in loop to start',
      () =>
        fs.existsSync(`/proc/${loop!.pid}/cmdline`) &&
        fs.readFileSync(`/proc/${loop!.pid}/cmdline`, 'utf8').includes('goplot.js'),
    );
    assert.deepEqual(readLoopProcess(home), {
      pid: loop.pid,
      running: true,
      startedAtMs: Math.round(fs.statSync(pidFile).mtimeMs),
    });
  });
});

describe('goplot view on a home with a running plot', () => {
  let home: TempHome;
  let plot: ChildProcess;
  const tmuxSocket = `goplot-test-${process.pid}`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', tmuxSocket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  before(async () => {
    home = makeTempHome('goplot-view-');
    makeDisks(home, { f1: ['d1'] });
    makeTempDirs(home, ['1']);
    fs.mkdirSync(path.join(home.disksDir, 'f1'), { recursive: true });
    fs.writeFileSync(path.join(home.disksDir, 'f1', 'd1.goplot'), '1000\n');
    home.set('chia_bin', SIM_PLOTTER);
    home.set('require_mount', 'no');
    home.set('on_toggle', 'run');
    home.set('max_plots', 1);
    home.set('load_max', 1000);
    plot = spawnSimPlot({
      tempDir: path.join(home.tempRoot, '1'),
      plotsDir: path.join(home.farmRoot, 'f1', 'd1', 'plots'),
      logFile: path.join(home.farmRoot, 'f1', 'd1', 'logs', 'plot.1.log'),
      seconds: 300,
    });
    await waitFor(
      'the plot log to start',
      () => fs.statSync(path.join(home.farmRoot, 'f1', 'd1', 'logs', 'plot.1.log')).size > 0,
    );
  });

  after(() => {
    try {
      tmux('kill-server');
    } catch {
      // no server was started
    }
    plot.kill('SIGKILL');
    home.cleanup();
  });

  test('readViewModel finds the plot, the disk and the reason the loop would give', async () => {
    const model = await readViewModel({
      paths: resolveHome({ home: home.home }),
      env: {},
      now: Date.now,
      loadavg: () => [1, 2, 3],
      hostname: 'h',
    });
    assert.equal(model.plots.length, 1);
    const [shown] = model.plots;
    assert.deepEqual(
      {
        index: shown!.index,
        pid: shown!.pid,
        plotter: shown!.plotter,
        k: shown!.k,
        tempDir: shown!.tempDir,
        destination: shown!.destination,
      },
      { index: 1, pid: plot.pid, plotter: 'chia', k: 25, tempDir: path.join(home.tempRoot, '1'), destination: 'f1/d1' },
    );
    assert.deepEqual(
      model.disks.map((disk) => [disk.farm, disk.disk, disk.state, typeof disk.freeBytes]),
      [['f1', 'd1', 'ok', 'number']],
    );
    assert.deepEqual(model.next, { start: false, reason: '1/1 plots running (max_plots)', retryAtMs: null });
    assert.deepEqual(model.loop, { pid: null, running: false, startedAtMs: null });
    assert.deepEqual(model.load, [1, 2, 3]);
  });

  test('piped, it prints one plain frame without escape codes and exits 0', async () => {
    const result = await runScript(home, 'scripts/goplot-cli.js', ['view'], { timeout: 20_000 });
    assert.equal(result.exitCode, 0, String(result.stderr));
    const text = String(result.stdout);
    assert.ok(!text.includes('\x1b'), 'no escape codes');
    assert.match(
      text,
      /^\s*1\s+chia\s+25\s+\d\d:\d\d:\d\d\s+.*\[[#.]{30}\]\s+\d+%\s+\S+\/plot_temp\/1\s+f1\/d1\s+\d+\s+[\d.]+ MiB$/m,
    );
    assert.match(text, /^next plot: waits: 1\/1 plots running \(max_plots\)$/m);
    assert.match(text, /^f1\/d1 {2}ok {2}[\d.]+ \w+ free$/m);
  });

  test('an interval below half a second is refused with the value given', async () => {
    const result = await runScript(home, 'scripts/goplot-cli.js', ['view', '--interval', '0.1'], { timeout: 20_000 });
    assert.equal(result.exitCode, 2);
    assert.equal(String(result.stderr).trim(), 'goplot view: --interval must be a number of seconds >= 0.5, got 0.1');
  });

  test('in a terminal it draws full screen, redraws to fit a resize, and q leaves the terminal as it was', async () => {
    const command = `node ${builtScript('scripts/goplot-cli.js')} --home ${home.home} view --interval 1; echo "exit=$?"; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'; echo checked; sleep 120`;
    tmux('new-session', '-d', '-x', '160', '-y', '40', '-s', 'view', command);
    const screen = () => tmux('capture-pane', '-p', '-t', 'view');
    // the screen is read while the view writes it: wait until everything asserted below is on it
    const firstLines = [/^\s*1\s+chia\s+25\s/m, /^next plot: waits: /m, /^disks: 1 /m];
    const first = await waitForScreen('the plot row, next plot and disks on the screen', screen, (text) =>
      firstLines.every((line) => line.test(text)),
    );
    assert.equal(tmux('display-message', '-p', '-t', 'view', '#{alternate_on}').trim(), '1', 'on the alternate screen');
    assert.match(first, /^goplot view {2}\S+ {2}[\d-]+ [\d:]+ {2}home \S+ {2}\(q quits\)$/m);
    assert.match(first, /^next plot: waits: 1\/1 plots running \(max_plots\)$/m);
    assert.match(first, /^disks: 1 \(1 ok\), [\d.]+ \w+ free on the ok ones$/m);
    assert.match(first, /\[[#.]{30}\]/, 'the widest bar at 160 columns');

    tmux('resize-window', '-t', 'view', '-x', '70', '-y', '20');
    const narrowLines = [/\[[#.]{10,29}\]/, /^plots: 1 running \(/m, /^\s*1\s+chia\s/m, /^disks: 1 /m];
    const narrow = await waitForScreen('the redraw at 70 columns', screen, (text) =>
      narrowLines.every((line) => line.test(text)),
    );
    const lines = narrow.split('\n');
    assert.ok(
      lines.every((line) => line.length <= 70),
      narrow,
    );
    assert.match(lines[0]!, /^goplot view {2}/, 'the title is still the first line: nothing wrapped');
    assert.match(narrow, /^plots: 1 running \(too narrow for: [a-z, ]+\)$/m);
    assert.match(narrow, /^\s*1\s+chia\s/m);
    assert.match(narrow, /^disks: 1 \(1 ok\)/m);

    tmux('send-keys', '-t', 'view', 'q');
    const left = await waitForScreen('the view to exit and stty to report', screen, (text) => /^checked$/m.test(text));
    assert.match(left, /^exit=0$/m);
    assert.match(left, /^icanon$/m, 'the terminal is back in line mode');
    assert.ok(!left.includes('goplot view'), 'the normal screen is back, without the view on it');
    assert.equal(
      tmux('display-message', '-p', '-t', 'view', '#{alternate_on}').trim(),
      '0',
      'the alternate screen was left',
    );
    assert.equal(
      tmux('display-message', '-p', '-t', 'view', '#{cursor_flag}').trim(),
      '1',
      'the cursor is visible again',
    );
  });

  test('Ctrl-C also leaves cleanly', async () => {
    const command = `node ${builtScript('scripts/goplot-cli.js')} --home ${home.home} view --interval 1; echo "exit=$?"; sleep 120`;
    tmux('new-session', '-d', '-x', '100', '-y', '30', '-s', 'ctrlc', command);
    const screen = () => tmux('capture-pane', '-p', '-t', 'ctrlc');
    await waitFor('the view to draw', () => screen().includes('plots: 1 running'));
    tmux('send-keys', '-t', 'ctrlc', 'C-c');
    const text = await waitForScreen('the view to exit', screen, (shown) => shown.includes('exit='));
    assert.match(text, /^exit=0$/m);
    assert.equal(tmux('display-message', '-p', '-t', 'ctrlc', '#{alternate_on}').trim(), '0');
  });
});

describe('goplot view on a farm with many disk problems', () => {
  test('shows three of them in the header and counts the rest, as goplot status lists them all', async () => {
    const home = makeTempHome('goplot-view-disks-');
    try {
      makeDisks(home, { f1: ['d1', 'd2', 'd3', 'd4', 'd5'] });
      home.set('require_mount', 'no');
      fs.mkdirSync(path.join(home.disksDir, 'f1'), { recursive: true });
      for (const disk of ['d1', 'd2', 'd3', 'd4', 'd5'])
        fs.writeFileSync(path.join(home.disksDir, 'f1', `${disk}.goplot`), `bad-${disk}\n`);
      const model = await readViewModel({
        paths: resolveHome({ home: home.home }),
        env: {},
        now: Date.now,
        loadavg: () => [0, 0, 0],
        hostname: 'h',
      });
      assert.deepEqual(
        model.problems.filter((problem) => problem.startsWith('f1/') || problem.startsWith('…')),
        [
          'f1/d1: invalid state file "bad-d1" (diskhand replaces it)',
          'f1/d2: invalid state file "bad-d2" (diskhand replaces it)',
          'f1/d3: invalid state file "bad-d3" (diskhand replaces it)',
          '… 2 more disk problems (goplot status lists them)',
        ],
      );
      const status = await runScript(home, 'scripts/goplot-cli.js', ['status']);
      for (const disk of ['d1', 'd2', 'd3', 'd4', 'd5'])
        assert.ok(
          String(status.stdout).includes(`  ! f1/${disk}: invalid state file "bad-${disk}" (diskhand replaces it)`),
          String(status.stdout),
        );
    } finally {
      home.cleanup();
    }
  });
});
