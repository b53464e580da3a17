// chiapos (`chia plots create`, the chia GUI's plotter_log_<uuid>.txt) lines.
// Progress comes from table counters and `Bucket i` of the bucket count in the header, never
// from line counts: a 128-bucket log has ~2630 lines, a 16- or 256-bucket log a very different number.
import { buildPlotName, dirnameOf, findPlotName, normalizeDir, parseCtime, unescapeQuotedPath } from './plot-paths.js';
import { addTempDir, advance, advanceWithin, finishPhase, markFinished, type PlotState } from './plot-state.js';
import type { PlotContext } from './plot-context.js';

const DEFAULT_BUCKETS = 128;

/**
 * Phase 1 computes 7 tables: F1 (table 1) takes 2-5 % of the phase, tables 2-7 share the rest
 * about equally (each has exactly `buckets` bucket lines).
 */
const P1_TABLE_ONE = 0.04;
const P1_TABLE_REST = (1 - P1_TABLE_ONE) / 6;
function phaseOneStart(table: number): number {
  return table <= 1 ? 0 : P1_TABLE_ONE + (table - 2) * P1_TABLE_REST;
}
function phaseOneShare(table: number): number {
  return table <= 1 ? P1_TABLE_ONE : P1_TABLE_REST;
}

/** Phase 4 writes C1/C3 through one pass over the buckets (most of its time), then C2 and pointers. */
const P4_BUCKETS_END = 0.8;

const HEADER_PATTERNS: [RegExp, (state: PlotState, match: RegExpExecArray) => void][] = [
  [/^ID: ([0-9a-f]{64})$/, (s, m) => (s.info.plotId = m[1])],
  [/^Plot size is: (\d+)$/, (s, m) => (s.info.k = Number(m[1]))],
  [/^Using (\d+) buckets$/, (s, m) => (s.info.buckets = Number(m[1]))],
  [/^Using (\d+) threads of stripe size \d+$/, (s, m) => (s.info.threads = Number(m[1]))],
  [/^Final Directory is: (.+)$/, (s, m) => (s.info.destDir = normalizeDir(m[1]))],
];

/**
 * `\tBucket i uniform sort.` / `\tBucket i QS.`: the hot path (most lines of a chiapos log, millions
 * in a big analyze), so the parser reads `i` in place and calls this without making a line string.
 */
export function handleChiaposBucket(state: PlotState, bucket: number): void {
  const { phase } = state.info;
  if (phase !== 1 && phase !== 3 && phase !== 4) return;
  const fraction = Number.isFinite(bucket) ? Math.min(1, (bucket + 1) / (state.info.buckets ?? DEFAULT_BUCKETS)) : 0;
  if (phase === 1) {
    const table = state.marks.table ?? 1;
    advanceWithin(state, 1, phaseOneStart(table) + phaseOneShare(table) * fraction);
  } else if (phase === 3) {
    // Each table pair sorts in two passes; the first pass may stop short of the last bucket.
    const pair = state.marks.pair ?? 0;
    const pass = state.marks.pass ?? 1;
    advanceWithin(state, 3, (pair + (pass - 1) * 0.5 + 0.5 * fraction) / 6);
  } else if (phase === 4) {
    advanceWithin(state, 4, P4_BUCKETS_END * fraction);
  }
}

export function handleChiaposLine(line: string, context: PlotContext): boolean {
  let state = context.plot;
  if (line.startsWith('\tBucket ')) {
    handleChiaposBucket(state, Number.parseInt(line.slice(8), 10));
    return true;
  }
  let match: RegExpExecArray | null;
  if ((match = /^Starting plotting progress into temporary dirs: (.+) and (.+)$/.exec(line))) {
    // `--num N` runs N plots in one log, each with its own header.
    if (state.info.phase > 0 || state.info.plotId !== null) state = context.startPlot();
    addTempDir(state, normalizeDir(match[1]));
    addTempDir(state, normalizeDir(match[2]));
    return true;
  }
  if ((match = /Creating \d+ plots of size (\d+)/.exec(line))) {
    state.info.k ??= Number(match[1]);
    return true;
  }
  for (const [pattern, apply] of HEADER_PATTERNS) {
    if ((match = pattern.exec(line))) {
      apply(state, match);
      return true;
    }
  }
  if ((match = /^Starting phase (\d)\/4: (.*)\.\.\. (\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})$/.exec(line))) {
    const phase = Number(match[1]);
    advance(state, phase);
    const when = parseCtime(match[3]);
    if (phase === 1 && when) state.info.startedAt = when;
    const named = findPlotName(match[2]);
    if (named) state.info.plotName = named.name;
    else if (!state.info.plotName && state.info.plotId && state.info.k && state.info.startedAt) {
      state.info.plotName = buildPlotName(state.info.k, state.info.startedAt, state.info.plotId);
    }
    return true;
  }
  if ((match = /^Time for phase (\d) = (\d+(?:\.\d+)?) seconds/.exec(line))) {
    finishPhase(state, Number(match[1]), Number(match[2]));
    return true;
  }
  if ((match = /^Total time = (\d+(?:\.\d+)?) seconds/.exec(line))) {
    state.info.totalSeconds = Number(match[1]);
    return true;
  }
  if ((match = /^(Copied|Renamed) final file from "(.+)" to "(.+)"$/.exec(line))) {
    const target = unescapeQuotedPath(match[3]);
    state.info.destDir ??= dirnameOf(target);
    if (match[1] === 'Renamed') {
      state.info.finalFile = target;
      state.info.plotName ??= findPlotName(target)?.name ?? null;
      markFinished(state);
    }
    return true;
  }
  return handleTableCounters(state, line);
}

function handleTableCounters(state: PlotState, line: string): boolean {
  let match: RegExpExecArray | null;
  if ((match = /^Computing table (\d)$/.exec(line))) {
    const table = Number(match[1]);
    state.marks.table = table;
    advanceWithin(state, 1, phaseOneStart(table));
  } else if (/^(?:F1 complete, time|Forward propagation table time): /.test(line)) {
    const table = state.marks.table ?? 1;
    advanceWithin(state, 1, phaseOneStart(table) + phaseOneShare(table));
  } else if ((match = /^Backpropagating on table (\d)$/.exec(line))) {
    advanceWithin(state, 2, (7 - Number(match[1])) / 6);
  } else if ((match = /^sorting table (\d)$/.exec(line))) {
    // The scan is about a quarter of each table's backpropagation time, the sort the rest.
    advanceWithin(state, 2, (7 - Number(match[1]) + 0.25) / 6);
  } else if ((match = /^Compressing tables (\d) and \d$/.exec(line))) {
    state.marks.pair = Number(match[1]) - 1;
    state.marks.pass = 1;
    advanceWithin(state, 3, state.marks.pair / 6);
  } else if (/^\s*First computation pass time: /.test(line)) {
    state.marks.pass = 2;
    advanceWithin(state, 3, ((state.marks.pair ?? 0) + 0.5) / 6);
  } else if (/^Total compress table time: /.test(line)) {
    advanceWithin(state, 3, ((state.marks.pair ?? 0) + 1) / 6);
  } else if (/^\s*Finished writing C1 and C3 tables/.test(line)) {
    advanceWithin(state, 4, P4_BUCKETS_END);
  } else if (/^\s*Finished writing C2 table/.test(line)) {
    advanceWithin(state, 4, 0.9);
  } else if (/^\s*Final table pointers:/.test(line)) {
    advanceWithin(state, 4, 0.95);
  } else {
    return false;
  }
  return true;
}
