// What the loop says about jobs, with the real loop, real tractors and the simulated plotter: a
// job's wait once per change of its reason, not after every start; a start names the real limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { count, loopsPerTest, makeSchedulingFarm } from '../helpers/scheduling.js';
import { makeJob } from '../helpers/jobs.js';
import { logMessages, waitFor } from '../helpers/temp-home.js';

const perTest = loopsPerTest();

describe("the loop's lines about jobs", () => {
  it(
    'says once that a job waits, however many plots other jobs start meanwhile, and names the real load_max when a job starts',
    { timeout: 120_000 },
    async () => {
      const home = perTest.home(
        makeSchedulingFarm({ plot_poll: 1, plot_gap: 0, max_plots: 1, load_max: 1000 }, undefined, ['1']),
      );
      makeJob(home, 'busy', { max_plots: 1 });
      makeJob(home, 'idle1', { on_toggle: 'off' });
      makeJob(home, 'idle2', { on_toggle: 'off' });
      perTest.loop(home, 0.5);
      await waitFor('6 plots of job busy', () => count(home, /^plot \d+ finished/) >= 6, 100_000);
      const lines = logMessages(home);
      for (const idle of ['idle1', 'idle2']) {
        assert.deepEqual(
          lines.filter((line) => line.startsWith(`job ${idle} `)),
          [`job ${idle} waits: on_toggle is "off" in config/jobs/${idle}/, not "run"`],
          lines.join('\n'),
        );
      }
      const busyWaits = lines.filter((line) => line.startsWith('job busy '));
      for (const [at, line] of busyWaits.entries())
        assert.notEqual(line, busyWaits[at - 1], `said twice in a row: ${line}\n${lines.join('\n')}`);
      const starts = lines.filter((line) => line.startsWith('starting a plot for job busy: '));
      assert.ok(starts.length >= 6, lines.join('\n'));
      for (const line of starts)
        assert.match(
          line,
          /^starting a plot for job busy: 0\/1 plots running, load \d+\.\d\d <= 1000(, \d+ s since the last start)?; tractor pid \d+$/,
        );
    },
  );
});
