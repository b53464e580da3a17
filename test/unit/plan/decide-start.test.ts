import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffSeconds, decideStart, type LoopSnapshot } from '../../../lib/plan/decide-start.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const base: LoopSnapshot = {
  nowMs: NOW,
  loopStartedMs: NOW - 3_600_000,
  onToggle: 'run',
  maxPlots: 3,
  loadMax: 20,
  plotGap: 3600,
  initialDelay: 0,
  load5: 1,
  load15: 1,
  lastStart: NOW / 1000 - 4000,
  failures: 0,
  lastFail: 0,
  backoffBase: 60,
  backoffMax: 3600,
  runningPhases: [],
  pendingTractors: 0,
  startEarlyPhase: 0,
  maxPhase1: 0,
};

describe('the loop decision', () => {
  it('starts when every condition of goplot holds, and says why', () => {
    assert.deepEqual(decideStart({ ...base, runningPhases: [2] }), {
      start: true,
      key: 'start',
      reason: '1/3 plots running, load 1.00 <= 20, 4000 s since the last start',
    });
  });

  it('waits while on_toggle is not run', () => {
    const decision = decideStart({ ...base, onToggle: 'off' });
    assert.equal(decision.reason, 'on_toggle is "off", not "run" (echo run > config/on_toggle.goplot to start)');
  });

  it('counts running plots and tractors still choosing a disk against max_plots', () => {
    const decision = decideStart({ ...base, runningPhases: [1, 3], pendingTractors: 1 });
    assert.equal(decision.start, false);
    assert.equal(decision.reason, '3/3 plots running (max_plots)');
  });

  it('lets one tractor at a time choose, and looks again a second later', () => {
    assert.deepEqual(decideStart({ ...base, runningPhases: [1], pendingTractors: 1 }), {
      start: false,
      key: 'pending',
      reason: '1 tractor is still starting a plot',
      retryAtMs: NOW + 1000,
    });
  });

  it('does not count plots past start_early_phase', () => {
    const decision = decideStart({ ...base, runningPhases: [1, 3, 4], startEarlyPhase: 3 });
    assert.equal(decision.start, true);
    const full = decideStart({ ...base, maxPlots: 1, runningPhases: [1, 3, 4], startEarlyPhase: 3 });
    assert.equal(full.reason, '1/1 plots running (2 more past phase 3 not counted) (max_plots)');
  });

  it('holds max_phase1', () => {
    const decision = decideStart({ ...base, maxPlots: 10, runningPhases: [1, 1, 2], maxPhase1: 2 });
    assert.equal(decision.reason, '2 plots in phase 1 (max_phase1 2)');
    const lowered = decideStart({ ...base, maxPlots: 10, runningPhases: [1, 2], maxPhase1: 1 });
    assert.deepEqual([lowered.key, lowered.reason], ['max_phase1:1/1', '1 plot in phase 1 (max_phase1 1)']);
  });

  it('waits while the mean of load5 and load15 is above load_max', () => {
    assert.equal(decideStart({ ...base, load5: 30, load15: 11 }).reason, 'load 20.50 is above load_max 20');
    assert.equal(decideStart({ ...base, load5: 30, load15: 10 }).start, true);
  });

  it('waits out plot_gap and names the moment to look again', () => {
    const decision = decideStart({ ...base, lastStart: NOW / 1000 - 600 });
    assert.deepEqual(decision, {
      start: false,
      key: 'plot_gap',
      reason: 'plot_gap: 3000 s left',
      retryAtMs: NOW + 3_000_000,
    });
  });

  it('takes a last start or failure in the future (clock set back) as now', () => {
    const future = NOW / 1000 + 30 * 86400;
    assert.equal(decideStart({ ...base, plotGap: 0, lastStart: future }).start, true);
    assert.equal(decideStart({ ...base, plotGap: 600, lastStart: future }).reason, 'plot_gap: 600 s left');
    assert.equal(
      decideStart({ ...base, failures: 1, lastFail: future }).reason,
      'backing off after 1 failed plot in a row: 60 s left',
    );
  });

  it('waits out initial_delay after the loop starts', () => {
    const decision = decideStart({ ...base, loopStartedMs: NOW - 10_000, initialDelay: 30 });
    assert.deepEqual(decision, {
      start: false,
      key: 'initial_delay',
      reason: 'initial_delay: 20 s left',
      retryAtMs: NOW + 20_000,
    });
  });

  it('backs off after failures with a doubling, capped delay', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 10, 100].map((n) => backoffSeconds(n, 60, 600)),
      [60, 120, 240, 480, 600, 600],
    );
    const decision = decideStart({ ...base, failures: 3, lastFail: NOW / 1000 - 100 });
    assert.equal(decision.reason, 'backing off after 3 failed plots in a row: 140 s left');
    assert.equal(decideStart({ ...base, failures: 3, lastFail: NOW / 1000 - 240 }).start, true);
  });
});
