// goplot kill / suspend / resume on real processes: the simulated plotter started by a real
// tractor, signalled by the built `goplot` command, read back from /proc.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readProcState } from '../../lib/farm/proc-read.js';
import { committedKiB } from '../../lib/farm/plot-size.js';
import { isAlive, simEnv, simFarmsOfThisFile, simPlotterPids } from '../helpers/sim-farm.js';
import { logMessages, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();

const goplot = (home: TempHome, args: string[]) => runScript(home, 'scripts/goplot-cli.js', args);
const valueOr = (home: TempHome, name: string, fallback: string) =>
  fs.existsSync(path.join(home.configDir, `${name}.goplot`)) ? home.read(`config/${name}.goplot`).trim() : fallback;
const tempFilesOf = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'));

/** A tractor whose plot runs for `seconds`, once its plotter is in /proc and has temp files. */
async function runningPlot(home: TempHome, seconds: number) {
  const tractor = runScript(home, 'scripts/tractor.js', [], { env: simEnv(seconds), timeout: 120_000 });
  started.push(tractor.pid!);
  const [pid] = await waitFor('the plotter', () => (simPlotterPids(home).length > 0 ? simPlotterPids(home) : null));
  // its own temp files, named by the plot id its log prints: a stranger's file does not count
  await waitFor(
    'its temp files',
    () => {
      const log = path.join(home.farmRoot, 'farm1', 'disk1', 'logs', 'plot.1.log');
      const id = fs.existsSync(log) ? /^ID: ([0-9a-f]{64})$/m.exec(fs.readFileSync(log, 'utf8'))?.[1] : undefined;
      return id !== undefined && tempFilesOf(path.join(home.tempRoot, '1')).some((name) => name.includes(id));
    },
    20_000,
  );
  return { tractor, pid: pid! };
}

describe('goplot kill', () => {
  it(
    'asks first, then ends the plot, removes its temp files, releases its disk and counts no failure',
    { timeout: 120_000 },
    async () => {
      const home = farm({ farm1: ['disk1'] }, ['1']);
      const stranger = path.join(home.tempRoot, '1', `plot-k25-2026-01-01-00-00-${'ab'.repeat(32)}.plot.table1.tmp`);
      fs.writeFileSync(stranger, 'another plot');
      const { tractor, pid } = await runningPlot(home, 30);
      const stateFile = path.join(home.disksDir, 'farm1', 'disk1.goplot');
      const reserved = Number(fs.readFileSync(stateFile, 'utf8').trim());

      const unasked = await goplot(home, ['kill', '1']);
      assert.equal(unasked.exitCode, 2);
      assert.match(
        unasked.stderr,
        /^goplot kill: not on a terminal, so nothing was asked: add --yes to kill plot 1 \(pid \d+, job default, chia k25, dest farm1\/disk1\)$/,
      );
      assert.equal(isAlive(pid), true);

      const killed = await goplot(home, ['kill', '1', '--yes']);
      assert.equal(killed.exitCode, 0, killed.stderr);
      assert.match(
        killed.stdout,
        /^killed plot 1 \(pid \d+, job default, chia k25, dest farm1\/disk1\); removed [1-9]\d* temporary files?; its disk reservation is released$/,
      );
      assert.equal(isAlive(pid), false);
      assert.deepEqual(
        tempFilesOf(path.join(home.tempRoot, '1')),
        [path.basename(stranger)],
        "only this plot's temp files go",
      );
      assert.deepEqual(
        fs.readdirSync(path.join(home.farmRoot, 'farm1', 'disk1', 'plots')),
        [],
        'no partial final file is left',
      );
      assert.equal(Number(fs.readFileSync(stateFile, 'utf8').trim()), reserved - committedKiB(25, 0));

      const result = await tractor;
      assert.equal(result.exitCode, 0, 'a plot killed on request is no failed plot');
      const messages = logMessages(home);
      assert.ok(
        messages.some((line) =>
          /^plot 1 \(pid \d+, job default, chia k25, dest farm1\/disk1\) killed on request by \S+/.test(line),
        ),
        messages.join('\n'),
      );
      assert.ok(
        messages.some((line) =>
          /^plot 1 ended on request \(goplot kill by \S+.*\) after \d+s; not counted as a failure$/.test(line),
        ),
        messages.join('\n'),
      );
      assert.equal(
        messages.some((line) => line.startsWith('plot 1 failed')),
        false,
      );
      assert.equal(valueOr(home, 'failures', '0'), '0');
      assert.equal(valueOr(home, 'last_fail', '0'), '0', 'no back-off starts');
    },
  );

  it('refuses an index that is not running', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const result = await goplot(home, ['kill', '7', '--yes']);
    assert.equal(result.exitCode, 2);
    assert.equal(result.stderr, 'goplot kill: no running plot 7 in this home (goplot status lists them)\n'.trimEnd());
  });
});

describe('goplot suspend and resume', () => {
  it(
    'stops the process tree (state T, shown in status), keeps its reservation, and resumes it to completion',
    { timeout: 120_000 },
    async () => {
      const home = farm({ farm1: ['disk1'] }, ['1']);
      const { tractor, pid } = await runningPlot(home, 4);
      const stateFile = path.join(home.disksDir, 'farm1', 'disk1.goplot');
      const reserved = fs.readFileSync(stateFile, 'utf8');
      const suspended = await goplot(home, ['suspend', '1']);
      assert.equal(suspended.exitCode, 0, suspended.stderr);
      await waitFor('process state T', () => readProcState('/proc', pid) === 'T');
      const status = JSON.parse((await goplot(home, ['status', '--json'])).stdout) as {
        plots: { index: number; suspended: boolean }[];
      };
      assert.deepEqual(
        status.plots.map((plot) => [plot.index, plot.suspended]),
        [[1, true]],
      );
      assert.match((await goplot(home, ['status'])).stdout, /^1 +\d+ +chia +\S+ +\S+ suspended /m);
      assert.equal(fs.readFileSync(stateFile, 'utf8'), reserved, 'a suspended plot keeps its disk reservation');
      assert.match(
        (await goplot(home, ['view', '--once'])).stdout,
        /^ *1 +chia +25 .* suspended +\d+ +[\d.]+ \w+$/m,
        'the view shows it suspended',
      );
      const collected = await runScript(home, 'collectors/goplot_collector.js');
      assert.equal(collected.exitCode, 0, collected.stderr);
      const prom = fs.readFileSync(path.join(home.root, 'prom', 'goplot.prom'), 'utf8');
      assert.match(
        prom,
        /^goplot_plot_suspended\{index="1",farm="farm1",disk="disk1",plotter="chia",plot_job="default"\} 1$/m,
      );
      assert.equal(isAlive(pid), true);

      const resumed = await goplot(home, ['resume', '1']);
      assert.equal(resumed.exitCode, 0, resumed.stderr);
      await waitFor('the process running again', () => readProcState('/proc', pid) !== 'T');
      const result = await tractor;
      assert.equal(result.exitCode, 0, result.stderr);
      assert.ok(logMessages(home).some((line) => /^plot 1 finished in /.test(line)));
      assert.equal(
        fs.readdirSync(path.join(home.farmRoot, 'farm1', 'disk1', 'plots')).filter((name) => name.endsWith('.plot'))
          .length,
        1,
      );
      const messages = logMessages(home);
      assert.ok(
        messages.some((line) =>
          /^plot 1 \(pid \d+, job default, chia k25, dest farm1\/disk1\) suspended by \S+.* \(\d+ process(es)?\)$/.test(
            line,
          ),
        ),
        messages.join('\n'),
      );
      assert.ok(
        messages.some((line) => /^plot 1 \(pid \d+, job default, chia k25, dest farm1\/disk1\) resumed by /.test(line)),
      );
    },
  );
});
