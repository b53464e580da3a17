import { secs, type SimStep } from './sim-script.js';
import type { SimContext, SimRequest } from './sim-request.js';
import { BANNER, globalConfig, line } from './bladebit-lines.js';

/** bladebit ramplot: 4 phases, the 1.x/2.x RAM log lines (FORMATS.md §3, fixture bladebit.plot.log). */
export function ramSteps(req: SimRequest, ctx: SimContext, plotTemp: string, finalPlot: string): SimStep[] {
  return [
    ...BANNER,
    ...globalConfig(req),
    line('System Memory: 348/503 GiB.'),
    line('Memory required: 416 GiB.'),
    line('Allocating buffers.'),
    line(`Generating plot 1 / 1: ${ctx.id}`),
    line(''),
    ...ramPhase1(),
    ...ramPhase2(),
    ...ramPhase3(),
    ...ramPhase4(),
    ...ramFinish(ctx, plotTemp, finalPlot),
  ];
}

/** Phase 1: F1, then forward propagation to tables 2 to 7. */
function ramPhase1(): SimStep[] {
  return [
    { kind: 'phase', phase: 1 },
    line('Running Phase 1'),
    line('Generating F1...'),
    line((c) => `Finished F1 generation in ${secs(c.sinceMark, 2)} seconds.`),
    line('Sorting F1...'),
    line((c) => `Finished F1 sort in ${secs(c.sinceMark, 2)} seconds.`),
    ...[2, 3, 4, 5, 6, 7].flatMap((t): SimStep[] => [
      { kind: 'mark' },
      line(`Forward propagating to table ${t}...`),
      line('  Pairing L/R groups...'),
      line('  Computing Fx...'),
      line((c) => `Finished forward propagating table ${t} in ${secs(c.sinceMark, 2)} seconds.`),
    ]),
    line((c) => `Finished Phase 1 in ${secs(c.sincePhase, 2)} seconds.`),
  ];
}

/** Phase 2: pruning tables 6 down to 2 (bladebit spells it "prunning"). */
function ramPhase2(): SimStep[] {
  return [
    { kind: 'phase', phase: 2 },
    line('Running Phase 2'),
    ...[6, 5, 4, 3, 2].flatMap((t): SimStep[] => [
      { kind: 'mark' },
      line(`  Prunning table ${t}...`),
      line((c) => `  Finished prunning table ${t} in ${secs(c.sinceMark, 2)} seconds.`),
    ]),
    line((c) => `Finished Phase 2 in ${secs(c.sincePhase, 2)} seconds.`),
  ];
}

/** Phase 3: compressing the table pairs. */
function ramPhase3(): SimStep[] {
  return [
    { kind: 'phase', phase: 3 },
    line('Running Phase 3'),
    ...[1, 2, 3, 4, 5, 6].flatMap((t): SimStep[] => [
      { kind: 'mark' },
      line(`  Compressing tables ${t} and ${t + 1}...`),
      line((c) => `  Finished compressing tables ${t} and ${t + 1} in ${secs(c.sinceMark, 2)} seconds`),
      line(`  Table ${t} now has 3429423491 / 4294962218 entries ( 79.85% ).`),
    ]),
    line((c) => `Finished Phase 3 in ${secs(c.sincePhase, 2)} seconds.`),
  ];
}

/** Phase 4: writing P7 and the C tables. */
function ramPhase4(): SimStep[] {
  return [
    { kind: 'phase', phase: 4 },
    line('Running Phase 4'),
    ...['P7', 'C1 table', 'C2 table', 'C3 table'].flatMap((table): SimStep[] => [
      { kind: 'mark' },
      line(`  Writing ${table}.`),
      line((c) => `  Finished writing ${table} in ${secs(c.sinceMark, 2)} seconds.`),
    ]),
    line((c) => `Finished Phase 4 in ${secs(c.sincePhase, 2)} seconds.`),
  ];
}

/** After the phases: the plot, built in RAM, is written to disk at once and renamed. */
function ramFinish(ctx: SimContext, plotTemp: string, finalPlot: string): SimStep[] {
  return [
    { kind: 'end' },
    { kind: 'mark' },
    line('Writing final plot tables to disk'),
    { kind: 'create', files: [plotTemp], bytes: ctx.finalBytes, header: ctx.header },
    line(''),
    line(`Plot ${finalPlot} finished writing to disk:`),
    line('  Table 1 pointer  :             4096 ( 0x0000000000001000 )'),
    line(''),
    line((c) => `Finished writing tables to disk in ${secs(c.sinceMark, 2)} seconds.`),
    { kind: 'move', from: plotTemp, to: finalPlot },
    line((c) => `Finished plotting in ${secs(c.sinceStart, 2)} seconds (${secs(c.sinceStart / 60, 2)} minutes).`),
  ];
}
