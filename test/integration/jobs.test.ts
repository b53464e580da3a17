// Jobs with the real loop (node scripts/goplot.js), real tractors and the simulated plotter: two
// jobs with their own temp roots, plotters and threads side by side, each job's limits and the
// global ones held at every instant of a recorded timeline, a job turned off or broken while the
// other plots, and 20 tractors racing across two jobs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import {
  count,
  echoInto,
  has,
  makeSchedulingFarm,
  startLoop,
  stopEverything,
  type RunningLoop,
} from '../helpers/scheduling.js';
import { countByJob, makeJob, recordTimeline } from '../helpers/jobs.js';
import { simEnv } from '../helpers/sim-farm.js';
import { logMessages, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

let current: { home: TempHome; loops: RunningLoop[]; stopTimeline?: () => void } | null = null;
afterEach(async () => {
  if (!current) return;
  current.stopTimeline?.();
  await stopEverything(current.home, current.loops);
  current.home.cleanup();
  current = null;
});

function farm(values: Record<string, string | number>): TempHome {
  const home = makeSchedulingFarm(
    { plot_poll: 1, plot_gap: 0, ...values },
    { farm1: ['disk1', 'disk2'], farm2: ['disk1', 'disk2'] },
    ['1'],
  );
  current = { home, loops: [] };
  return home;
}

function loop(home: TempHome, plotSeconds: number): RunningLoop {
  const started = startLoop(home, plotSeconds);
  current?.loops.push(started);
  return started;
}

const argAfter = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

/** Two jobs: fast (chia, 3 threads, its own temp root, farm1) and slow (madmax, 5 threads, its own temp root, farm2). */
function twoJobs(
  home: TempHome,
  fast: Record<string, string | number> = {},
  slow: Record<string, string | number> = {},
) {
  const fastTemp = `${home.tempRoot}_fast`;
  const slowTemp = `${home.tempRoot}_slow`;
  makeJob(home, 'fast', { temp_root: fastTemp, plotter: 'chia', threads: 3, dest_farms: 'farm1', ...fast }, ['1', '2']);
  makeJob(home, 'slow', { temp_root: slowTemp, plotter: 'madmax', threads: 5, dest_farms: 'farm2', ...slow }, ['1']);
  return { fastTemp, slowTemp };
}

describe('jobs side by side', () => {
  it(
    'plots two jobs with their own temp roots, plotters and threads, and every limit holds at every instant',
    { timeout: 90_000 },
    async () => {
      const home = farm({ max_plots: 3 });
      const { fastTemp, slowTemp } = twoJobs(home, { max_plots: 2 }, { max_plots: 2 });
      const timeline = recordTimeline(home, 100);
      current!.stopTimeline = timeline.stop;
      loop(home, 2.5);
      // the global limit is reached with both jobs in it, and later each job at its own limit
      await waitFor(
        '3 plots of both jobs at once',
        () => timeline.samples.some((s) => s.plots.length === 3 && Object.keys(countByJob(s.plots)).length === 2),
        40_000,
      );
      await waitFor('the global max_plots wait', has(home, 'not started: 3/3 plots running (max_plots)'), 20_000);
      await waitFor('8 plots started', () => count(home, /^starting a plot for job /) >= 8, 60_000);
      timeline.stop();
      assert.ok(timeline.samples.length > 50, `${timeline.samples.length} samples`);
      for (const sample of timeline.samples) {
        const byJob = countByJob(sample.plots);
        const seenNow = () =>
          `at ${sample.atMs}: ${JSON.stringify(sample.plots.map((p) => [p.pid, p.job, p.index, p.state, p.startedAt]))}`;
        if (sample.plots.length > 3) assert.fail(`global max_plots 3 ${seenNow()}`);
        if ((byJob.fast ?? 0) > 2 || (byJob.slow ?? 0) > 2) assert.fail(`each job's max_plots 2 ${seenNow()}`);
        assert.deepEqual(
          Object.keys(byJob).filter((job) => job !== 'fast' && job !== 'slow'),
          [],
        );
      }
      const seen = new Map(timeline.samples.flatMap((s) => s.plots).map((plot) => [plot.pid, plot]));
      const plots = [...seen.values()];
      assert.ok(plots.some((plot) => plot.job === 'fast') && plots.some((plot) => plot.job === 'slow'));
      for (const plot of plots) {
        if (plot.job === 'fast') {
          assert.deepEqual(
            [plot.plotter, argAfter(plot.argv, '-r'), plot.farm, path.dirname(plot.tempDir!)],
            ['chia', '3', 'farm1', fastTemp],
          );
        } else {
          assert.deepEqual(
            [plot.plotter, argAfter(plot.argv, '-r'), plot.farm, path.dirname(plot.tempDir!)],
            ['madmax', '5', 'farm2', slowTemp],
          );
        }
      }
      // the round robin of each job is its own, in its folder; index stays global
      assert.equal(home.read('config/jobs/fast/farm_dest.goplot').trim(), 'farm1');
      assert.equal(home.read('config/jobs/slow/farm_dest.goplot').trim(), 'farm2');
      assert.equal(fs.existsSync(path.join(home.configDir, 'jobs', 'slow', 'index.goplot')), false);
      assert.equal(Number(home.read('config/index.goplot').trim()), count(home, /^plot \d+ started for job /));
    },
  );

  it("holds a job's own max_plots and stagger while the other job goes on", { timeout: 90_000 }, async () => {
    const home = farm({ max_plots: 4 });
    twoJobs(home, { max_plots: 1 }, { plot_gap: 4 });
    const timeline = recordTimeline(home, 100);
    current!.stopTimeline = timeline.stop;
    loop(home, 3);
    await waitFor(
      "fast's own max_plots wait",
      has(home, 'job fast waits: 1/1 plots running (max_plots of config/jobs/fast/)'),
      30_000,
    );
    await waitFor("slow's stagger", has(home, /^job slow waits: plot_gap: [1-4] s left$/), 30_000);
    await waitFor('6 plots started', () => count(home, /^starting a plot for job /) >= 6, 60_000);
    timeline.stop();
    for (const sample of timeline.samples)
      assert.ok((countByJob(sample.plots).fast ?? 0) <= 1, JSON.stringify(countByJob(sample.plots)));
    // slow's starts are at least its plot_gap apart (whole seconds, as last_start is written)
    const slowStarts = [
      ...new Map(
        timeline.samples
          .flatMap((s) => s.plots)
          .filter((p) => p.job === 'slow')
          .map((p) => [p.pid, p.startedAt]),
      ).values(),
    ].sort((a, b) => a - b);
    assert.ok(slowStarts.length >= 2, `${slowStarts.length} slow plots`);
    for (let i = 1; i < slowStarts.length; i++)
      assert.ok(slowStarts[i]! - slowStarts[i - 1]! >= 3000, `slow starts ${slowStarts.join(', ')}`);
  });

  it('turns one job off with echo while the other keeps plotting', { timeout: 90_000 }, async () => {
    const home = farm({ max_plots: 4 });
    twoJobs(home, { max_plots: 2 }, { max_plots: 2 });
    loop(home, 1.5);
    await waitFor(
      'a plot of each job',
      () =>
        count(home, 'starting a plot for job slow: 0/4 plots running, load 0.00 <= 1000') +
          count(home, /^starting a plot for job slow: /) >
          0 && count(home, /^starting a plot for job fast: /) > 0,
      30_000,
    );
    echoInto(home, 'jobs/slow/on_toggle', 'off');
    await waitFor(
      'the wait for the turned-off job',
      has(home, 'job slow waits: on_toggle is "off" in config/jobs/slow/, not "run"'),
      5000,
    );
    const slowStarts = count(home, /^starting a plot for job slow: /);
    const fastStarts = count(home, /^starting a plot for job fast: /);
    await waitFor('fast plots on', () => count(home, /^starting a plot for job fast: /) >= fastStarts + 3, 40_000);
    assert.equal(count(home, /^starting a plot for job slow: /), slowStarts, 'no plot of the job that is off');
  });

  it('stops the job with a bad value in its folder, names it, and plots the other', { timeout: 90_000 }, async () => {
    const home = farm({ max_plots: 4 });
    twoJobs(home, { threads: 'many' }, {});
    loop(home, 1.5);
    const file = path.join(home.configDir, 'jobs', 'fast', 'threads.goplot');
    await waitFor(
      'the stopped job named',
      has(
        home,
        `job fast waits: job fast stopped: ${file}: invalid value "many" (expected a whole number from 1 to 1024)`,
      ),
      20_000,
    );
    await waitFor('the other job plotting', () => count(home, /^starting a plot for job slow: /) >= 2, 30_000);
    assert.equal(count(home, /^starting a plot for job fast: /), 0);
    echoInto(home, 'jobs/fast/threads', 2);
    await waitFor('the fixed job plotting', has(home, /^starting a plot for job fast: /), 20_000);
  });

  it('refuses a job folder with a bad name by name, and plots the good ones', { timeout: 60_000 }, async () => {
    const home = farm({ max_plots: 2 });
    twoJobs(home);
    fs.mkdirSync(path.join(home.configDir, 'jobs', 'bad name'));
    loop(home, 1);
    await waitFor(
      'the refusal',
      has(home, `${home.configDir}/jobs/bad name: job name "bad name" is refused: only letters, digits, - and _`),
      20_000,
    );
    await waitFor(
      'both good jobs plotting',
      () => count(home, /^starting a plot for job fast: /) > 0 && count(home, /^starting a plot for job slow: /) > 0,
      30_000,
    );
  });
});

describe('20 tractors racing across two jobs', () => {
  it('give unique indices, each plot its job, temp root and farm', { timeout: 120_000 }, async () => {
    const home = farm({});
    const { fastTemp, slowTemp } = twoJobs(home);
    const tractors = Array.from({ length: 20 }, (_, i) =>
      runScript(home, 'scripts/tractor.js', ['--job', i % 2 === 0 ? 'fast' : 'slow'], {
        env: simEnv(2),
        timeout: 110_000,
      }),
    );
    const results = await Promise.all(tractors);
    assert.deepEqual(
      results.map((result) => result.exitCode),
      Array(20).fill(0),
      results.map((r) => r.stderr).join('\n'),
    );
    const started = logMessages(home)
      .map((line) => /^plot (\d+) started for job (\w+): pid \d+, (\w+) k25, temp (\S+), dest (\w+)\//.exec(line))
      .filter((m) => m !== null);
    assert.deepEqual(
      started.map((m) => Number(m[1])).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (const [, , job, plotter, temp, farmName] of started) {
      if (job === 'fast') assert.deepEqual([plotter, path.dirname(temp!), farmName], ['chia', fastTemp, 'farm1']);
      else assert.deepEqual([job, plotter, path.dirname(temp!), farmName], ['slow', 'madmax', slowTemp, 'farm2']);
    }
    assert.equal(started.filter((m) => m[2] === 'fast').length, 10);
    // every plot log names its job on its first line, for goplot analyze
    const analyze = await runScript(home, 'scripts/goplot-cli.js', ['analyze', '--json']);
    const byJob = JSON.parse(analyze.stdout).byJob.map((group: { key: string; plots: number }) => [
      group.key,
      group.plots,
    ]);
    assert.deepEqual(byJob, [
      ['fast', 10],
      ['slow', 10],
    ]);
  });
});
