// bladebit lines: 1.x RAM plots, 2.x `diskplot` (3 phases) and 3.x `cudaplot` (GPU), also through
// `chia plotters bladebit`. The three share a banner, so the mode is refined by later header lines.
import { dirnameOf, findPlotName, joinPath, normalizeDir } from './plot-paths.js';
import {
  addTempDir,
  advance,
  advanceWithin,
  finishPhase,
  markFinished,
  setPlotter,
  type PlotState,
} from './plot-state.js';
import type { PlotContext } from './plot-context.js';

function setName(state: PlotState, text: string): void {
  const named = findPlotName(text);
  if (!named) return;
  Object.assign(state.info, { plotName: named.name, plotId: named.plotId, k: named.k, startedAt: named.startedAt });
}

/** Step lines inside a phase, as [pattern, phase, fraction reached (from the table number when a function)]. */
const STEPS: [RegExp, number, (table: number) => number][] = [
  // RAM: F1 (~8 % of P1), then forward propagation of tables 2..7.
  [/^Finished F1 sort in /, 1, () => 0.08],
  [/^Finished forward propagating table (\d) in /, 1, (t) => 0.08 + ((t - 1) * 0.92) / 6],
  [/^\s*Finished prunning table (\d) in /, 2, (t) => (7 - t) / 5],
  // RAM and disk: table pairs 1..6 (disk then writes the P7 parks).
  [/^\s*Finished compressing tables (\d) and \d in /, 3, (t) => t / 7],
  [/^\s*Finished writing P7 in /, 4, () => 0.1],
  [/^\s*Finished writing C(\d) table in /, 4, (c) => 0.1 + c * 0.1],
  [/^Writing final plot tables to disk$/, 4, () => 0.5],
  // Disk: f1, tables 2..7, then the C tables.
  [/^Finished f1 generation in /, 1, () => 1 / 8],
  [/^Completed table (\d) in \S+ seconds with \d+ entries\.$/, 1, (t) => t / 8],
  [/^Completed C processing tables in /, 1, () => 1],
  [/^Finished marking table (\d) in /, 2, (t) => (7 - t) / 5],
  [/^Finished writing P7 parks in /, 3, () => 1],
  // CUDA: F1, tables 2..7, finalizing table 7; marking 6..3; compressing pairs.
  [/^Finished F1 in /, 1, () => 1 / 8],
  [/^Table (\d) completed in /, 1, (t) => t / 8],
  [/^Finalized Table 7 in /, 1, () => 1],
  [/^Marked Table (\d) in /, 2, (t) => (7 - t) / 4],
  [/^Completed table (\d) in \S+ seconds with \d+ \/ \d+ entries/, 3, (t) => t / 7],
];

export function handleBladebitLine(line: string, context: PlotContext): boolean {
  let state = context.plot;
  const plotter = state.info.plotter;
  let match: RegExpExecArray | null;
  if ((match = /^Generating plot (\d+)(?: \/ \d+)?: ([0-9a-f]{64})$/.exec(line))) {
    if (state.info.phase > 0 || state.info.plotId !== null) state = context.startPlot();
    state.info.plotId = match[2];
    // bladebit plots only k32 (compression levels change the size, not k).
    state.info.k ??= 32;
  } else if ((match = /^Running Phase (\d)$/.exec(line))) {
    advance(state, Number(match[1]));
  } else if ((match = /^(?:Finished|Completed) Phase (\d) in (\d+(?:\.\d+)?) seconds/.exec(line))) {
    const phase = Number(match[1]);
    finishPhase(state, phase, Number(match[2]));
    // cudaplot prints no phase starts: the next phase begins when one completes.
    if (plotter === 'bladebit-cuda' && phase < 3) advance(state, phase + 1);
  } else if (/^Generating F1$/.test(line)) {
    setPlotter(state, 'bladebit-cuda');
    advance(state, 1);
  } else if ((match = /^Plot temporary file: (.+)$/.exec(line))) {
    setPlotter(state, 'bladebit-cuda');
    state.notes.tempFile = match[1].trim();
    state.info.destDir ??= dirnameOf(state.notes.tempFile);
    setName(state, state.notes.tempFile);
  } else if ((match = /^Completed Plot \d+ in (\d+(?:\.\d+)?) seconds/.exec(line))) {
    // cudaplot then writes the plot asynchronously: that write is counted as phase 4.
    state.marks.plotSeconds = Number(match[1]);
    advance(state, 4);
  } else if ((match = /^Completed writing plot in (\d+(?:\.\d+)?) seconds/.exec(line))) {
    const writeSeconds = Number(match[1]);
    finishPhase(state, 4, writeSeconds);
    state.info.totalSeconds = (state.marks.plotSeconds ?? 0) + writeSeconds;
    if (state.notes.tempFile) state.info.finalFile = state.notes.tempFile.replace(/\.tmp$/, '');
    markFinished(state);
  } else if ((match = /^Finished plotting in (\d+(?:\.\d+)?) seconds/.exec(line))) {
    state.info.totalSeconds = Number(match[1]);
    if (!state.info.finalFile && state.info.destDir && state.info.plotName) {
      state.info.finalFile = joinPath(state.info.destDir, `${state.info.plotName}.plot`);
    }
    markFinished(state);
  } else if ((match = /^Plot (.+\.plot) finished writing to disk:$/.exec(line))) {
    state.info.finalFile = match[1];
    setName(state, match[1]);
  } else if ((match = /^Finished writing plot (plot-\S+?)\.plot\.tmp\.?$/.exec(line))) {
    setName(state, match[1]);
  } else if ((match = /^Renaming plot to '(.+)'$/.exec(line))) {
    state.info.finalFile = match[1];
    setName(state, match[1]);
  } else {
    return handleStepOrHeader(state, line);
  }
  return true;
}

function handleStepOrHeader(state: PlotState, line: string): boolean {
  for (const [pattern, phase, fraction] of STEPS) {
    const match = pattern.exec(line);
    if (match) {
      advanceWithin(state, phase, fraction(Number(match[1] ?? 0)));
      return true;
    }
  }
  let match: RegExpExecArray | null;
  if (/^\[Bladebit Disk Plotter\]/.test(line)) setPlotter(state, 'bladebit-disk');
  else if (/^\[Bladebit CUDA Plotter\]/.test(line)) setPlotter(state, 'bladebit-cuda');
  else if ((match = /^ Output path\s*: (.+)$/.exec(line))) state.info.destDir = normalizeDir(match[1]);
  else if ((match = /^ Thread count\s*: (\d+)$/.exec(line))) state.info.threads = Number(match[1]);
  else if ((match = /^ Bucket count\s*: (\d+)$/.exec(line))) state.info.buckets = Number(match[1]);
  else if ((match = /^ Temp[12] path\s*: (.+)$/.exec(line))) addTempDir(state, normalizeDir(match[1]));
  else return false;
  return true;
}
