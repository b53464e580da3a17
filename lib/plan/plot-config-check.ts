import type { ConfigReader } from '../config/config-reader.js';
import type { ValueName } from '../config/value-specs.js';

/** Every value a plot's command, place or size depends on. */
const PLOT_VALUES: ValueName[] = [
  'plotter',
  'k',
  'threads',
  'buffer',
  'buckets',
  'compression',
  'extra_args',
  'farm_root',
  'dest_farms',
  'temp_root',
  'temp2_dir',
  'chia_bin',
  'madmax_bin',
  'bladebit_bin',
  'farmer_key',
  'pool_key',
  'pool_contract',
  'require_mount',
  'disk_space',
  'nice',
  'ionice_class',
  'ionice_level',
  'cpu_affinity',
  // a pos2 group's size, strength and command: a typo in group_size would otherwise make a group
  // of the default size, reserving room for the wrong number of plots
  'group_size',
  'strength',
  'plot_command_v2',
  'xchplot2_bin',
  'plot_ram',
];

/**
 * Why no plot may start now: an invalid value in a file a plot depends on. A one-shot tractor has
 * no last good value and would fall back to the default (a k32 plot for a typo in k.goplot, or the
 * default farm_root), while the loop uses the last good one: neither guess is safe, so both wait.
 */
export function findInvalidPlotValues(config: ConfigReader): string[] {
  return PLOT_VALUES.map((name) => config.inspect(name).error).filter((error): error is string => error !== undefined);
}
