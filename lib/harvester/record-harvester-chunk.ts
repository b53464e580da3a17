import type { HarvesterMetrics } from './harvester-metrics.js';
import { parseHarvesterLine, readLoggedAt } from './parse-harvester-line.js';
import { lineStartBefore, scanHarvesterLines } from './scan-harvester-lines.js';

/**
 * Counts every harvester line of `chunk` (whole lines, as the follower delivers them) in `metrics`.
 * Well-formed eligible-plots lines are read from the bytes and never decoded; every other harvester
 * line is decoded and parsed as text. `onUnparsed` gets each masked or garbled line (latin1 text).
 */
export function recordHarvesterChunk(
  chunk: Buffer,
  metrics: HarvesterMetrics,
  arrivalMs: number,
  onUnparsed?: (reason: string, text: string) => void,
): void {
  // Only the last eligible line's date is kept, so it is decoded once per chunk, not once per line.
  let lastKeywordReadFromBytes = -1;
  scanHarvesterLines(
    chunk,
    (text) => {
      const line = parseHarvesterLine(text);
      if (!line) return;
      metrics.record(line, arrivalMs);
      if (line.kind === 'challenge') lastKeywordReadFromBytes = -1;
      else if (line.kind === 'unparsed') onUnparsed?.(line.reason, text);
    },
    (counts, keywordAt) => {
      metrics.recordChallenge(counts, arrivalMs, null);
      lastKeywordReadFromBytes = keywordAt;
    },
  );
  if (lastKeywordReadFromBytes >= 0) {
    metrics.lastChallengeLoggedAt = readLoggedAt(
      chunk.toString('latin1', lineStartBefore(chunk, lastKeywordReadFromBytes), lastKeywordReadFromBytes),
    );
  }
}
