import { HARVESTER_KEYWORDS } from './parse-harvester-line.js';

const NEWLINE = 0x0a;
const KEYWORD_BYTES = HARVESTER_KEYWORDS.map((keyword) => Buffer.from(keyword, 'latin1'));

/**
 * Calls `onLine` with each line of `chunk` (whole lines, as the follower delivers them) that holds a
 * harvester keyword, in file order, each line once. The text is latin1: one character per byte,
 * which is all the parser needs (the values are ASCII) and the cheapest decoding; a caller that
 * shows the line to a person restores it with `toUtf8(text)`.
 *
 * A busy full node writes far more lines than the harvester, so decoding every line would cost most
 * of the time: this searches the raw bytes for the keywords (Buffer.indexOf skips ahead on long
 * keywords, near grep's speed) and decodes only the lines that hold one.
 */
export function scanHarvesterLines(chunk: Buffer, onLine: (line: string) => void): void {
  const next = KEYWORD_BYTES.map((keyword) => chunk.indexOf(keyword));
  let from = 0;
  for (;;) {
    let hit = -1;
    for (const position of next) if (position >= 0 && (hit < 0 || position < hit)) hit = position;
    if (hit < 0) return;
    const start = hit === 0 ? 0 : chunk.lastIndexOf(NEWLINE, hit - 1) + 1;
    const newline = chunk.indexOf(NEWLINE, hit);
    const end = newline < 0 ? chunk.length : newline;
    const textEnd = end > start && chunk[end - 1] === 0x0d ? end - 1 : end;
    onLine(chunk.toString('latin1', start, textEnd));
    from = end + 1;
    if (from >= chunk.length) return;
    // Keywords found inside the line just handled must not hand it over a second time.
    for (let i = 0; i < next.length; i++) {
      if (next[i] >= 0 && next[i] < from) next[i] = chunk.indexOf(KEYWORD_BYTES[i], from);
    }
  }
}

/** The line as the person who wrote it would read it (UTF-8), from the scanner's latin1 text. */
export function toUtf8(latin1Text: string): string {
  return Buffer.from(latin1Text, 'latin1').toString('utf8');
}
