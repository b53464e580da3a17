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
  return [
    ...diskHeader(req, ctx),
    ...diskPhase1(ctx, tempFiles, plotTemp),
    ...diskPhase2(),
    ...diskPhase3(),
    ...diskFinish(ctx, tempFiles, plotTemp, finalPlot),
  ];
}

function minutes(seconds: number): string {
  return (seconds / 60).toFixed(1);
}

/** The disk plotter's settings, then the global config, up to `Started plot.` */
function diskHeader(req: SimRequest, ctx: SimContext): SimStep[] {
  return [
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
  ];
}

/** Phase 1: the temp files and the plot file appear, f1 and tables 2 to 7, then the C tables. */
function diskPhase1(ctx: SimContext, tempFiles: string[], plotTemp: string): SimStep[] {
  return [
    { kind: 'phase', phase: 1 },
    { kind: 'create', files: tempFiles, bytes: ctx.tempBytes },
    { kind: 'create', files: [plotTemp], bytes: ctx.tempBytes, header: ctx.header },
    line('Running Phase 1'),
    line('Generating f1...'),
    line((c) => `Finished f1 generation in ${secs(c.sinceMark, 2)} seconds.`),
    line('Table 1 I/O wait time: 0.00 seconds.'),
    ...[2, 3, 4, 5, 6, 7].flatMap((t): SimStep[] => [
      { kind: 'mark' },
      line(`Table ${t}`),
      line((c) => `Completed table ${t} in ${secs(c.sinceMark, 2)} seconds with ${4294924903 - t * 38000} entries.`),
      line(`Table ${t} I/O wait time: 0.01 seconds.`),
    ]),
    line(' Phase 1 Total I/O wait time: 0.76'),
    line('Processing f7s and writing C tables to plot file.'),
    line((c) => `Completed C processing tables in ${secs(c.sinceMark, 2)} seconds.`),
    line((c) => `Finished Phase 1 in ${secs(c.sincePhase, 2)} seconds ( ${minutes(c.sincePhase)} minutes ).`),
  ];
}

/** Phase 2: marking tables 6 down to 2. */
function diskPhase2(): SimStep[] {
  return [
    { kind: 'phase', phase: 2 },
    line('Running Phase 2'),
    ...[6, 5, 4, 3, 2].flatMap((t): SimStep[] => [
      { kind: 'mark' },
      line((c) => `Finished marking table ${t} in ${secs(c.sinceMark, 2)} seconds.`),
      line(`Table ${t} I/O wait time: 0.00 seconds.`),
    ]),
    line((c) => `Finished Phase 2 in ${secs(c.sincePhase, 2)} seconds ( ${minutes(c.sincePhase)} minutes ).`),
  ];
}

/** Phase 3: compressing the table pairs, then the P7 parks. */
function diskPhase3(): SimStep[] {
  return [
    { kind: 'phase', phase: 3 },
    line('Running Phase 3'),
    ...[1, 2, 3, 4, 5, 6].flatMap((t): SimStep[] => [
      { kind: 'mark' },
      line(`Compressing tables ${t} and ${t + 1}.`),
      line(`Table ${t} now has 3429320695 / 4294924903 ( 79.85% ) entries.`),
      line((c) => `Finished compressing tables ${t} and ${t + 1} in ${secs(c.sinceMark, 2)} seconds.`),
    ]),
    line('Writing P7 parks.'),
    line((c) => `Finished writing P7 parks in ${secs(c.sinceMark, 2)} seconds.`),
    line((c) => `Finished Phase 3 in ${secs(c.sincePhase, 2)} seconds ( ${minutes(c.sincePhase)} minutes ).`),
  ];
}

/** After the phases: temp files go, the plot file reaches its final size and is renamed. */
function diskFinish(ctx: SimContext, tempFiles: string[], plotTemp: string, finalPlot: string): SimStep[] {
  return [
    { kind: 'end' },
    { kind: 'remove', files: tempFiles },
    { kind: 'create', files: [plotTemp], bytes: ctx.finalBytes, header: ctx.header },
    line('Waiting for plot file to complete pending writes...'),
    line('Completed pending writes in 0.00 seconds.'),
    line(`Finished writing plot ${ctx.name}.plot.tmp.`),
    line('Final plot table pointers:'),
    line(' Table 1:       1289665712 ( 0x000000004cdebcb0 )'),
    line(''),
    line((c) => `Finished plotting in ${secs(c.sinceStart, 2)} seconds ( ${minutes(c.sinceStart)} minutes ).`),
    line(`Renaming plot to '${finalPlot}'`),
    { kind: 'move', from: plotTemp, to: finalPlot },
  ];
}
