import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../util/error-message.js';

/**
 * getfarm.prom older than this is not the chain now: the farm collector runs every minute, so
 * 3 minutes lets two runs be late (a slow `chia show -s`) before chia is asked again.
 */
export const GETFARM_HEIGHT_MAX_AGE_MS = 3 * 60_000;

/** The farm collector's metric for the full node's peak (farm-registry.ts, rpc-farm-metrics.ts). */
const PEAK_METRIC = 'farm_fullnode_peak_height';

export type GetfarmHeight = { height: number; where: string } | { problem: string };

/**
 * The full node's peak as the farm collector last wrote it to `<promDir>/getfarm.prom`, when that
 * file is fresh by its mtime against nowMs and says the run worked. A run that failed drops the
 * peak from the file (it is one of getfarm's status metrics), so a fresh file with a peak is a
 * height chia gave at most maxAgeMs ago. Any doubt is a problem, never a guess: the caller then
 * asks chia itself.
 */
export function readGetfarmHeight(promDir: string, nowMs: number, maxAgeMs = GETFARM_HEIGHT_MAX_AGE_MS): GetfarmHeight {
  const file = path.join(promDir, 'getfarm.prom');
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { problem: `no farm collector height: cannot read ${file}: ${errorMessage(error)}` };
  }
  const ageMs = nowMs - mtimeMs;
  // a file from the future is a clock that moved: its age says nothing
  if (ageMs > maxAgeMs || ageMs < -maxAgeMs)
    return {
      problem: `no farm collector height: ${file} was written ${Math.round(ageMs / 1000)} s ago, not within ${maxAgeMs / 1000} s`,
    };
  if (!/^getfarm_collector_success 1$/m.test(text))
    return { problem: `no farm collector height: ${file} does not say getfarm_collector_success 1` };
  const samples = [...text.matchAll(new RegExp(`^${PEAK_METRIC}(?=[\\s{])(.*)$`, 'gm'))].map((match) => match[1]!);
  if (samples.length !== 1)
    return { problem: `no farm collector height: ${file} has ${samples.length} ${PEAK_METRIC} samples, not 1` };
  const value = /^ (\d{1,15})$/.exec(samples[0]!)?.[1];
  if (value === undefined)
    return { problem: `no farm collector height: ${file}: ${PEAK_METRIC}${samples[0]} is not a height` };
  return { height: Number(value), where: `${file}, written ${Math.max(0, Math.round(ageMs / 1000))} s ago` };
}
