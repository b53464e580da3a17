import { parseChallengeBytes, type ChallengeCounts } from './parse-challenge-bytes.js';
import { HARVESTER_KEYWORDS } from './parse-harvester-line.js';

const NEWLINE = 0x0a;
const KEYWORD_BYTES = HARVESTER_KEYWORDS.map((keyword) => Buffer.from(keyword, 'latin1'));
/** Index of `plots were eligible for farming` in HARVESTER_KEYWORDS. */
const ELIGIBLE = 0;

/**
 * A well-formed eligible-plots line, read from its bytes without decoding it. `counts` is one
 * object reused for every line (read it, do not keep it); `keywordAt` is where the line's keyword
 * starts in the chunk, for a caller that wants more of the line (see lineStartBefore).
 */
export type OnChallenge = (counts: ChallengeCounts, keywordAt: number) => void;

/**
 * Calls `onLine` with each line of `chunk` (whole lines, as the follower delivers them) that holds a
 * harvester keyword, in file order, each line once. The text is latin1: one character per byte,
 * which is all the parser needs (the values are ASCII) and the cheapest decoding; a caller that
 * shows the line to a person restores it with `toUtf8(text)`.
 *
 * A busy full node writes far more lines than the harvester, so decoding every line would cost most
 * of the time: this searches the raw bytes for the keywords (Buffer.indexOf skips ahead on long
 * keywords, near grep's speed) and decodes only the lines that hold one. With `onChallenge`, a
 * well-formed eligible-plots line (nearly every line of a harvester's own log) is read straight
 * from the bytes and goes there instead; any other line still goes to `onLine`.
 */
export function scanHarvesterLines(chunk: Buffer, onLine: (line: string) => void, onChallenge?: OnChallenge): void {
  const next = KEYWORD_BYTES.map((keyword) => chunk.indexOf(keyword));
  const counts: ChallengeCounts = { eligiblePlots: 0, proofs: 0, v2Qualities: 0, lookupSeconds: 0, totalPlots: 0 };
  let from = 0;
  for (;;) {
    let hit = -1;
    for (const position of next) if (position >= 0 && (hit < 0 || position < hit)) hit = position;
    if (hit < 0) return;
    let end: number;
    if (onChallenge && hit === next[ELIGIBLE] && parseChallengeBytes(chunk, hit, counts)) {
      onChallenge(counts, hit);
      end = chunk.indexOf(NEWLINE, hit);
    } else {
      const start = lineStartBefore(chunk, hit);
      end = chunk.indexOf(NEWLINE, hit);
      if (end < 0) end = chunk.length;
      const textEnd = end > start && chunk[end - 1] === 0x0d ? end - 1 : end;
      onLine(chunk.toString('latin1', start, textEnd));
    }
    if (end < 0) return;
    from = end + 1;
    if (from >= chunk.length) return;
    // Keywords found inside the line just handled must not hand it over a second time.
    for (let i = 0; i < next.length; i++) {
      if (next[i] >= 0 && next[i] < from) next[i] = chunk.indexOf(KEYWORD_BYTES[i], from);
    }
  }
}

/** Where the line holding byte `at` of `chunk` starts. */
export function lineStartBefore(chunk: Buffer, at: number): number {
  return at === 0 ? 0 : chunk.lastIndexOf(NEWLINE, at - 1) + 1;
}

/** The line as the person who wrote it would read it (UTF-8), from the scanner's latin1 text. */
export function toUtf8(latin1Text: string): string {
  return Buffer.from(latin1Text, 'latin1').toString('utf8');
}
