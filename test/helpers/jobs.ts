import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '../../lib/config/config-reader.js';
import { DEFAULT_JOB } from '../../lib/jobs/home-jobs.js';
import { readHomeRunningPlots } from '../../lib/farm/plot-scope.js';
import type { HomePlot as RunningPlot } from '../../lib/farm/plot-scope.js';
import type { TempHome } from './temp-home.js';

/** Makes config/jobs/<job>/ with its values, as `mkdir` and `echo` would; a temp_root given is made with its dirs. */
export function makeJob(
  home: TempHome,
  job: string,
  values: Record<string, string | number>,
  tempDirs: string[] = [],
): string {
  const dir = path.join(home.configDir, 'jobs', job);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(values)) fs.writeFileSync(path.join(dir, `${name}.goplot`), `${value}\n`);
  if (typeof values.temp_root === 'string')
    for (const name of tempDirs) fs.mkdirSync(path.join(values.temp_root, name), { recursive: true });
  return dir;
}

export interface TimelineSample {
  atMs: number;
  plots: RunningPlot[];
}

/**
 * Polls the process table every `everyMs` until stopped and keeps every sample: a limit is shown
 * to hold at every instant the test saw, not only at its end.
 */
export function recordTimeline(home: TempHome, everyMs = 40): { samples: TimelineSample[]; stop: () => void } {
  const samples: TimelineSample[] = [];
  const config = new ConfigReader(home, () => {}, {});
  const timer = setInterval(() => samples.push({ atMs: Date.now(), plots: readHomeRunningPlots(config) }), everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

export function countByJob(plots: RunningPlot[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const plot of plots) counts[plot.job ?? DEFAULT_JOB] = (counts[plot.job ?? DEFAULT_JOB] ?? 0) + 1;
  return counts;
}
