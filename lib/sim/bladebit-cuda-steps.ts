import { secs, type SimStep } from './sim-script.js';
import type { SimContext, SimRequest } from './sim-request.js';
import { BANNER, globalConfig, line } from './bladebit-lines.js';

/** bladebit_cuda cudaplot (3.x, from CudaPlotter.cu): 3 phases, then the async plot write. */
export function cudaSteps(req: SimRequest, ctx: SimContext, plotTemp: string, finalPlot: string): SimStep[] {
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
