import readline from 'node:readline/promises';
import { ConfigReader } from '../config/config-reader.js';
import type { CommandIo } from '../config/command-io.js';
import { killOnRequest, suspendOrResume } from '../control/act-on-plot.js';
import { describePlot, findRunningPlot } from '../control/plot-control.js';

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
  const result = await killOnRequest(io.paths, io.env, index, 'goplot kill');
  if (!result.ok) {
    io.err(`goplot kill: ${result.message}`);
    return 2;
  }
  io.out(result.message);
  return 0;
}

/** `goplot suspend|resume INDEX`: SIGSTOP/SIGCONT on the plot's process tree. */
export function pauseCommand(io: CommandIo, raw: string, suspend: boolean): number {
  const command = suspend ? 'suspend' : 'resume';
  const index = parseIndex(io, command, raw);
  if (index === null) return 2;
  const result = suspendOrResume(io.paths, io.env, index, suspend, `goplot ${command}`);
  if (!result.ok) {
    io.err(`goplot ${command}: ${result.message}`);
    return 2;
  }
  io.out(result.message);
  return 0;
}
