import path from 'node:path';
import { chiaProgress } from './madmax-script.js';
import { secs, type LineClock, type SimScript, type SimStep } from './sim-script.js';
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

type Line = (text: string | ((clock: LineClock) => string)) => SimStep;
const line: Line = (text) => ({ kind: 'line', text });

function globalConfig(req: SimRequest): SimStep[] {
  return [
    line('[Global Plotting Config]'),
    line(' Will create 1 plots.'),
    line(` Thread count          : ${req.threads}`),
    line(' Warm start enabled    : false'),
    line(' NUMA disabled         : false'),
    line(' CPU affinity disabled : false'),
    line(` Farmer public key     : ${req.farmerKey}`),
    line(req.poolContract ? ` Pool contract address : ${req.poolContract}` : ` Pool public key       : ${req.poolKey}`),
    ...(req.compression > 0 ? [line(` Compression Level     : ${req.compression}`)] : []),
    line(' Benchmark mode        : disabled'),
    line(` Output path           : ${req.destDir}`),
    line(''),
  ];
}

const BANNER = [
  line('Bladebit Chia Plotter'),
  line('Version      : 3.1.0'),
  line('Git Commit   : e9836f8bd963321457bc86eb5d61344bfb76dcf0'),
  line('Compiled With: gcc 11.4.0'),
  line(''),
];

/** bladebit ramplot: 4 phases, the 1.x/2.x RAM log lines (FORMATS.md §3, fixture bladebit.plot.log). */
function ramSteps(req: SimRequest, ctx: SimContext, plotTemp: string, finalPlot: string): SimStep[] {
  const steps: SimStep[] = [
    ...BANNER,
    ...globalConfig(req),
    line('System Memory: 348/503 GiB.'),
    line('Memory required: 416 GiB.'),
    line('Allocating buffers.'),
  ];
  steps.push(
    line(`Generating plot 1 / 1: ${ctx.id}`),
    line(''),
    { kind: 'phase', phase: 1 },
    line('Running Phase 1'),
    line('Generating F1...'),
  );
  steps.push(
    line((c) => `Finished F1 generation in ${secs(c.sinceMark, 2)} seconds.`),
    line('Sorting F1...'),
    line((c) => `Finished F1 sort in ${secs(c.sinceMark, 2)} seconds.`),
  );
  for (let t = 2; t <= 7; t++) {
    steps.push(
      { kind: 'mark' },
      line(`Forward propagating to table ${t}...`),
      line('  Pairing L/R groups...'),
      line('  Computing Fx...'),
    );
    steps.push(line((c) => `Finished forward propagating table ${t} in ${secs(c.sinceMark, 2)} seconds.`));
  }
  steps.push(
    line((c) => `Finished Phase 1 in ${secs(c.sincePhase, 2)} seconds.`),
    { kind: 'phase', phase: 2 },
    line('Running Phase 2'),
  );
  for (let t = 6; t >= 2; t--) {
    steps.push(
      { kind: 'mark' },
      line(`  Prunning table ${t}...`),
      line((c) => `  Finished prunning table ${t} in ${secs(c.sinceMark, 2)} seconds.`),
    );
  }
  steps.push(
    line((c) => `Finished Phase 2 in ${secs(c.sincePhase, 2)} seconds.`),
    { kind: 'phase', phase: 3 },
    line('Running Phase 3'),
  );
  for (let t = 1; t <= 6; t++) {
    steps.push(
      { kind: 'mark' },
      line(`  Compressing tables ${t} and ${t + 1}...`),
      line((c) => `  Finished compressing tables ${t} and ${t + 1} in ${secs(c.sinceMark, 2)} seconds`),
    );
    steps.push(line(`  Table ${t} now has 3429423491 / 4294962218 entries ( 79.85% ).`));
  }
  steps.push(
    line((c) => `Finished Phase 3 in ${secs(c.sincePhase, 2)} seconds.`),
    { kind: 'phase', phase: 4 },
    line('Running Phase 4'),
  );
  for (const table of ['P7', 'C1 table', 'C2 table', 'C3 table']) {
    steps.push(
      { kind: 'mark' },
      line(`  Writing ${table}.`),
      line((c) => `  Finished writing ${table} in ${secs(c.sinceMark, 2)} seconds.`),
    );
  }
  steps.push(
    line((c) => `Finished Phase 4 in ${secs(c.sincePhase, 2)} seconds.`),
    { kind: 'end' },
    { kind: 'mark' },
    line('Writing final plot tables to disk'),
  );
  steps.push(
    { kind: 'create', files: [plotTemp], bytes: ctx.finalBytes, header: ctx.header },
    line(''),
    line(`Plot ${finalPlot} finished writing to disk:`),
  );
  steps.push(line('  Table 1 pointer  :             4096 ( 0x0000000000001000 )'), line(''));
  steps.push(
    line((c) => `Finished writing tables to disk in ${secs(c.sinceMark, 2)} seconds.`),
    { kind: 'move', from: plotTemp, to: finalPlot },
  );
  steps.push(
    line((c) => `Finished plotting in ${secs(c.sinceStart, 2)} seconds (${secs(c.sinceStart / 60, 2)} minutes).`),
  );
  return steps;
}

/** bladebit diskplot: 3 phases (fixture bladebit2disk.plot.log), temp files `<set>_<bucket>.tmp`. */
function diskSteps(req: SimRequest, ctx: SimContext, plotTemp: string, finalPlot: string): SimStep[] {
  const tempFiles = [
    ...['fx', 'y0', 'meta0'].map((set) => path.join(req.tempDir, `${set}_0.tmp`)),
    path.join(req.temp2Dir, 'map_0.tmp'),
  ];
  const minutes = (s: number): string => (s / 60).toFixed(1);
  const steps: SimStep[] = [
    line('[Bladebit Disk Plotter]'),
    line(' Heap size      : 3.97 GiB ( 4062.88 MiB )'),
    line(' Cache size     : 0.00 GiB ( 0.00 MiB )'),
    line(` Bucket count   : ${req.buckets}`),
    ...['F1 ', 'FP ', 'C  ', 'P2 ', 'P3 '].map((p) => line(` ${p} threads    : ${req.threads}`)),
    line(' I/O threads    : 1'),
    line(' Temp1 block sz : 4096'),
    line(' Temp2 block sz : 4096'),
    line(` Temp1 path     : ${req.tempDir}`),
    line(` Temp2 path     : ${req.temp2Dir}`),
    line(' Allocating memory'),
    line(''),
    ...globalConfig(req),
    line(`Generating plot 1 / 1: ${ctx.id}`),
    line(''),
    line('Started plot.'),
    { kind: 'phase', phase: 1 },
    { kind: 'create', files: tempFiles, bytes: ctx.tempBytes },
    { kind: 'create', files: [plotTemp], bytes: ctx.tempBytes, header: ctx.header },
    line('Running Phase 1'),
    line('Generating f1...'),
    line((c) => `Finished f1 generation in ${secs(c.sinceMark, 2)} seconds.`),
    line('Table 1 I/O wait time: 0.00 seconds.'),
  ];
  for (let t = 2; t <= 7; t++) {
    steps.push(
      { kind: 'mark' },
      line(`Table ${t}`),
      line((c) => `Completed table ${t} in ${secs(c.sinceMark, 2)} seconds with ${4294924903 - t * 38000} entries.`),
    );
    steps.push(line(`Table ${t} I/O wait time: 0.01 seconds.`));
  }
  steps.push(
    line(' Phase 1 Total I/O wait time: 0.76'),
    line('Processing f7s and writing C tables to plot file.'),
    line((c) => `Completed C processing tables in ${secs(c.sinceMark, 2)} seconds.`),
  );
  steps.push(
    line((c) => `Finished Phase 1 in ${secs(c.sincePhase, 2)} seconds ( ${minutes(c.sincePhase)} minutes ).`),
    { kind: 'phase', phase: 2 },
    line('Running Phase 2'),
  );
  for (let t = 6; t >= 2; t--) {
    steps.push(
      { kind: 'mark' },
      line((c) => `Finished marking table ${t} in ${secs(c.sinceMark, 2)} seconds.`),
      line(`Table ${t} I/O wait time: 0.00 seconds.`),
    );
  }
  steps.push(
    line((c) => `Finished Phase 2 in ${secs(c.sincePhase, 2)} seconds ( ${minutes(c.sincePhase)} minutes ).`),
    { kind: 'phase', phase: 3 },
    line('Running Phase 3'),
  );
  for (let t = 1; t <= 6; t++) {
    steps.push(
      { kind: 'mark' },
      line(`Compressing tables ${t} and ${t + 1}.`),
      line(`Table ${t} now has 3429320695 / 4294924903 ( 79.85% ) entries.`),
    );
    steps.push(line((c) => `Finished compressing tables ${t} and ${t + 1} in ${secs(c.sinceMark, 2)} seconds.`));
  }
  steps.push(
    line('Writing P7 parks.'),
    line((c) => `Finished writing P7 parks in ${secs(c.sinceMark, 2)} seconds.`),
  );
  steps.push(
    line((c) => `Finished Phase 3 in ${secs(c.sincePhase, 2)} seconds ( ${minutes(c.sincePhase)} minutes ).`),
    { kind: 'end' },
  );
  steps.push(
    { kind: 'remove', files: tempFiles },
    { kind: 'create', files: [plotTemp], bytes: ctx.finalBytes, header: ctx.header },
  );
  steps.push(
    line('Waiting for plot file to complete pending writes...'),
    line('Completed pending writes in 0.00 seconds.'),
  );
  steps.push(
    line(`Finished writing plot ${ctx.name}.plot.tmp.`),
    line('Final plot table pointers:'),
    line(' Table 1:       1289665712 ( 0x000000004cdebcb0 )'),
    line(''),
  );
  steps.push(
    line((c) => `Finished plotting in ${secs(c.sinceStart, 2)} seconds ( ${minutes(c.sinceStart)} minutes ).`),
  );
  steps.push(line(`Renaming plot to '${finalPlot}'`), { kind: 'move', from: plotTemp, to: finalPlot });
  return steps;
}

/** bladebit_cuda cudaplot (3.x, from CudaPlotter.cu): 3 phases, then the async plot write. */
function cudaSteps(req: SimRequest, ctx: SimContext, plotTemp: string, finalPlot: string): SimStep[] {
  const steps: SimStep[] = [
    ...BANNER,
    ...globalConfig(req),
    line('[Bladebit CUDA Plotter]'),
    line(' Host RAM            : 256 GiB'),
    line(''),
    line('Selected cuda device 0 : simulated GPU'),
    line('Allocating buffers (this may take a few seconds)...'),
    line('Done.'),
    line(`Generating plot 1 / 1: ${ctx.id}`),
    line(`Plot temporary file: ${plotTemp}`),
    { kind: 'create', files: [plotTemp], bytes: ctx.tempBytes, header: ctx.header },
    { kind: 'phase', phase: 1 },
    line('Generating F1'),
    line((c) => `Finished F1 in ${secs(c.sinceMark, 2)} seconds.`),
  ];
  for (let t = 2; t <= 7; t++) {
    steps.push(
      { kind: 'mark' },
      line((c) => `Table ${t} completed in ${secs(c.sinceMark, 2)} seconds with ${4294924903 - t * 38000} entries.`),
    );
  }
  steps.push(
    line('Finalizing Table 7'),
    line((c) => `Finalized Table 7 in ${secs(c.sinceMark, 2)} seconds.`),
    line((c) => `Completed Phase 1 in ${secs(c.sincePhase, 2)} seconds`),
  );
  steps.push({ kind: 'phase', phase: 2 });
  for (let t = 6; t >= 3; t--)
    steps.push(
      { kind: 'mark' },
      line((c) => `Marked Table ${t} in ${secs(c.sinceMark, 2)} seconds.`),
    );
  steps.push(
    line((c) => `Completed Phase 2 in ${secs(c.sincePhase, 2)} seconds`),
    { kind: 'phase', phase: 3 },
  );
  for (let t = 2; t <= 6; t++) {
    steps.push(
      { kind: 'mark' },
      line(t === 2 ? 'Compressing Table 2 and 3...' : `Compressing tables ${t} and ${t + 1}...`),
    );
    for (const step of [1, 2, 3])
      steps.push(line((c) => ` Step ${step} completed step in ${secs(c.sinceMark, 2)} seconds.`));
    steps.push(
      line(
        (c) =>
          `Completed table ${t} in ${secs(c.sinceMark, 2)} seconds with 3429423491 / 4294962218 entries ( 79.85% ).`,
      ),
    );
  }
  steps.push(
    line((c) => `Completed Phase 3 in ${secs(c.sincePhase, 2)} seconds`),
    { kind: 'end' },
    { kind: 'mark' },
  );
  steps.push(
    line((c) => `Completed Plot 1 in ${secs(c.sinceStart, 2)} seconds ( ${(c.sinceStart / 60).toFixed(2)} minutes )`),
  );
  steps.push(
    { kind: 'create', files: [plotTemp], bytes: ctx.finalBytes, header: ctx.header },
    { kind: 'move', from: plotTemp, to: finalPlot },
  );
  steps.push(line((c) => `Completed writing plot in ${secs(c.sinceMark, 2)} seconds`));
  return steps;
}

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
