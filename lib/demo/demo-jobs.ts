import fs from 'node:fs';
import path from 'node:path';
import { setValue } from '../config/write-value.js';
import { jobPaths } from '../jobs/job-config.js';
import type { Sandbox } from './make-sandbox.js';

/**
 * The demo's job: a farm migrating to proof of space v2. `pos2` makes pos2 groups of 2 k28 plots
 * through chia's proposed `plots create2` onto any disk, up to 3 groups at
 * once; every disk is full of pos1 plots, so each group makes its room as its plots land by
 * removing pos1 plots (replot on, rule `pos=1`, docs/replot.md).
 */
export const DEMO_JOBS: Record<string, Record<string, string>> = {
  pos2: {
    plotter: 'chia-v2',
    k: '28',
    group_size: '2',
    strength: '2',
    dest_farms: 'farm1 farm2',
    max_plots: '3',
    plot_gap: '0',
    replot: 'on',
    replot_match: 'pos=1',
    // the default template with the meta group goplot chooses: two groups landing on one disk
    // at once are told apart by it (and kept 16 apart, CHIP-49)
    plot_command_v2:
      '{chia_bin} plots create2 --strength {strength} -n {count} --meta-group {meta_group} -d {dest} -f {farmer_key} -p {pool_key} -c {pool_contract}',
  },
};

export function addDemoJobs(sandbox: Sandbox): string[] {
  const lines: string[] = [];
  for (const [job, values] of Object.entries(DEMO_JOBS)) {
    const tempRoot = `${sandbox.tempRoot}_${job}`;
    for (const temp of ['1', '2']) fs.mkdirSync(path.join(tempRoot, temp), { recursive: true });
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
