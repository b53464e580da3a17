import type { ValueName } from '../config/value-specs.js';

/**
 * Values a job's file overrides for that job's plots; without the file the global one holds.
 * Not farm_root: disk state files are named by farm and disk under the one farm_root diskhand
 * watches, so a job picks its farms from it with `farms`.
 */
export const JOB_PLOT_VALUES: ReadonlySet<ValueName> = new Set<ValueName>([
  'dest_farms',
  'temp_root',
  'temp2_dir',
  'plotter',
  'chia_bin',
  'madmax_bin',
  'bladebit_bin',
  'k',
  'threads',
  'buffer',
  'buckets',
  'compression',
  'extra_args',
  'farmer_key',
  'pool_key',
  'pool_contract',
  'nice',
  'ionice_class',
  'ionice_level',
  'cpu_affinity',
  'max_per_temp',
  'group_size',
  'strength',
  'plot_command_v2',
  'xchplot2_bin',
  'plot_ram',
  // the plots a job makes decide which old plots may make room for them (pool plots replacing
  // solo ones on one job's farms, C5 replacing C0 on another's)
  'replot',
  'replot_match',
]);

/** The job's own round robin and stagger clock: read from and written to the job's folder only. */
export const JOB_STATE_VALUES: ReadonlySet<ValueName> = new Set<ValueName>(['farm_dest', 'farm_temp', 'last_start']);

/** The job's own limits: they apply only when the job's folder has the file (the global ones always do). */
export const JOB_LIMIT_VALUES = [
  'on_toggle',
  'max_plots',
  'max_phase1',
  'start_early_phase',
  'plot_gap',
  'initial_delay',
] as const;
export type JobLimitName = (typeof JOB_LIMIT_VALUES)[number];

export function isJobValue(name: string): boolean {
  return (
    JOB_PLOT_VALUES.has(name as ValueName) ||
    JOB_STATE_VALUES.has(name as ValueName) ||
    (JOB_LIMIT_VALUES as readonly string[]).includes(name)
  );
}
