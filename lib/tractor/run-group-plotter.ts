import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { PlotGroupState } from '../farm/plot-groups.js';
import type { Pos2Run } from '../plan/pos2-command.js';

export interface GroupRunOptions {
  run: Pos2Run;
  state: PlotGroupState;
  env: NodeJS.ProcessEnv;
  pollMs: number;
  /** Writes the group file (the plotter's pid and progress for status, the view and the metrics). */
  save: () => void;
  /** Looks for landed plots; `writerGone` once the plotter has ended. */
  look: (writerGone: boolean) => Promise<void>;
}

export type RunEnd = { exitCode: number | null; signal: NodeJS.Signals | null };

const TAIL_BYTES = 4096;

/** The end of a log: the plotters' latest lines are there, whatever the log's length. */
function readTail(logFile: string): string | null {
  try {
    const fd = fs.openSync(logFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.min(size, TAIL_BYTES));
      fs.readSync(fd, buffer, 0, buffer.length, Math.max(0, size - buffer.length));
      return buffer.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}

/**
 * The plotter's own percentage of the plot it makes now, from the end of its log: the reference
 * plotter redraws `[=====   ] 17% matching T1 …` until `Wrote plot file`. 0 when it prints none.
 */
export function readPlotFraction(logFile: string): number {
  const text = readTail(logFile);
  if (text === null) return 0;
  const since = text.slice(Math.max(text.lastIndexOf('Wrote plot file'), text.lastIndexOf(' done: '), 0));
  const percents = [...since.matchAll(/\]\s*(\d{1,3})%/g)];
  const last = percents.at(-1);
  return last === undefined ? 0 : Math.min(100, Number(last[1])) / 100;
}

/**
 * xchplot2's line after each plot with `--progress` (on stderr, into the group's log), with a
 * device prefix: `[batch] progress: plot 3/10 done (30.0%, 2.10 s/plot avg, ~0m14s left)`.
 */
const XCHPLOT2_PROGRESS = /progress: plot (\d+)\/(\d+) done \([\d.]+%, ([\d.]+) s\/plot avg, ~(\d+)m(\d+)s left\)/g;

/** What xchplot2 last said of its group: plots done of how many, its average and its ETA; null before its first line. */
export function readXchplot2Progress(
  logFile: string,
): { done: number; total: number; secondsPerPlot: number; etaSeconds: number } | null {
  const text = readTail(logFile);
  const last = text === null ? undefined : [...text.matchAll(XCHPLOT2_PROGRESS)].at(-1);
  if (last === undefined) return null;
  return {
    done: Number(last[1]),
    total: Number(last[2]),
    secondsPerPlot: Number(last[3]),
    etaSeconds: Number(last[4]) * 60 + Number(last[5]),
  };
}

/**
 * xchplot2 renames each plot into plots/ when it is whole and then says so: once it has said more
 * plots done than have landed, they are landed now, without waiting for their size to stand
 * still; and its own average and ETA are kept for status, the view and the metrics.
 */
async function followXchplot2(o: GroupRunOptions): Promise<void> {
  const { state } = o;
  const said = readXchplot2Progress(state.logFile);
  if (said === null || said.done === state.plotterSaid?.done) return;
  if (said.done > state.done) await o.look(true);
  state.plotterSaid = { ...said, saidMs: Date.now() };
  o.save();
}

/**
 * One plotter run of the group, writing into the group's log, with the group's temp dir as its
 * working directory and in its own process group (a killed tractor does not take it down). Looks
 * for landed plots while it runs and once more after it ends.
 */
export async function runGroupPlotter(o: GroupRunOptions): Promise<RunEnd> {
  const { run, state } = o;
  const fd = fs.openSync(state.logFile, 'a');
  const child = spawn(run.command, run.args, {
    cwd: state.tempDir,
    stdio: ['ignore', fd, fd],
    detached: true,
    env: o.env,
  });
  fs.closeSync(fd);
  const exited = new Promise<RunEnd>((resolve) => {
    child.once('error', () => resolve({ exitCode: 127, signal: null }));
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  state.plotterPid = child.pid ?? null;
  state.plotterArgv = [run.command, ...run.args];
  o.save();
  let end: RunEnd | null = null;
  void exited.then((result) => (end = result));
  while (end === null) {
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, o.pollMs))]);
    if (end !== null) break;
    await o.look(false);
    if (state.plotter === 'xchplot2') await followXchplot2(o);
    const fraction = readPlotFraction(state.logFile);
    if (fraction !== state.plotFraction) {
      state.plotFraction = fraction;
      o.save();
    }
  }
  await o.look(true);
  state.plotterPid = null;
  state.plotterArgv = null;
  o.save();
  return end;
}
