import fs from 'node:fs';

/**
 * A harvester line as chia 2.5.7 writes it (local time) for a challenge answered now, so the demo
 * and the end-to-end test can feed harvesterlog without a running chia.
 */
export function harvesterLine(now: Date, n: number, totalPlots = 720): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`;
  const eligible = n % 4;
  const lookup = (0.05 + (n % 7) * 0.4).toFixed(5);
  return `${stamp} 2.5.7 harvester chia.harvester.harvester: INFO     challenge_hash: ${(0x93c0ad51fe + n).toString(16)} ...${eligible} plots were eligible for farming challengeFound ${n % 5 === 0 ? 1 : 0} V1 proofs and 0 V2 qualities. Time: ${lookup} s. Total ${totalPlots} plots\n`;
}

/** Appends a challenge line to `logFile` every `everyMs`; returns the function that stops it. */
export function simulateHarvester(logFile: string, everyMs: number, now: () => Date = () => new Date()): () => void {
  let n = 0;
  const timer = setInterval(() => fs.appendFileSync(logFile, harvesterLine(now(), n++)), everyMs);
  return () => clearInterval(timer);
}
