import type { Migration } from '../migrate/read-migration.js';
import { addGauge, type createRegistry } from './registry.js';

type Registry = ReturnType<typeof createRegistry>;

/**
 * The pos1 phase-out and the race to pos2 as metrics. Everything that needs the chain height is
 * left out while it is unknown (the collector says so in its values), never written as 0: a
 * weight of 0 would read as a farm that lost its pos1 plots.
 */
export function addMigrationMetrics(registry: Registry, migration: Migration): void {
  const { height, plan } = migration;
  if (height.height === null || plan === null) return;
  addGauge(
    registry,
    'goplot_chain_height',
    'Chain height the phase-out is computed at, by where it came from (getfarm, rpc, cli, value)',
    ['source'],
  ).set({ source: height.source }, height.height);
  addGauge(
    registry,
    'goplot_pos1_weight',
    'Chance a pos1 plot keeps at this height: 1 before the fork, then c/256 an epoch less',
  ).set(plan.pos1Weight);
  const effective = addGauge(
    registry,
    'goplot_farm_effective_bytes',
    'Effective space as chia counts it, by proof of space: plots x their k size x their weight at this height',
    ['pos'],
  );
  effective.set({ pos: '1' }, plan.pos1.effectiveBytes);
  effective.set({ pos: '2' }, plan.pos2.effectiveBytes);
  addGauge(
    registry,
    'goplot_farm_effective_no_replot_bytes',
    "The phase-out line: the farm's effective space had all its room stayed pos1 (pos1 bytes per byte x all plot bytes x the pos1 weight)",
  ).set(plan.current.noReplotBytes);
  const measured = addGauge(
    registry,
    'goplot_migrate_measured_plots_per_day',
    'pos2 plots landed a day: on the last whole UTC day (window day), and the mean of the last 7 (window week)',
    ['window'],
  );
  measured.set({ window: 'day' }, plan.measured.lastDayRate.pos2PlotsPerDay);
  measured.set({ window: 'week' }, plan.measured.rate.pos2PlotsPerDay);
  const needed = addGauge(
    registry,
    'goplot_migrate_needed_plots_per_day',
    'pos2 plots a day needed to replace every pos1 plot before the pos1 weight falls under migrate_target_weight (deadline target) or reaches 0 (deadline zero); left out once a deadline has passed',
    ['deadline'],
  );
  if (plan.target.needed !== null) needed.set({ deadline: 'target' }, plan.target.needed.pos2PlotsPerDay);
  if (plan.zero.needed !== null) needed.set({ deadline: 'zero' }, plan.zero.needed.pos2PlotsPerDay);
  addGauge(registry, 'goplot_migrate_pos1_left_bytes', 'Bytes of pos1 plot files still on the farm').set(
    plan.pos1.bytes,
  );
  if (plan.finish !== null)
    addGauge(
      registry,
      'goplot_migrate_finish_timestamp_seconds',
      "When the farm is all pos2 at last week's rate (Unix time, heights at 18.75 s a block)",
    ).set(plan.finish.atMs / 1000);
}
