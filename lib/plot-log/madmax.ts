// madmax `chia_plot` / `chia_plot_k34` and chia 2.x `chia plotters madmax` lines.
// Progress counts its 35 step lines (7 P1 tables, 12 P2 scan/rewrite, 12 P3 passes, 4 P4 steps).
import { findPlotName, joinPath, normalizeDir } from './plot-paths.js';
import { addTempDir, advance, advanceWithin, finishPhase, markFinished, type PlotState } from './plot-state.js';
import { plotNamedIn, type PlotContext } from './plot-context.js';

/** P1 table 1 (F1) is ~1 % of the phase; tables 2-7 share the rest. */
function phaseOneAfter(table: number): number {
  return table <= 1 ? 0.03 : 0.03 + ((table - 1) * 0.97) / 6;
}

const P4_STEPS: Record<string, number> = {
  'Starting to write C1 and C3 tables': 0.05,
  'Finished writing C1 and C3 tables': 0.7,
  'Writing C2 table': 0.7,
  'Finished writing C2 table': 0.9,
};

/** The plot is done when it is in the final directory: at once if it was built there, else after the copy. */
function finishIfNoCopy(state: PlotState): void {
  const { destDir, plotName, tempDirs } = state.info;
  const builtIn = tempDirs[tempDirs.length - 1];
  if (destDir === null || (builtIn !== undefined && builtIn === destDir)) {
    if (destDir !== null && plotName !== null) state.info.finalFile = joinPath(destDir, `${plotName}.plot`);
    markFinished(state);
  }
}

function finishCopy(context: PlotContext, target: string): void {
  // The copy runs in a thread: with -n > 1 its lines can come after the next plot's header.
  const state = plotNamedIn(context, target) ?? context.plot;
  state.info.finalFile = target;
  if (state.info.totalSeconds !== null) markFinished(state);
}

export function handleMadmaxLine(line: string, context: PlotContext): boolean {
  let state = context.plot;
  let match: RegExpExecArray | null;
  if ((match = /^\[P1\] Table (\d) took /.exec(line))) {
    advanceWithin(state, 1, phaseOneAfter(Number(match[1])));
  } else if ((match = /^\[P2\] Table (\d) (scan|rewrite) took /.exec(line))) {
    advanceWithin(state, 2, ((7 - Number(match[1])) * 2 + (match[2] === 'scan' ? 1 : 2)) / 12);
  } else if ((match = /^\[P3-([12])\] Table (\d) took /.exec(line))) {
    advanceWithin(state, 3, ((Number(match[2]) - 2) * 2 + Number(match[1])) / 12);
  } else if ((match = /^\[P4\] (.+?)\s*$/.exec(line))) {
    const step = P4_STEPS[match[1]];
    if (step === undefined) return false;
    advanceWithin(state, 4, step);
  } else if ((match = /^Phase (\d) took (\d+(?:\.\d+)?) sec/.exec(line))) {
    const phase = Number(match[1]);
    finishPhase(state, phase, Number(match[2]));
    // A phase starts when the one before it ends.
    if (phase < 4) advance(state, phase + 1);
  } else if ((match = /^Total plot creation time was (\d+(?:\.\d+)?) sec/.exec(line))) {
    state.info.totalSeconds = Number(match[1]);
    finishIfNoCopy(state);
  } else if ((match = /^Plot Name: (plot-\S+)$/.exec(line))) {
    const named = findPlotName(match[1]);
    if (!named) return false;
    Object.assign(state.info, { plotName: named.name, plotId: named.plotId, k: named.k, startedAt: named.startedAt });
    advance(state, 1);
  } else if (/^Crafting plot \d+ out of -?\d+/.test(line)) {
    if (state.info.phase > 0 || state.info.plotName !== null) state = context.startPlot();
  } else if ((match = /^Renamed final plot to (.+)$/.exec(line))) {
    finishCopy(context, match[1].trim());
  } else if ((match = /^Copy to (.+) finished, took /.exec(line))) {
    finishCopy(context, match[1].trim());
  } else {
    return handleMadmaxHeader(state, line);
  }
  return true;
}

function handleMadmaxHeader(state: PlotState, line: string): boolean {
  let match: RegExpExecArray | null;
  if ((match = /^Final Directory: (.+)$/.exec(line))) {
    state.info.destDir = normalizeDir(match[1]);
  } else if ((match = /^Number of Threads: (\d+)$/.exec(line))) {
    state.info.threads = Number(match[1]);
  } else if ((match = /^Number of Buckets(?: P1)?:\s+2\^\d+ \((\d+)\)$/.exec(line))) {
    state.info.buckets = Number(match[1]);
  } else if ((match = /^Working Directory(?: 2)?:\s+(.+?)\s*$/.exec(line))) {
    addTempDir(state, normalizeDir(match[1]));
  } else if ((match = /^Started copy to (.+)$/.exec(line))) {
    // Same filesystem: the copy is a rename, still reported by its own line.
  } else {
    return /^(?:Multi-threaded pipelined Chia|Number of Plots:|Process ID:|Pool |Farmer Public Key:|\[P2\] max_table_size|Wrote plot header)/.test(
      line,
    );
  }
  return true;
}
