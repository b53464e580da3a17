/**
 * The eligible-plots line in its well-formed shapes, read with character codes instead of a regex:
 * a standalone harvester's log is almost all such lines, and a regex with its match arrays and
 * substrings costs several times more per line. Anything unusual returns null and goes to the regex
 * parser, which also explains what is wrong, so this only has to be right, never complete.
 */

import type { ChallengeLine } from './parse-harvester-line.js';

const SPACE = 32;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
/** More digits than this are not a count chia writes; the regex parser decides about those. */
const MAX_DIGITS = 15;

/** `at` is where ` plots were eligible for farming ` starts; `after` is just past it. */
export function parseChallengeFast(line: string, at: number, after: number, loggedAt: string | null): ChallengeLine | null {
  let start = at;
  while (start > 0 && isDigit(line.charCodeAt(start - 1))) start--;
  if (start === at || at - start > MAX_DIGITS) return null;
  const before = start > 0 ? line.charCodeAt(start - 1) : SPACE;
  if (before !== SPACE && before !== DOT) return null;
  const eligiblePlots = toWhole(line, start, at);

  let p: number;
  if (line.startsWith('challengeFound ', after)) p = after + 15;
  else {
    const found = line.indexOf('... Found ', after);
    if (found < 0 || line.lastIndexOf(' ', found) >= after) return null;
    p = found + 10;
  }
  const proofsEnd = wholeEnd(line, p);
  if (proofsEnd < 0) return null;
  const proofs = toWhole(line, p, proofsEnd);
  let v2Qualities = 0;
  if (line.startsWith(' V1 proofs and ', proofsEnd)) {
    const v2Start = proofsEnd + 15;
    const v2End = wholeEnd(line, v2Start);
    if (v2End < 0 || !line.startsWith(' V2 qualities. Time: ', v2End)) return null;
    v2Qualities = toWhole(line, v2Start, v2End);
    p = v2End + 21;
  } else if (line.startsWith(' proofs. Time: ', proofsEnd)) p = proofsEnd + 15;
  else return null;

  const timeEnd = decimalEnd(line, p);
  if (timeEnd < 0 || !line.startsWith(' s. Total ', timeEnd)) return null;
  const lookupSeconds = Number(line.slice(p, timeEnd));
  const totalStart = timeEnd + 10;
  const totalEnd = wholeEnd(line, totalStart);
  if (totalEnd < 0 || !line.startsWith(' plots', totalEnd)) return null;
  return { kind: 'challenge', eligiblePlots, proofs, v2Qualities, lookupSeconds, totalPlots: toWhole(line, totalStart, totalEnd), loggedAt };
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

/** End of the digits starting at `start`, or -1 if there are none (or too many). */
function wholeEnd(line: string, start: number): number {
  let end = start;
  while (end < line.length && isDigit(line.charCodeAt(end))) end++;
  return end === start || end - start > MAX_DIGITS ? -1 : end;
}

/** End of `digits[.digits]` starting at `start`, or -1. */
function decimalEnd(line: string, start: number): number {
  let end = wholeEnd(line, start);
  if (end < 0) return -1;
  if (line.charCodeAt(end) === DOT) {
    const fractionEnd = wholeEnd(line, end + 1);
    if (fractionEnd < 0) return -1;
    end = fractionEnd;
  }
  return end;
}

function toWhole(line: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + line.charCodeAt(i) - ZERO;
  return value;
}
