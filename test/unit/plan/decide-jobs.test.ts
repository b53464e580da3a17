import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { loadHomeJobs } from '../../../lib/jobs/home-jobs.js';
import { decideJobs } from '../../../lib/plan/decide-jobs.js';
import { decideStart } from '../../../lib/plan/decide-start.js';
import type { RunningPlotSummary, StartWorld } from '../../../lib/plan/start-world.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';

const homes: TempHome[] = [];
after(() => homes.forEach((home) => home.cleanup()));

function homeWith(
  jobs: Record<string, Record<string, string | number>>,
  global: Record<string, string | number>,
): TempHome {
  const home = makeTempHome();
  homes.push(home);
  for (const [name, value] of Object.entries({ on_toggle: 'run', plot_gap: 0, load_max: 100, max_plots: 5, ...global }))
    home.set(name, value);
  for (const [job, values] of Object.entries(jobs)) {
    fs.mkdirSync(path.join(home.configDir, 'jobs', job), { recursive: true });
    for (const [name, value] of Object.entries(values))
      fs.writeFileSync(path.join(home.configDir, 'jobs', job, `${name}.goplot`), `${value}\n`);
  }
  return home;
}

const NOW = Date.UTC(2026, 10, 30, 9, 0, 0);
function world(running: RunningPlotSummary[], noRoomFor: string[] = []): StartWorld {
  return {
    now: () => NOW,
    loadavg: () => [0, 0, 0],
    readRunning: () => running,
    findTractors: () => [],
    checkRoom: async (config) =>
      noRoomFor.some((job) => config.inspect('temp_root').file.includes(`/jobs/${job}/`))
        ? 'no temp dir can take a plot'
        : null,
  };
}
const plot = (job: string, phase: number, suspended = false): RunningPlotSummary => ({
  pid: 1,
  ppid: 0,
  phase,
  tempDir: null,
  farm: null,
  disk: null,
  k: 32,
  compression: 0,
  job,
  suspended,
});

describe('the loop over jobs', () => {
  it('passes over a job that cannot start to the next one, and says why the first waits', async () => {
    const home = homeWith({ a: { max_plots: 1, temp_root: '/ta' }, b: { temp_root: '/tb' } }, {});
    const global = new ConfigReader(home);
    const { jobs } = loadHomeJobs(global, () => {}, {});
    const result = await decideJobs(global, jobs, 0, world([plot('a', 2)]), 0, { count: 0, lastS: 0 });
    assert.equal(result.kind, 'start');
    assert.equal(result.kind === 'start' && result.job.name, 'b');
    assert.deepEqual(result.kind === 'start' && result.waits.map((w) => [w.job, w.decision.reason]), [
      ['a', '1/1 plots running (max_plots of config/jobs/a/)'],
    ]);
    const noRoom = await decideJobs(global, jobs, 1, world([], ['b']), 0, { count: 0, lastS: 0 });
    assert.equal(noRoom.kind === 'start' && noRoom.job.name, 'a', 'b has no room: a goes');
  });

  it('takes the jobs in turn, from the one after the last start', async () => {
    const home = homeWith({ a: {}, b: {}, c: {} }, {});
    const global = new ConfigReader(home);
    const { jobs } = loadHomeJobs(global, () => {}, {});
    const names = [];
    for (const first of [0, 1, 2, 3]) {
      const result = await decideJobs(global, jobs, first, world([]), 0, { count: 0, lastS: 0 });
      names.push(result.kind === 'start' ? result.job.name : result.kind);
    }
    assert.deepEqual(names, ['a', 'b', 'c', 'a']);
  });

  it('holds every job at a global limit, with one answer', async () => {
    const home = homeWith({ a: {}, b: {} }, { max_plots: 2 });
    const global = new ConfigReader(home);
    const { jobs } = loadHomeJobs(global, () => {}, {});
    const result = await decideJobs(global, jobs, 0, world([plot('a', 1), plot('b', 1)]), 0, { count: 0, lastS: 0 });
    assert.deepEqual(result, {
      kind: 'global',
      decision: { start: false, key: 'max_plots:2/2:0', reason: '2/2 plots running (max_plots)' },
    });
  });

  it("counts a suspended plot toward neither the global nor the job's max_phase1", async () => {
    const home = homeWith({ a: { max_phase1: 1 } }, { max_phase1: 1 });
    const global = new ConfigReader(home);
    const { jobs } = loadHomeJobs(global, () => {}, {});
    const held = await decideJobs(global, jobs, 0, world([plot('a', 1)]), 0, { count: 0, lastS: 0 });
    assert.equal(held.kind, 'global');
    const suspended = await decideJobs(global, jobs, 0, world([plot('a', 1, true)]), 0, { count: 0, lastS: 0 });
    assert.equal(suspended.kind, 'start');
  });
});

describe('a suspended plot and max_phase1', () => {
  it('does not count toward max_phase1 while suspended', () => {
    const base = {
      nowMs: NOW,
      loopStartedMs: 0,
      onToggle: 'run',
      maxPlots: 10,
      loadMax: 100,
      plotGap: 0,
      initialDelay: 0,
      load5: 0,
      load15: 0,
      lastStart: 0,
      failures: 0,
      lastFail: 0,
      backoffBase: 60,
      backoffMax: 3600,
      runningPhases: [1, 1],
      pendingTractors: 0,
      startEarlyPhase: 0,
      maxPhase1: 2,
    };
    assert.deepEqual(decideStart(base), {
      start: false,
      key: 'max_phase1:2/2',
      reason: '2 plots in phase 1 (max_phase1 2)',
    });
    assert.equal(decideStart({ ...base, suspendedInPhase1: 1 }).start, true);
  });
});
