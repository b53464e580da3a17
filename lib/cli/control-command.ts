import readline from 'node:readline/promises';
import { ConfigReader } from '../config/config-reader.js';
import type { CommandIo } from '../config/command-io.js';
import { describePlot, describeRequester, findRunningPlot, killPlot } from '../control/plot-control.js';
import { signalTree } from '../control/plot-processes.js';
import { createLogger } from '../util/logger.js';

export interface ControlOptions {
  yes: boolean;
  /** Asks on a terminal; absent when stdin is not one. */
  confirm?: (question: string) => Promise<boolean>;
}

/** A y/n question on the terminal; anything but y or yes is no. */
export async function askOnTerminal(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes)$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

function parseIndex(io: CommandIo, command: string, raw: string): number | null {
  if (/^\d+$/.test(raw)) return Number(raw);
  io.err(`goplot ${command}: ${JSON.stringify(raw)} is not a plot index (goplot status lists them)`);
  return null;
}

/** `goplot kill INDEX`: ends the plot, removes its files, releases its disk; no failure, no back-off. */
export async function killCommand(io: CommandIo, raw: string, options: ControlOptions): Promise<number> {
  const index = parseIndex(io, 'kill', raw);
  if (index === null) return 2;
  const found = findRunningPlot(new ConfigReader(io.paths, () => {}, io.env), index);
  if (!found.ok) {
    io.err(`goplot kill: ${found.message}`);
    return 2;
  }
  const what = describePlot(found.plot);
  if (!options.yes) {
    if (!options.confirm) {
      io.err(`goplot kill: not on a terminal, so nothing was asked: add --yes to kill ${what}`);
      return 2;
    }
    if (!(await options.confirm(`kill ${what}, and remove its temporary files?`))) {
      io.out('nothing killed');
      return 1;
    }
  }
  const by = describeRequester(io.env);
  const log = createLogger(io.paths, 'goplot-kill');
  log.info(`${what} killed on request by ${by}`);
  const result = await killPlot(io.paths, found.plot, by);
  for (const line of result.lines) log.warn(line);
  log.info(`plot ${index}: removed ${result.removed.length} temporary file${result.removed.length === 1 ? '' : 's'}${result.released ? ', released its disk reservation' : ''}; not counted as a failure`);
  io.out(`killed ${what}; removed ${result.removed.length} temporary file${result.removed.length === 1 ? '' : 's'}${result.released ? '; its disk reservation is released' : ''}`);
  return 0;
}

/** `goplot suspend|resume INDEX`: SIGSTOP/SIGCONT on the plot's process tree. */
export function pauseCommand(io: CommandIo, raw: string, suspend: boolean): number {
  const command = suspend ? 'suspend' : 'resume';
  const index = parseIndex(io, command, raw);
  if (index === null) return 2;
  const found = findRunningPlot(new ConfigReader(io.paths, () => {}, io.env), index);
  if (!found.ok) {
    io.err(`goplot ${command}: ${found.message}`);
    return 2;
  }
  const signalled = signalTree(found.plot.pid, suspend ? 'SIGSTOP' : 'SIGCONT');
  const what = describePlot(found.plot);
  createLogger(io.paths, `goplot-${command}`).info(`${what} ${suspend ? 'suspended' : 'resumed'} by ${describeRequester(io.env)} (${signalled.length} process${signalled.length === 1 ? '' : 'es'})`);
  io.out(suspend ? `suspended ${what}: it keeps its temp space and disk reservation; goplot resume ${index} goes on` : `resumed ${what}`);
  return 0;
}
