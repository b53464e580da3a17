import { parseChallengeBytes, type ChallengeCounts } from './parse-challenge-bytes.js';

/**
 * Parses the harvester lines of chia's debug.log, in every format chia has written:
 *
 *   1.0 (no date, `src.` logger, space before the colon):
 *     09:55:43.847 harvester src.harvester.harvester : INFO     1 plots were eligible for farming 2d8b1c58a0... Found 0 proofs. Time: 0.13772 s. Total 100 plots
 *   1.x / 2.x (ISO date, later a version token after it):
 *     2024-10-31T07:46:53.981 2.4.4 harvester chia.harvester.harvester: INFO     13 plots were eligible for farming c014e359c1... Found 0 proofs. Time: 1.72367 s. Total 3135 plots
 *   2.5.7+ (challenge hash first, V1 proofs and V2 qualities):
 *     … INFO     challenge_hash: 21124e0338 ...0 plots were eligible for farming challengeFound 0 V1 proofs and 0 V2 qualities. Time: 0.01310 s. Total 36 plots
 *
 * The parser keys on the message, not on the prefix, so new prefix tokens do not break it.
 * A line that carries a harvester keyword but not a number where one belongs (users mask values
 * with X when they paste logs; a crash can leave half a line) is returned as `unparsed` with a reason.
 */

export interface ChallengeLine extends ChallengeCounts {
  kind: 'challenge';
  /** V1 proofs (all proofs before 2.5.7): what goplot exported as proofs found. */
  proofs: number;
  /** 2.5.7+: qualities found in V2 plots (the farmer asks for their proofs later). 0 before. */
  v2Qualities: number;
  /** The line's own date-time text when it has a date (1.0 lines have only a time of day). */
  loggedAt: string | null;
}

/** chia's WARNING for one plot whose quality lookup took too long. */
export interface SlowPlotLookupLine {
  kind: 'slow-plot-lookup';
  seconds: number;
  loggedAt: string | null;
}

/** `_plot_refresh_callback: event …, total plots: N`: the plot count between challenges. */
export interface PlotRefreshLine {
  kind: 'plot-refresh';
  totalPlots: number;
  loggedAt: string | null;
}

export interface UnparsedLine {
  kind: 'unparsed';
  reason: string;
}

export type HarvesterLine = ChallengeLine | SlowPlotLookupLine | PlotRefreshLine | UnparsedLine;

/**
 * Text that marks a line worth parsing; the scanner searches raw bytes for these. Long keywords
 * that end in a letter let the search skip ahead quickly (a keyword ending in a space is 2x slower).
 */
export const HARVESTER_KEYWORDS = [
  'plots were eligible for farming',
  'Looking up qualities on',
  '_plot_refresh_callback',
] as const;

const DATED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s/;
const ELIGIBLE = ' plots were eligible for farming ';
// Matched from just after ELIGIBLE (sticky), so the engine never tries every start position of the line.
const CHALLENGE_REST =
  /(?:challenge|\S*? ?)Found (\S+) (?:V1 )?proofs(?: and (\S+) V2 qualities)?\. Time: (\S+) s\. Total (\S+) plots/y;
const SLOW_LOOKUP = /Looking up qualities on .* took: (\S+?)\.?(?:\s|$)/;
const PLOT_REFRESH = /_plot_refresh_callback: .*total plots: (\S+)/;

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function parseHarvesterLine(line: string): HarvesterLine | null {
  const keyword = line.indexOf(HARVESTER_KEYWORDS[0]);
  if (keyword >= 0) {
    // The scanner reads well-formed lines from bytes; a line it hands over as text, or a caller's
    // own line, is read the same way first, so both paths agree.
    const counts = { eligiblePlots: 0, proofs: 0, v2Qualities: 0, lookupSeconds: 0, totalPlots: 0 };
    if (parseChallengeBytes(Buffer.from(line, 'latin1'), keyword, counts))
      return { kind: 'challenge', ...counts, loggedAt: readLoggedAt(line) };
    return parseChallenge(line);
  }
  if (line.includes(HARVESTER_KEYWORDS[1])) {
    const match = SLOW_LOOKUP.exec(line);
    if (!match) return unparsed('a "Looking up qualities" line without "took: <seconds>"');
    if (!DECIMAL.test(match[1])) return unparsed(`lookup time ${quote(match[1])} is not a number`);
    return { kind: 'slow-plot-lookup', seconds: Number(match[1]), loggedAt: readLoggedAt(line) };
  }
  if (line.includes(HARVESTER_KEYWORDS[2])) {
    const match = PLOT_REFRESH.exec(line);
    if (!match) return null;
    if (!WHOLE.test(match[1])) return unparsed(`total plots ${quote(match[1])} is not a number`);
    return { kind: 'plot-refresh', totalPlots: Number(match[1]), loggedAt: readLoggedAt(line) };
  }
  return null;
}

function parseChallenge(line: string): ChallengeLine | UnparsedLine {
  const at = line.indexOf(ELIGIBLE);
  CHALLENGE_REST.lastIndex = at + ELIGIBLE.length;
  const match = at > 0 ? CHALLENGE_REST.exec(line) : null;
  if (!match) return unparsed('an eligible-plots line in no known format');
  // The count follows a space, or `...` directly (2.5.7+).
  const eligible = line.slice(Math.max(line.lastIndexOf(' ', at - 1), line.lastIndexOf('.', at - 1)) + 1, at);
  const [, proofs, v2Qualities, time, total] = match;
  const problem =
    (!WHOLE.test(eligible) && `eligible count ${quote(eligible)} is not a number`) ||
    (!WHOLE.test(proofs) && `proof count ${quote(proofs)} is not a number`) ||
    (v2Qualities !== undefined &&
      !WHOLE.test(v2Qualities) &&
      `V2 quality count ${quote(v2Qualities)} is not a number`) ||
    (!DECIMAL.test(time) && `lookup time ${quote(time)} is not a number`) ||
    (!WHOLE.test(total) && `total plots ${quote(total)} is not a number`);
  if (problem) return unparsed(problem);
  return {
    kind: 'challenge',
    eligiblePlots: Number(eligible),
    proofs: Number(proofs),
    v2Qualities: v2Qualities === undefined ? 0 : Number(v2Qualities),
    lookupSeconds: Number(time),
    totalPlots: Number(total),
    loggedAt: readLoggedAt(line),
  };
}

/** The line's own date-time text, null when it has none (1.0 lines have only a time of day). */
export function readLoggedAt(line: string): string | null {
  // Most lines have no date (1.0) or a date in this place: the regex only checks the candidates.
  return line.charCodeAt(4) === 45 ? (DATED.exec(line)?.[1] ?? null) : null;
}

/**
 * The line's date as Unix milliseconds, read as local time like chia writes it (or with its
 * offset when it has one); null for time-only or impossible dates.
 */
export function readLoggedAtMs(loggedAt: string | null): number | null {
  if (loggedAt === null) return null;
  const ms = Date.parse(loggedAt);
  return Number.isFinite(ms) ? ms : null;
}

function unparsed(reason: string): UnparsedLine {
  return { kind: 'unparsed', reason };
}

function quote(token: string): string {
  return JSON.stringify(token.length > 40 ? `${token.slice(0, 40)}…` : token);
}
