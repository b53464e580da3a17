/**
 * The eligible-plots line in its well-formed shapes, read from the raw bytes of the log: a
 * standalone harvester's log is almost all such lines, and decoding each one to a string, then a
 * regex with its match arrays and substrings, costs several times more than these byte checks.
 * Anything unusual returns false and the caller decodes the line for the regex parser, which also
 * explains what is wrong, so this only has to be right, never complete.
 */

/** The numbers of one eligible-plots line (see ChallengeLine for their meaning). */
export interface ChallengeCounts {
  eligiblePlots: number;
  proofs: number;
  v2Qualities: number;
  lookupSeconds: number;
  totalPlots: number;
}

const NEWLINE = 10;
const SPACE = 32;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
/** More digits than this are not a count chia writes; the regex parser decides about those. */
const MAX_DIGITS = 15;
/** `plots were eligible for farming`, the keyword the scanner found. */
export const ELIGIBLE_KEYWORD = 'plots were eligible for farming';
const KEYWORD_LENGTH = ELIGIBLE_KEYWORD.length;
const CHALLENGE_FOUND = bytesOf('challengeFound ');
const DOTS_FOUND = bytesOf('... Found ');
const V1_AND = bytesOf(' V1 proofs and ');
const V2_TIME = bytesOf(' V2 qualities. Time: ');
const PROOFS_TIME = bytesOf(' proofs. Time: ');
const SECONDS_TOTAL = bytesOf(' s. Total ');
const PLOTS = bytesOf(' plots');
/** Exact powers of ten: a decimal of at most 15 digits is its digits over one of these, rounded once like Number(). */
const POWERS_OF_TEN = Array.from({ length: MAX_DIGITS + 1 }, (_, i) => 10 ** i);

/**
 * Reads the eligible-plots line whose keyword starts at `keywordAt` in `bytes` into `out`; false
 * (and `out` in any state) when the line is not in a shape this knows. It never reads past the
 * line's newline: every byte it accepts is a digit, a dot or part of a literal without one.
 */
export function parseChallengeBytes(bytes: Uint8Array, keywordAt: number, out: ChallengeCounts): boolean {
  const at = keywordAt - 1;
  const after = keywordAt + KEYWORD_LENGTH + 1;
  if (at < 0 || bytes[at] !== SPACE || bytes[after - 1] !== SPACE) return false;
  let start = at;
  while (start > 0 && isDigit(bytes[start - 1])) start--;
  if (start === at || at - start > MAX_DIGITS) return false;
  // The count follows a space, or `...` directly (2.5.7+), or starts the line.
  const before = start > 0 ? bytes[start - 1] : SPACE;
  if (before !== SPACE && before !== DOT && before !== NEWLINE) return false;
  out.eligiblePlots = toWhole(bytes, start, at);

  let p: number;
  if (matchesAt(bytes, after, CHALLENGE_FOUND)) p = after + CHALLENGE_FOUND.length;
  else {
    // The challenge hash ends in `...` right before the first space: `c014e359c1... Found `.
    let space = after;
    while (space < bytes.length && bytes[space] !== SPACE && bytes[space] !== NEWLINE) space++;
    const found = space - 3;
    if (found < after || !matchesAt(bytes, found, DOTS_FOUND)) return false;
    p = found + DOTS_FOUND.length;
  }
  const proofsEnd = wholeEnd(bytes, p);
  if (proofsEnd < 0) return false;
  out.proofs = toWhole(bytes, p, proofsEnd);
  out.v2Qualities = 0;
  if (matchesAt(bytes, proofsEnd, V1_AND)) {
    const v2Start = proofsEnd + V1_AND.length;
    const v2End = wholeEnd(bytes, v2Start);
    if (v2End < 0 || !matchesAt(bytes, v2End, V2_TIME)) return false;
    out.v2Qualities = toWhole(bytes, v2Start, v2End);
    p = v2End + V2_TIME.length;
  } else if (matchesAt(bytes, proofsEnd, PROOFS_TIME)) p = proofsEnd + PROOFS_TIME.length;
  else return false;

  const intEnd = wholeEnd(bytes, p);
  if (intEnd < 0) return false;
  let timeEnd = intEnd;
  if (bytes[intEnd] === DOT) {
    timeEnd = wholeEnd(bytes, intEnd + 1);
    if (timeEnd < 0) return false;
  }
  if (!matchesAt(bytes, timeEnd, SECONDS_TOTAL)) return false;
  out.lookupSeconds = toDecimal(bytes, p, intEnd, timeEnd);
  const totalStart = timeEnd + SECONDS_TOTAL.length;
  const totalEnd = wholeEnd(bytes, totalStart);
  if (totalEnd < 0 || !matchesAt(bytes, totalEnd, PLOTS)) return false;
  out.totalPlots = toWhole(bytes, totalStart, totalEnd);
  return true;
}

function isDigit(code: number | undefined): boolean {
  return code !== undefined && code >= ZERO && code <= NINE;
}

/** End of the digits starting at `start`, or -1 if there are none (or too many). */
function wholeEnd(bytes: Uint8Array, start: number): number {
  let end = start;
  while (end < bytes.length && isDigit(bytes[end])) end++;
  return end === start || end - start > MAX_DIGITS ? -1 : end;
}

function toWhole(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + bytes[i] - ZERO;
  return value;
}

/**
 * `digits[.digits]` as Number() reads it: with at most 15 digits both the digits and the power of
 * ten are exact doubles, and one division rounds correctly, as Number() does. Longer ones go to Number().
 */
function toDecimal(bytes: Uint8Array, start: number, intEnd: number, end: number): number {
  if (end === intEnd) return toWhole(bytes, start, end);
  const fractionDigits = end - intEnd - 1;
  if (end - start - 1 > MAX_DIGITS)
    return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
  return (
    (toWhole(bytes, start, intEnd) * POWERS_OF_TEN[fractionDigits] + toWhole(bytes, intEnd + 1, end)) /
    POWERS_OF_TEN[fractionDigits]
  );
}

function matchesAt(bytes: Uint8Array, at: number, literal: Uint8Array): boolean {
  if (at + literal.length > bytes.length) return false;
  for (let i = 0; i < literal.length; i++) if (bytes[at + i] !== literal[i]) return false;
  return true;
}

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}
