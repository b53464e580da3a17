import crypto from 'node:crypto';
import {
  expandPos2Template,
  parsePos2Template,
  templateMakesGroup,
  type Pos2Placeholder,
} from '../config/pos2-template.js';
import type { ConfigReader } from '../config/config-reader.js';
import type { PlotterName } from '../config/value-specs.js';

/** A plot group's facts as a pos2 plotter's command takes them. */
export interface Pos2Group {
  plotter: PlotterName;
  /** plot_command_v2 (chia-v2 only). */
  template: string;
  chiaBin: string;
  xchplot2Bin: string;
  k: number;
  strength: number;
  groupSize: number;
  /** Index of the group's first plot (0 for a new group). */
  firstIndex: number;
  metaGroup: number;
  tempDir: string;
  destDir: string;
  threads: number;
  farmerKey: string;
  poolKey: string;
  poolContract: string;
}

/** One plotter run of a group: its argv and the plot indices it makes. */
export interface Pos2Run {
  command: string;
  args: string[];
  firstIndex: number;
  count: number;
}

/** The runs that make the group: one for a plotter that makes many plots a run, else one per plot. */
export function planPos2Runs(group: Pos2Group): Pos2Run[] | { problem: string } {
  if (group.plotter === 'xchplot2') return [xchplot2Run(group)];
  const template = parsePos2Template(group.template);
  if (!template.ok) return { problem: `config/plot_command_v2.goplot: ${template.problem}` };
  const perRun = templateMakesGroup(template.words) ? group.groupSize : 1;
  const runs: Pos2Run[] = [];
  for (let done = 0; done < group.groupSize; done += perRun) {
    const index = group.firstIndex + done;
    const count = Math.min(perRun, group.groupSize - done);
    const argv = expandPos2Template(template.words, placeholderValues(group, index, count));
    runs.push({ command: argv[0]!, args: argv.slice(1), firstIndex: index, count });
  }
  return runs;
}

function placeholderValues(group: Pos2Group, index: number, count: number): Record<Pos2Placeholder, string> {
  return {
    chia_bin: group.chiaBin,
    k: String(group.k),
    strength: String(group.strength),
    count: String(count),
    index: String(index),
    meta_group: String(group.metaGroup),
    temp: group.tempDir,
    dest: group.destDir,
    threads: String(group.threads),
    farmer_key: group.farmerKey,
    pool_key: group.poolKey,
    pool_contract: group.poolContract,
    // a test plotter's plot id; chia derives the real one from the keys
    plot_id: crypto.randomBytes(32).toString('hex'),
  };
}

/** xchplot2's own options (DESIGN §17): `-i` is the first index, raised by one per plot. */
function xchplot2Run(group: Pos2Group): Pos2Run {
  const keys = [
    ...(group.farmerKey ? ['-f', group.farmerKey] : []),
    ...(group.poolContract ? ['-c', group.poolContract] : group.poolKey ? ['-p', group.poolKey] : []),
  ];
  const args = [
    'plot',
    '-k',
    String(group.k),
    '-n',
    String(group.groupSize),
    '-i',
    String(group.firstIndex),
    '-g',
    String(group.metaGroup),
    '-s',
    String(group.strength),
    ...keys,
    '-o',
    group.destDir,
    '--progress',
  ];
  return { command: group.xchplot2Bin, args, firstIndex: group.firstIndex, count: group.groupSize };
}

/** The group's values read now from the job's files; the dirs and meta group come from the plan. */
export function pos2GroupFromConfig(
  config: ConfigReader,
  place: { tempDir: string; destDir: string; metaGroup: number },
): Pos2Group {
  return {
    plotter: config.get('plotter'),
    template: config.get('plot_command_v2'),
    chiaBin: config.get('chia_bin'),
    xchplot2Bin: config.get('xchplot2_bin'),
    k: config.get('k'),
    strength: config.get('strength'),
    groupSize: config.get('group_size'),
    firstIndex: 0,
    metaGroup: place.metaGroup,
    tempDir: place.tempDir,
    destDir: place.destDir,
    threads: config.get('threads'),
    farmerKey: config.get('farmer_key'),
    poolKey: config.get('pool_key'),
    poolContract: config.get('pool_contract'),
  };
}
