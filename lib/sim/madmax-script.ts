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

/** Where madmax keeps a plot on its way: phase 1 tables in temp and temp2, the staged plot in temp2. */
interface MadmaxFiles {
  tempFiles: string[];
  stagePlot: string;
  finalPlot: string;
}

const line = (text: string | ((clock: LineClock) => string)): SimStep => ({ kind: 'line', text });

/** A step's "took" line, timed from the last mark; the mark after it starts the next step's clock. */
function took(prefix: string, suffix = ''): SimStep[] {
  return [line((c) => `${prefix} took ${secs(c.sinceMark, 4)} sec${suffix}`), { kind: 'mark' }];
}

/** madmax chia_plot stdout (FORMATS.md §2): 35 step lines over 4 phases, then the copy thread's lines. */
export function madmaxScript(req: SimRequest, ctx: SimContext): SimScript {
  const files: MadmaxFiles = {
    tempFiles: [
      ...[1, 2, 3, 4, 5, 6].map((t) => path.join(req.tempDir, `${ctx.name}.p1.table${t}.tmp`)),
      path.join(req.temp2Dir, `${ctx.name}.p1.table7.tmp`),
    ],
    stagePlot: path.join(req.temp2Dir, `${ctx.name}.plot.tmp`),
    finalPlot: path.join(req.destDir, `${ctx.name}.plot`),
  };
  const steps: SimStep[] = [
    ...madmaxHeader(req, ctx),
    ...madmaxPhase1(ctx, files),
    ...madmaxPhase2(),
    ...madmaxPhase3(ctx, files),
    ...madmaxPhase4(req),
    ...madmaxFinalCopy(req, ctx, files),
  ];
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

/** The banner and settings madmax prints before it starts. */
function madmaxHeader(req: SimRequest, ctx: SimContext): SimStep[] {
  const log2 = (n: number): number => Math.round(Math.log2(n));
  return [
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
  ];
}

/** Phase 1: the temp tables appear; tables 1 to 7. */
function madmaxPhase1(ctx: SimContext, files: MadmaxFiles): SimStep[] {
  return [
    { kind: 'phase', phase: 1 },
    { kind: 'create', files: files.tempFiles, bytes: ctx.tempBytes },
    ...[1, 2, 3, 4, 5, 6, 7].flatMap((table) =>
      took(`[P1] Table ${table}`, table === 1 ? '' : `, found ${4295036171 - table * 31375} matches`),
    ),
    line((c) => `Phase 1 took ${secs(c.sincePhase, 2)} sec`),
  ];
}

/** Phase 2: scan and rewrite of tables 7 down to 2. */
function madmaxPhase2(): SimStep[] {
  const dropped = (table: number): string =>
    `, dropped ${table === 7 ? 0 : 581280956 + (6 - table) * 70000000} entries (${table === 7 ? 0 : 13.5338 + (6 - table) * 1.5} %)`;
  return [
    { kind: 'phase', phase: 2 },
    line('[P2] max_table_size = 4295077044'),
    ...[7, 6, 5, 4, 3, 2].flatMap((table) => [
      ...took(`[P2] Table ${table} scan`),
      ...took(`[P2] Table ${table} rewrite`, dropped(table)),
    ]),
    line((c) => `Phase 2 took ${secs(c.sincePhase, 2)} sec`),
  ];
}

/** Phase 3: the staged plot appears with its header; two passes over tables 2 to 7. */
function madmaxPhase3(ctx: SimContext, files: MadmaxFiles): SimStep[] {
  return [
    { kind: 'phase', phase: 3 },
    { kind: 'create', files: [files.stagePlot], bytes: ctx.finalBytes, header: ctx.header },
    line(`Wrote plot header with ${ctx.header.length} bytes`),
    ...[2, 3, 4, 5, 6, 7].flatMap((table) => {
      const entries = 3429447361 + (table - 2) * 10517152;
      return [
        ...took(`[P3-1] Table ${table}`, `, wrote ${entries} right entries`),
        ...took(`[P3-2] Table ${table}`, `, wrote ${entries} left entries, ${entries} final`),
      ];
    }),
    line((c) => `Phase 3 took ${secs(c.sincePhase, 2)} sec, wrote 21877326466 entries to final plot`),
  ];
}

/** Phase 4: the checkpoint tables, then the totals. */
function madmaxPhase4(req: SimRequest): SimStep[] {
  const steps = [
    'Starting to write C1 and C3 tables',
    'Finished writing C1 and C3 tables',
    'Writing C2 table',
    'Finished writing C2 table',
  ];
  return [
    { kind: 'phase', phase: 4 },
    ...steps.map((step) => line(`[P4] ${step}`)),
    line(
      (c) =>
        `Phase 4 took ${secs(c.sincePhase, 4)} sec, final plot size is ${finalPlotBytes(req.k, req.compression)} bytes`,
    ),
    line((c) => `Total plot creation time was ${secs(c.sinceStart, 2)} sec (${secs(c.sinceStart / 60, 4)} min)`),
  ];
}

/** madmax's final_copy renames when it can and copies to `<final>/<name>.plot.tmp` otherwise. */
function madmaxFinalCopy(
  req: SimRequest,
  ctx: SimContext,
  { tempFiles, stagePlot, finalPlot }: MadmaxFiles,
): SimStep[] {
  const start: SimStep[] = [
    { kind: 'end' },
    { kind: 'remove', files: tempFiles },
    line(`Started copy to ${finalPlot}`),
    { kind: 'mark' },
  ];
  if (sameFilesystem(req.temp2Dir, req.destDir))
    return [...start, { kind: 'move', from: stagePlot, to: finalPlot }, line(`Renamed final plot to ${finalPlot}`)];
  const destTemp = `${finalPlot}.tmp`;
  return [
    ...start,
    { kind: 'copy', from: stagePlot, to: destTemp },
    { kind: 'move', from: destTemp, to: finalPlot },
    { kind: 'remove', files: [stagePlot] },
    line(
      (c) =>
        `Copy to ${finalPlot} finished, took ${secs(c.sinceMark)} sec, ${(ctx.finalBytes / 1048576 / Math.max(c.sinceMark, 0.001)).toFixed(1)} MB/s avg.`,
    ),
  ];
}
