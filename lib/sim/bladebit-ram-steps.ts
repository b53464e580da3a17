import { secs, type SimStep } from './sim-script.js';
import type { SimContext, SimRequest } from './sim-request.js';
import { BANNER, globalConfig, line } from './bladebit-lines.js';

/** bladebit ramplot: 4 phases, the 1.x/2.x RAM log lines (FORMATS.md §3, fixture bladebit.plot.log). */
export function ramSteps(req: SimRequest, ctx: SimContext, plotTemp: string, finalPlot: string): SimStep[] {
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
