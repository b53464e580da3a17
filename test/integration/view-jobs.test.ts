// goplot view on real homes: with jobs, its next-plot line is the loop's own decision over the
// jobs; a suspended plot shows no time left counting down.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readProcState } from '../../lib/farm/proc-read.js';
import { makeJob } from '../helpers/jobs.js';
import { simEnv, simFarmsOfThisFile, simPlotterPids } from '../helpers/sim-farm.js';
import { runScript, waitFor } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();

describe('goplot view', () => {
  it("with jobs, says the loop's next decision over the jobs, not the global files'", async () => {
    const home = farm({ farm1: ['disk1'] }, []);
    // the global temp_root has no temp dir: only the job's own has one
    const jobTemp = `${home.tempRoot}_fast`;
    makeJob(home, 'fast', { temp_root: jobTemp }, ['1']);
    const view = await runScript(home, 'scripts/goplot-cli.js', ['view'], { timeout: 30_000 });
    assert.equal(view.exitCode, 0, view.stderr);
    assert.match(
      view.stdout,
      /^next plot: can start now: job fast: 0\/3 plots running, load \d+\.\d\d <= 1000, but no loop is running to start it$/m,
    );
  });

  it('with jobs that all wait, names each job and its reason', async () => {
    const home = farm({ farm1: ['disk1'] }, []);
    makeJob(home, 'fast', { temp_root: `${home.tempRoot}_fast`, on_toggle: 'off' }, ['1']);
    makeJob(home, 'slow', { temp_root: `${home.tempRoot}_slow`, on_toggle: 'off' }, ['1']);
    const view = await runScript(home, 'scripts/goplot-cli.js', ['view'], { timeout: 30_000 });
    assert.equal(view.exitCode, 0, view.stderr);
    assert.match(
      view.stdout,
      /^next plot: waits: job fast: on_toggle is "off" in config\/jobs\/fast\/, not "run"; job slow: on_toggle is "off" in config\/jobs\/slow\/, not "run"$/m,
    );
  });

  it('shows no time left for a suspended plot', { timeout: 120_000 }, async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    // a finished plot gives its job, plotter and k a mean time, so a running one gets an ETA
    const first = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(0.3) });
    assert.equal(first.exitCode, 0, first.stderr);
    const tractor = runScript(home, 'scripts/tractor.js', [], { env: simEnv(60), timeout: 120_000 });
    started.push(tractor.pid!);
    const [pid] = await waitFor('the plotter', () => (simPlotterPids(home).length > 0 ? simPlotterPids(home) : null));
    const running = await runScript(home, 'scripts/goplot-cli.js', ['view'], { timeout: 30_000 });
    assert.match(running.stdout, /^\s*2\s.*~\d.*$/m, `a running plot has an ETA:\n${running.stdout}`);
    const suspend = await runScript(home, 'scripts/goplot-cli.js', ['suspend', '2']);
    assert.equal(suspend.exitCode, 0, suspend.stderr);
    await waitFor('process state T', () => readProcState('/proc', pid!) === 'T');
    const view = await runScript(home, 'scripts/goplot-cli.js', ['view'], { timeout: 30_000 });
    const row = view.stdout.split('\n').find((line) => /^\s*2\s/.test(line)) ?? '';
    assert.match(row, /\ssuspended\s/, view.stdout);
    assert.doesNotMatch(row, /~\d/, view.stdout);
    await runScript(home, 'scripts/goplot-cli.js', ['kill', '2', '--yes']);
    assert.ok(fs.existsSync(path.join(home.farmRoot, 'farm1', 'disk1', 'logs', 'plot.2.log')));
  });
});
