import path from 'node:path';
import { finalPlotBytes } from '../farm/plot-size.js';
import { sameFilesystem, secs, type LineClock, type SimScript, type SimStep } from './sim-script.js';
import type { SimContext, SimRequest } from './sim-request.js';

/** chia/plotters/madmax.py: what `chia plotters madmax` reports as progress. */
const CHIA_PROGRESS: Record<string, number> = {
  '[P1] Table 1 took': 0.01,
  '[P1] Table 2 took': 0.06,
  '[P1] Table 3 took': 0.12,
  '[P1] Table 4 took': 0.2,
  '[P1] Table 5 took': 0.28,
  '[P1] Table 6 took': 0.36,
  '[P1] Table 7 took': 0.42,
  '[P2] Table 7 rewrite took': 0.43,
  '[P2] Table 6 rewrite took': 0.48,
  '[P2] Table 5 rewrite took': 0.51,
  '[P2] Table 4 rewrite took': 0.55,
  '[P2] Table 3 rewrite took': 0.58,
  '[P2] Table 2 rewrite took': 0.61,
  '[P3-2] Table 2 took': 0.66,
  '[P3-2] Table 3 took': 0.73,
  '[P3-2] Table 4 took': 0.79,
  '[P3-2] Table 5 took': 0.85,
  '[P3-2] Table 6 took': 0.92,
  '[P3-2] Table 7 took': 0.98,
};

export function chiaProgress(progress: Record<string, number>): (line: string) => string[] {
  return (line) =>
    Object.entries(progress)
      .filter(([key]) => line.includes(key))
      .map(([, value]) => `Progress update: ${value}`);
}

function dirLabel(dir: string): string {
  return dir === '' ? '$PWD' : dir;
}

/** madmax chia_plot stdout (FORMATS.md §2): 35 step lines over 4 phases, then the copy thread's lines. */
export function madmaxScript(req: SimRequest, ctx: SimContext): SimScript {
  const line = (text: string | ((clock: LineClock) => string)): SimStep => ({ kind: 'line', text });
  const took = (prefix: string, suffix = ''): SimStep =>
    line((c) => `${prefix} took ${secs(c.sinceMark, 4)} sec${suffix}`);
  const log2 = (n: number): number => Math.round(Math.log2(n));
  const tempFiles = [1, 2, 3, 4, 5, 6].map((t) => path.join(req.tempDir, `${ctx.name}.p1.table${t}.tmp`));
  const temp2Files = [path.join(req.temp2Dir, `${ctx.name}.p1.table7.tmp`)];
  const stagePlot = path.join(req.temp2Dir, `${ctx.name}.plot.tmp`);
  const finalPlot = path.join(req.destDir, `${ctx.name}.plot`);
  const steps: SimStep[] = [
    line(`Multi-threaded pipelined Chia k${req.kmax} plotter - 974d6e5`),
    line('Network Port: 8444 [chia]'),
    line(`Final Directory: ${req.destDir}`),
    line('Number of Plots: 1'),
    line('Crafting plot 1 out of 1'),
    line(`Process ID: ${ctx.pid}`),
    line(`Number of Threads: ${req.threads}`),
    line(`Number of Buckets P1:    2^${log2(req.buckets)} (${req.buckets})`),
    line(`Number of Buckets P3+P4: 2^${log2(req.buckets3)} (${req.buckets3})`),
    line(
      req.poolContract
        ? `Pool Puzzle Hash:  ${ctx.id.split('').reverse().join('')}`
        : `Pool Public Key:   ${req.poolKey}`,
    ),
    line(`Farmer Public Key: ${req.farmerKey}`),
    line(`Working Directory:   ${dirLabel(req.tempDir)}`),
    line(`Working Directory 2: ${dirLabel(req.temp2Dir)}`),
    line(`Plot Name: ${ctx.name}`),
    { kind: 'phase', phase: 1 },
    { kind: 'create', files: [...tempFiles, ...temp2Files], bytes: ctx.tempBytes },
  ];
  for (let table = 1; table <= 7; table++) {
    steps.push(took(`[P1] Table ${table}`, table === 1 ? '' : `, found ${4295036171 - table * 31375} matches`), {
      kind: 'mark',
    });
  }
  steps.push(
    line((c) => `Phase 1 took ${secs(c.sincePhase, 2)} sec`),
    { kind: 'phase', phase: 2 },
    line('[P2] max_table_size = 4295077044'),
  );
  for (let table = 7; table >= 2; table--) {
    steps.push(took(`[P2] Table ${table} scan`), { kind: 'mark' });
    steps.push(
      took(
        `[P2] Table ${table} rewrite`,
        `, dropped ${table === 7 ? 0 : 581280956 + (6 - table) * 70000000} entries (${table === 7 ? 0 : 13.5338 + (6 - table) * 1.5} %)`,
      ),
      { kind: 'mark' },
    );
  }
  steps.push(
    line((c) => `Phase 2 took ${secs(c.sincePhase, 2)} sec`),
    { kind: 'phase', phase: 3 },
  );
  steps.push(
    { kind: 'create', files: [stagePlot], bytes: ctx.finalBytes, header: ctx.header },
    line(`Wrote plot header with ${ctx.header.length} bytes`),
  );
  for (let table = 2; table <= 7; table++) {
    const entries = 3429447361 + (table - 2) * 10517152;
    steps.push(took(`[P3-1] Table ${table}`, `, wrote ${entries} right entries`), { kind: 'mark' });
    steps.push(took(`[P3-2] Table ${table}`, `, wrote ${entries} left entries, ${entries} final`), { kind: 'mark' });
  }
  steps.push(
    line((c) => `Phase 3 took ${secs(c.sincePhase, 2)} sec, wrote 21877326466 entries to final plot`),
    { kind: 'phase', phase: 4 },
  );
  for (const step of [
    'Starting to write C1 and C3 tables',
    'Finished writing C1 and C3 tables',
    'Writing C2 table',
    'Finished writing C2 table',
  ]) {
    steps.push(line(`[P4] ${step}`));
  }
  steps.push(
    line(
      (c) =>
        `Phase 4 took ${secs(c.sincePhase, 4)} sec, final plot size is ${finalPlotBytes(req.k, req.compression)} bytes`,
    ),
  );
  steps.push(
    line((c) => `Total plot creation time was ${secs(c.sinceStart, 2)} sec (${secs(c.sinceStart / 60, 4)} min)`),
  );
  steps.push(
    { kind: 'end' },
    { kind: 'remove', files: [...tempFiles, ...temp2Files] },
    line(`Started copy to ${finalPlot}`),
    { kind: 'mark' },
  );
  // madmax's final_copy renames when it can and copies to `<final>/<name>.plot.tmp` otherwise.
  if (sameFilesystem(req.temp2Dir, req.destDir)) {
    steps.push({ kind: 'move', from: stagePlot, to: finalPlot }, line(`Renamed final plot to ${finalPlot}`));
  } else {
    const destTemp = `${finalPlot}.tmp`;
    steps.push({ kind: 'copy', from: stagePlot, to: destTemp }, { kind: 'move', from: destTemp, to: finalPlot });
    steps.push({ kind: 'remove', files: [stagePlot] });
    steps.push(
      line(
        (c) =>
          `Copy to ${finalPlot} finished, took ${secs(c.sinceMark)} sec, ${(ctx.finalBytes / 1048576 / Math.max(c.sinceMark, 0.001)).toFixed(1)} MB/s avg.`,
      ),
    );
  }
  return {
    steps,
    phaseWeights: [42, 19, 37, 2],
    failure: (phase) => {
      const lines = [
        "terminate called after throwing an instance of 'std::runtime_error'",
        `  what():  simulated plotter failure at the start of phase ${phase} (SIMPLOTTER_FAIL_PHASE=${phase})`,
      ];
      // chia's wrapper reads the plotter's stderr and prints it on stdout with a prefix.
      return req.viaChia ? { stdout: lines.map((l) => `STDERR: ${l}`), stderr: [] } : { stdout: [], stderr: lines };
    },
    afterLine: req.viaChia ? chiaProgress(CHIA_PROGRESS) : undefined,
  };
}
