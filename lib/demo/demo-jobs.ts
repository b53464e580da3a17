import fs from 'node:fs';
import path from 'node:path';
import { setValue } from '../config/write-value.js';
import { jobPaths } from '../jobs/job-config.js';
import type { Sandbox } from './make-sandbox.js';

/**
 * The demo's jobs. The first two as the worked example of docs/jobs.md has them on a real box: `nvme` plots with
 * chiapos on its own temp dirs into farm1, two at a time; `ram` plots with madmax on a temp dir of
 * its own (a RAM disk on a real box) into farm2, one at a time, staggered by its plot_gap. The third,
 * `pos2`, makes pos2 groups onto any disk: the migration the summary ends with.
 */
export const DEMO_JOBS: Record<string, Record<string, string>> = {
  nvme: { plotter: 'chia', threads: '4', dest_farms: 'farm1', max_plots: '2' },
  ram: { plotter: 'madmax', threads: '8', dest_farms: 'farm2', max_plots: '1', plot_gap: '4' },
  // pos2 groups of 2 k28 plots through chia's proposed `plots create2` (the default template)
  pos2: {
    plotter: 'chia-v2',
    k: '28',
    group_size: '2',
    strength: '2',
    dest_farms: 'farm1 farm2',
    max_plots: '1',
    plot_gap: '0',
  },
};

export function addDemoJobs(sandbox: Sandbox): string[] {
  const lines: string[] = [];
  for (const [job, values] of Object.entries(DEMO_JOBS)) {
    const tempRoot = `${sandbox.tempRoot}_${job}`;
    for (const temp of job === 'nvme' ? ['1', '2'] : ['1'])
      fs.mkdirSync(path.join(tempRoot, temp), { recursive: true });
    const jobHome = jobPaths(sandbox.paths, job);
    fs.mkdirSync(jobHome.configDir, { recursive: true });
    for (const [name, value] of Object.entries({ ...values, temp_root: tempRoot })) {
      const result = setValue(jobHome, name, value);
      if (!result.ok) throw new Error(result.message);
    }
    lines.push(
      `  job ${job}: ${Object.entries(values)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}, temp_root ${tempRoot}`,
    );
  }
  return lines;
}
