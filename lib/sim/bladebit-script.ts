import path from 'node:path';
import { cudaSteps } from './bladebit-cuda-steps.js';
import { diskSteps } from './bladebit-disk-steps.js';
import { ramSteps } from './bladebit-ram-steps.js';
import { chiaProgress } from './madmax-script.js';
import type { SimScript } from './sim-script.js';
import type { SimContext, SimRequest } from './sim-request.js';

/** chia/plotters/bladebit.py progress keys (ram: bladebit 1 lines, disk: bladebit 2 lines). */
const RAM_PROGRESS: Record<string, number> = {
  'Finished F1 sort': 0.01,
  ...Object.fromEntries(
    [2, 3, 4, 5, 6, 7].map((t, i) => [
      `Finished forward propagating table ${t}`,
      [0.06, 0.12, 0.2, 0.28, 0.36, 0.42][i],
    ]),
  ),
  ...Object.fromEntries(
    [6, 5, 4, 3, 2].map((t, i) => [`Finished prunning table ${t}`, [0.43, 0.48, 0.51, 0.55, 0.58][i]]),
  ),
  ...Object.fromEntries(
    [1, 2, 3, 4, 5, 6].map((t, i) => [
      `Finished compressing tables ${t} and ${t + 1}`,
      [0.66, 0.73, 0.79, 0.85, 0.92, 0.98][i],
    ]),
  ),
};
const DISK_PROGRESS: Record<string, number> = {
  'Finished f1 generation in ': 0.01,
  ...Object.fromEntries(
    [2, 3, 4, 5, 6, 7].map((t, i) => [`Completed table ${t} in `, [0.06, 0.12, 0.2, 0.28, 0.36, 0.42][i]]),
  ),
  ...Object.fromEntries(
    [6, 5, 4, 3, 2].map((t, i) => [`Finished marking table ${t} in `, [0.43, 0.48, 0.51, 0.55, 0.58][i]]),
  ),
  ...Object.fromEntries(
    [1, 2, 3, 4, 5, 6].map((t, i) => [
      `Finished compressing tables ${t} and ${t + 1} in `,
      [0.66, 0.73, 0.79, 0.85, 0.92, 0.98][i],
    ]),
  ),
  'Finished writing plot ': 0.99,
};

/** bladebit's ram, disk and cuda plots (FORMATS.md §3); the plot is written as `<out>/<name>.plot.tmp`. */
export function bladebitScript(req: SimRequest, ctx: SimContext): SimScript {
  const plotTemp = path.join(req.destDir, `${ctx.name}.plot.tmp`);
  const finalPlot = path.join(req.destDir, `${ctx.name}.plot`);
  const build = { 'bladebit-ram': ramSteps, 'bladebit-disk': diskSteps, 'bladebit-cuda': cudaSteps }[
    req.format as 'bladebit-ram'
  ];
  const progress = { 'bladebit-ram': RAM_PROGRESS, 'bladebit-disk': DISK_PROGRESS }[req.format as 'bladebit-ram'];
  const weights = { 'bladebit-ram': [54, 8, 35, 3], 'bladebit-disk': [45, 9, 46], 'bladebit-cuda': [50, 10, 40] }[
    req.format as 'bladebit-ram'
  ];
  return {
    steps: build(req, ctx, plotTemp, finalPlot),
    phaseWeights: weights,
    failure: (phase) => {
      const lines = [
        'Fatal Error:',
        `  simulated plotter failure at the start of phase ${phase} (SIMPLOTTER_FAIL_PHASE=${phase})`,
      ];
      return req.viaChia ? { stdout: lines.map((l) => `STDERR: ${l}`), stderr: [] } : { stdout: [], stderr: lines };
    },
    afterLine: req.viaChia && progress ? chiaProgress(progress) : undefined,
  };
}
