import {
  absolutePath,
  absolutePathOrEmpty,
  anyText,
  commandName,
  commandNameOrEmpty,
  cpuListOf,
  decimalNumber,
  hexOrEmpty,
  httpUrlOrEmpty,
  oneOf,
  plainName,
  poolContractOrEmpty,
  powerOfTwo,
  wholeNumber,
  type ValueParser,
} from './value-parsers.js';
import { hostCpus } from './host-cpus.js';
import { DAY, type Spec } from './value-spec.js';
import { REPLOT_ARCHIVE_VALUE_SPECS } from './value-specs-replot-archive.js';
import { SERVICE_VALUE_SPECS } from './value-specs-services.js';
import { POS2_VALUE_SPECS } from './value-specs-pos2.js';
import { MIGRATE_VALUE_SPECS } from './value-specs-migrate.js';

export const PLOTTERS = [
  'chia',
  'madmax',
  'bladebit-ram',
  'bladebit-disk',
  'bladebit-cuda',
  'chia-v2',
  'xchplot2',
] as const;
export type PlotterName = (typeof PLOTTERS)[number];
/** The plotters that make proof of space v2 plots, a plot group a tractor. */
export const POS2_PLOTTERS: readonly PlotterName[] = ['chia-v2', 'xchplot2'];
export function isPos2Plotter(plotter: string): boolean {
  return (POS2_PLOTTERS as readonly string[]).includes(plotter);
}

/**
 * Every one-value file, its default and its range, in one table. goplot's names and defaults
 * are kept; the rest follow the same rules.
 */
export const VALUE_SPECS = {
  on_toggle: {
    default: 'off',
    parse: anyText,
    kind: 'config',
    help: '`run` starts plots; anything else stops starting new ones',
  },
  plot_poll: { default: 120, parse: wholeNumber(1, DAY), kind: 'config', help: 'seconds between condition checks' },
  plot_gap: {
    default: 3600,
    parse: wholeNumber(0, 7 * DAY),
    kind: 'config',
    help: 'minimum seconds between two plot starts',
  },
  load_max: {
    default: 20,
    parse: decimalNumber(0, 100_000),
    kind: 'config',
    help: 'no new plot while (load5 + load15) / 2 is above this',
  },
  max_plots: { default: 3, parse: wholeNumber(0, 1000), kind: 'config', help: 'most plots running at once' },
  index: {
    default: 0,
    parse: wholeNumber(0, Number.MAX_SAFE_INTEGER),
    kind: 'state',
    help: 'number of the last plot started',
  },
  farm_dest: { default: '0', parse: plainName, kind: 'state', help: 'last destination farm used' },
  farm_temp: { default: '0', parse: plainName, kind: 'state', help: 'last temp dir used' },
  last_start: {
    default: 0,
    parse: wholeNumber(0, Number.MAX_SAFE_INTEGER),
    kind: 'state',
    help: 'time of the last plot start (Unix seconds)',
  },
  failures: {
    default: 0,
    parse: wholeNumber(0, 1_000_000),
    kind: 'state',
    help: 'plots that failed in a row (0 after a success)',
  },
  last_fail: {
    default: 0,
    parse: wholeNumber(0, Number.MAX_SAFE_INTEGER),
    kind: 'state',
    help: 'time of the last failed plot (Unix seconds)',
  },
  backoff_base: {
    default: 60,
    parse: wholeNumber(1, DAY),
    kind: 'config',
    help: 'seconds to wait after the first failed plot; doubles with each failure in a row',
  },
  backoff_max: {
    default: 3600,
    parse: wholeNumber(1, 7 * DAY),
    kind: 'config',
    help: 'the longest wait after failed plots, in seconds',
  },
  farm_root: {
    default: '/farm',
    parse: absolutePath,
    kind: 'config',
    help: 'folder of farms: <farm_root>/<farm>/<disk>/{plots,logs}',
  },
  temp_root: {
    default: '/plot_temp',
    parse: absolutePath,
    kind: 'config',
    help: 'folder of temp dirs: <temp_root>/<n>',
  },
  chia_bin: {
    default: 'chia',
    parse: commandName,
    kind: 'config',
    help: 'the chia command (name on PATH or full path)',
  },
  madmax_bin: {
    default: '',
    parse: commandNameOrEmpty,
    kind: 'config',
    help: 'standalone chia_plot for plotter=madmax; empty: `chia plotters madmax`',
  },
  bladebit_bin: {
    default: '',
    parse: commandNameOrEmpty,
    kind: 'config',
    help: 'standalone bladebit for the bladebit plotters; empty: `chia plotters bladebit`',
  },
  plotter: {
    default: 'chia' as PlotterName,
    parse: oneOf(PLOTTERS),
    kind: 'config',
    help: 'which plotter the tractor runs',
  },
  k: { default: 32, parse: wholeNumber(18, 50), kind: 'config', help: 'plot size k' },
  threads: { default: 2, parse: wholeNumber(1, 1024), kind: 'config', help: 'plotter threads (-r)' },
  buffer: { default: 3389, parse: wholeNumber(16, 1_048_576), kind: 'config', help: 'chiapos buffer in MiB (-b)' },
  buckets: { default: 128, parse: powerOfTwo(16, 65_536), kind: 'config', help: 'buckets (-u)' },
  compression: { default: 0, parse: wholeNumber(0, 9), kind: 'config', help: 'compression level (bladebit, madmax)' },
  extra_args: {
    default: '',
    parse: anyText,
    kind: 'config',
    help: 'more plotter arguments, split on spaces (e.g. -e)',
  },
  prom_dir: {
    default: '/var/lib/prometheus/node-exporter',
    parse: absolutePath,
    kind: 'config',
    help: "node_exporter's textfile directory",
  },
  grafana_url: {
    default: '',
    parse: httpUrlOrEmpty,
    kind: 'config',
    help: 'Grafana base URL for annotations; empty turns them off',
  },
  chia_root: {
    default: '~/.chia/mainnet',
    parse: absolutePath,
    kind: 'config',
    help: "chia's root (CHIA_ROOT): config/config.yaml and config/ssl/ for its RPC",
  },
  chia_rpc: {
    default: 'auto',
    parse: oneOf(['auto', 'on', 'off'] as const),
    kind: 'config',
    help: 'read chia through its RPC (`on`), its CLI (`off`), or the RPC when it answers, else the CLI (`auto`)',
  },
  chia_log: {
    default: '~/.chia/mainnet/log/debug.log',
    parse: absolutePath,
    kind: 'config',
    help: "the harvester's debug.log",
  },
  require_mount: {
    default: 'yes',
    parse: oneOf(['yes', 'no'] as const),
    kind: 'config',
    help: 'a disk must be a mount point to get plots',
  },
  disk_space: {
    default: 'statfs',
    parse: oneOf(['statfs', 'df'] as const),
    kind: 'config',
    help: 'how diskhand reads capacity: statfs (fast) or df',
  },
  disk_timeout: {
    default: 10,
    parse: wholeNumber(1, 3600),
    kind: 'config',
    help: "seconds diskhand waits for one disk's space before it counts as unreadable (a hung disk or mount)",
  },
  diskhand_log: {
    default: 'changes',
    parse: oneOf(['all', 'changes'] as const),
    kind: 'config',
    help: 'diskhand logs `all` disks every run, or only `changes` and problems (plus its summary)',
  },
  cpu_affinity: {
    default: '',
    parse: cpuListOf(hostCpus),
    kind: 'config',
    help: 'CPUs for the plotter (taskset list); empty for all',
  },
  nice: {
    default: 0,
    parse: wholeNumber(0, 19),
    kind: 'config',
    help: 'CPU priority (nice) of the plotter; 0 is normal, 19 the lowest',
  },
  ionice_class: {
    default: 'none',
    parse: oneOf(['none', 'best-effort', 'idle'] as const),
    kind: 'config',
    help: 'IO priority class of the plotter (ionice)',
  },
  ionice_level: {
    default: 4,
    parse: wholeNumber(0, 7),
    kind: 'config',
    help: 'IO priority level within best-effort (0 highest, 7 lowest)',
  },
  temp2_dir: {
    default: '',
    parse: absolutePathOrEmpty,
    kind: 'config',
    help: 'second temp dir (-2); empty: the same as the temp dir',
  },
  farmer_key: {
    default: '',
    parse: hexOrEmpty(96, 'a farmer public key'),
    kind: 'config',
    help: 'farmer public key (-f); empty: the plotter asks chia',
  },
  pool_key: {
    default: '',
    parse: hexOrEmpty(96, 'a pool public key'),
    kind: 'config',
    help: 'pool public key (-p), for solo plots',
  },
  pool_contract: {
    default: '',
    parse: poolContractOrEmpty,
    kind: 'config',
    help: 'pool contract address (-c), for pool plots',
  },
  max_phase1: {
    default: 0,
    parse: wholeNumber(0, 1000),
    kind: 'config',
    help: 'most plots in phase 1 at once; 0 for no limit',
  },
  start_early_phase: {
    default: 0,
    parse: wholeNumber(0, 4),
    kind: 'config',
    help: 'a plot that reached this phase no longer counts toward max_plots; 0 for never',
  },
  max_per_temp: {
    default: 0,
    parse: wholeNumber(0, 1000),
    kind: 'config',
    help: 'most plots per temp dir at once; 0 for no limit',
  },
  initial_delay: {
    default: 0,
    parse: wholeNumber(0, 7 * DAY),
    kind: 'config',
    help: 'seconds the loop waits after it starts before the first plot',
  },
  ...SERVICE_VALUE_SPECS,
  ...POS2_VALUE_SPECS,
  ...REPLOT_ARCHIVE_VALUE_SPECS,
  ...MIGRATE_VALUE_SPECS,
} satisfies Record<string, Spec<unknown>>;

export type ValueName = keyof typeof VALUE_SPECS;
/** A value's type is what its parser yields, so enums stay unions ('statfs' | 'df'), not string. */
export type ValueOf<N extends ValueName> = (typeof VALUE_SPECS)[N]['parse'] extends ValueParser<infer T> ? T : never;

export function isValueName(name: string): name is ValueName {
  return Object.hasOwn(VALUE_SPECS, name);
}

export function describeValue(name: ValueName, value: unknown): string {
  return typeof value === 'string' ? (value === '' ? '(empty)' : value) : String(value);
}
