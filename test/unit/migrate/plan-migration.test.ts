import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addPlot, emptyTally, type FarmPosSummary } from '../../../lib/migrate/farm-pos-summary.js';
import { planMigration } from '../../../lib/migrate/plan-migration.js';
import { CHIA_PHASEOUT } from '../../../lib/migrate/phaseout.js';

const GiB = 2 ** 30;
const NOW = Date.UTC(2027, 0, 10, 8, 0, 0);

function farm(pos1Plots: number, pos2ByDay: Record<string, number>): FarmPosSummary {
  const summary: FarmPosSummary = { pos1: emptyTally(), pos2: emptyTally(), pos2LandedByDay: {} };
  for (let i = 0; i < pos1Plots; i++) addPlot(summary, 1, 32, 100 * GiB, Date.UTC(2024, 0, 1));
  for (const [day, count] of Object.entries(pos2ByDay))
    for (let i = 0; i < count; i++) addPlot(summary, 2, 28, GiB, Date.parse(`${day}T10:00:00Z`));
  return summary;
}

const plan = (summary: FarmPosSummary, height: number) =>
  planMigration({ farm: summary, height, nowMs: NOW, params: CHIA_PHASEOUT, targetWeight: 0.5 });

describe('the migration plan', () => {
  it('has no finish while no pos2 plot landed in the last 7 whole days, and counts today apart', () => {
    const result = plan(farm(10, { '2026-12-01': 50, '2027-01-10': 4 }), 9_700_000);
    assert.equal(result.finish, null);
    assert.deepEqual(result.measured.today, { day: '2027-01-10', plots: 4 });
    assert.deepEqual(result.measured.rate, { pos2PlotsPerDay: 0, pos1BytesPerDay: 0 });
    // 1,000 GiB of pos1 / 1 GiB (the 54 pos2 files' mean) over 447,217 blocks: 1,000 * 4,608 / 447,217
    assert.ok(Math.abs(result.target.needed!.pos2PlotsPerDay - 10.303722801235194) < 1e-9);
  });

  it('needs nothing more once a deadline has passed, and says so by a null rate', () => {
    // 10,200,000 is past the weight-0.5 height 10,147,217, not past weight 0 at 10,732,433
    const result = plan(farm(10, { '2027-01-09': 7 }), 10_200_000);
    assert.equal(result.target.needed, null);
    assert.ok(result.target.days < 0);
    // 1,000 plots / (532,433 / 4,608 days)
    assert.ok(Math.abs(result.zero.needed!.pos2PlotsPerDay - 8.654610063613637) < 1e-9);
  });

  it('is finished now when no pos1 plot is left, and assumes 0.92 GiB a pos2 file on a farm with none', () => {
    const done = plan(farm(0, { '2027-01-09': 7 }), 9_700_000);
    assert.deepEqual(done.finish, { height: 9_700_000, atMs: NOW, days: 0 });
    assert.equal(done.target.needed, null);
    const fresh = plan(farm(10, {}), 9_700_000);
    assert.deepEqual(fresh.newPos2, {
      k: 28,
      fileBytes: 987_842_478, // round(0.92 * 2^30)
      effectiveBytes: 1_340_029_796.04,
      measured: false,
    });
    assert.equal(fresh.pos2ToMake, 1086); // floor(1,000 * 2^30 / 987,842,478) = floor(1,086.96)
  });
});
