import path from 'node:path';
import { secs, type SimStep } from './sim-script.js';
import type { SimContext, SimRequest } from './sim-request.js';
import { globalConfig, line } from './bladebit-lines.js';

/** bladebit diskplot: 3 phases (fixture bladebit2disk.plot.log), temp files `<set>_<bucket>.tmp`. */
export function diskSteps(req: SimRequest, ctx: SimContext, plotTemp: string, finalPlot: string): SimStep[] {
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
