import fs from 'node:fs';
import path from 'node:path';
import { pos2PlotBytes } from '../farm/plot-size.js';
import { buildPos2Plot } from '../plot-file/build-plot-header.js';
import { newPlotId, parseCreate2Args, parseTestArgs, parseXchplot2Args, type Pos2SimRequest } from './pos2-sim-args.js';
import { randomHex } from './plot-naming.js';
import type { SimIo } from './sim-script.js';

/** The reference plotter's redrawn bar: its stages and where each ends, as its k18 and k22 logs show. */
const STAGES: ReadonlyArray<[number, string]> = [
  [17, 'matching T1'],
  [37, 'matching T2'],
  [64, 'matching T2'],
  [84, 'matching T3'],
  [100, 'postsort T3'],
  [100, 'done T3'],
];
const BAR = 28;

function barLine(percent: number, stage: string, seconds: number): string {
  const filled = Math.round((percent * BAR) / 100);
  return `\r[${'='.repeat(filled)}${' '.repeat(BAR - filled)}] ${percent}% ${stage} ${seconds.toFixed(6)}s\x1b[K`;
}

/** The reference tool's chunk count: 4 at k18, 16 at k20, four times more each step of 2. */
function chunkCountOf(k: number): number {
  return 2 ** Math.max(0, k - 16);
}

/**
 * Writes one real pos2 plot: its header, then the file extended to its size, sparse, or written
 * out (`solid`, SIMPLOTTER_SOLID=1) so that it takes its room on a small filesystem as a real one
 * does, and fails with ENOSPC where there is none.
 */
function writePos2File(
  file: string,
  request: Pos2SimRequest,
  ids: { plotId: string; plotIndex: number },
  solid: boolean,
): number {
  const { plotId, plotIndex } = ids;
  const chunkCount = chunkCountOf(request.k);
  const headerGuess = 43 + 128 + 8 + 8 * chunkCount;
  const plot = buildPos2Plot({
    plotId,
    k: request.k,
    strength: request.strength,
    plotIndex,
    metaGroup: request.metaGroup,
    memo: request.memo,
    chunkCount,
    chunkBytes: Math.max(1, Math.floor((pos2PlotBytes(request.k) - headerGuess) / chunkCount)),
  });
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, plot.header, 0, plot.header.length, 0);
    if (solid) {
      const zeros = Buffer.alloc(64 * 1024);
      for (let at = plot.header.length; at < plot.fileBytes; at += zeros.length)
        fs.writeSync(fd, zeros, 0, Math.min(zeros.length, plot.fileBytes - at), at);
    } else fs.ftruncateSync(fd, plot.fileBytes);
  } finally {
    fs.closeSync(fd);
  }
  return plot.fileBytes;
}

/** Where a plot is written while it is made (chia: `.tmp`, xchplot2: `.partial`, renamed when whole) and its name after. */
function plotFiles(request: Pos2SimRequest, plotIndex: number, plotId: string): { name: string; writing: string } {
  if (request.mode === 'test') {
    const name = `plot_${request.k}_${request.strength}_${plotIndex}_${request.metaGroup}_${plotId}.bin`;
    return { name, writing: path.join(request.destDir, name) };
  }
  const name = `plot-k${request.k}-${plotId}.plot2`;
  return { name, writing: path.join(request.destDir, `${name}${request.mode === 'xchplot2' ? '.partial' : '.tmp'}`) };
}

/**
 * SIMPLOTTER_HANG_PLOT: the plot's header written, the rest not, the file held open, and no end
 * until the process is killed: a plotter killed mid-plot leaves exactly this behind.
 */
async function hangMidPlot(file: string, request: Pos2SimRequest, plotIndex: number, io: SimIo): Promise<never> {
  const plot = buildPos2Plot({
    plotId: randomHex(32),
    k: request.k,
    strength: request.strength,
    plotIndex,
    metaGroup: request.metaGroup,
    memo: request.memo,
    chunkCount: chunkCountOf(request.k),
    chunkBytes: Math.max(1, Math.floor(pos2PlotBytes(request.k) / chunkCountOf(request.k))),
  });
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, plot.header, 0, plot.header.length, 0);
  io.writeError(`simplotter: hanging in plot index ${plotIndex}, ${file} held open (SIMPLOTTER_HANG_PLOT)\n`);
  for (;;) await io.sleep(3_600_000);
}

async function plotOne(
  request: Pos2SimRequest,
  plotIndex: number,
  settings: { seconds: number; solid: boolean; hang: boolean },
  io: SimIo,
): Promise<void> {
  const stepMs = (settings.seconds * 1000) / STAGES.length;
  const started = io.now();
  // xchplot2 prints nothing while it makes a plot, only its line after each
  if (request.mode === 'xchplot2') await io.sleep(settings.seconds * 1000);
  else
    for (const [percent, stage] of STAGES) {
      await io.sleep(stepMs);
      io.write(barLine(percent, stage, (io.now() - started) / 1000));
    }
  const plotId = newPlotId(request);
  const { name, writing } = plotFiles(request, plotIndex, plotId);
  if (settings.hang) await hangMidPlot(writing, request, plotIndex, io);
  if (request.mode !== 'xchplot2') io.write(`\nWriting plot to ${name}...\n`);
  const writeStart = io.now();
  const bytes = writePos2File(writing, request, { plotId, plotIndex }, settings.solid);
  // chia and xchplot2 write under a name no harvester loads, then rename; the reference tool writes in place
  if (request.mode !== 'test') fs.renameSync(writing, path.join(request.destDir, name));
  const bitsPerEntry = (bytes * 8) / 2 ** request.k;
  if (request.mode !== 'xchplot2')
    io.write(
      `Wrote plot file: ${name} (${bytes} bytes) [${bitsPerEntry.toFixed(4)} bits/entry] in ${io.now() - writeStart} ms\n`,
    );
}

/**
 * xchplot2's line after each plot with --progress, as its batch plotter prints it to stderr:
 * `[batch] progress: plot 3/10 done (30.0%, 2.10 s/plot avg, ~0m14s left)`.
 */
export function xchplot2ProgressLine(done: number, total: number, elapsedSeconds: number): string {
  const avg = elapsedSeconds / done;
  const eta = Math.trunc(avg * (total - done));
  const seconds = String(eta % 60).padStart(2, '0');
  return `[batch] progress: plot ${done}/${total} done (${((100 * done) / total).toFixed(1)}%, ${avg.toFixed(2)} s/plot avg, ~${Math.trunc(eta / 60)}m${seconds}s left)\n`;
}

/** `plots create2 …`, `test …` or xchplot2's `plot …` from the simulated plotter's argv; null when it is none. */
export function parsePos2Sim(args: string[], invokedAs: string, env: NodeJS.ProcessEnv) {
  if (args[0] === 'plots' && args[1] === 'create2') return parseCreate2Args(args.slice(2), env);
  if (path.basename(invokedAs) === 'xchplot2' && args[0] === 'plot') return parseXchplot2Args(args.slice(1));
  if (path.basename(invokedAs) === 'plotter' || args[0] === 'test')
    return parseTestArgs(args[0] === 'test' ? args.slice(1) : args);
  return null;
}

/**
 * The simulated pos2 plotter: `count` plots, each a real pos2 header at the test k (a sparse file
 * of the real size), with the reference plotter's progress lines (xchplot2's with `--progress` in
 * its mode), SIMPLOTTER_SECONDS a plot. SIMPLOTTER_FAIL_PLOT=N dies at the start of plot N (1 the
 * first), keeping the plots before it; SIMPLOTTER_HANG_PLOT=N writes plot N's header only and
 * hangs, holding it open, until killed; SIMPLOTTER_SOLID=1 writes each plot's bytes out instead of
 * leaving them sparse.
 */
export async function runPos2Sim(
  request: Pos2SimRequest,
  settings: { seconds: number },
  env: NodeJS.ProcessEnv,
  io: SimIo,
) {
  const failPlot = Number(env.SIMPLOTTER_FAIL_PLOT ?? 0);
  const hangPlot = Number(env.SIMPLOTTER_HANG_PLOT ?? 0);
  if (!fs.existsSync(request.destDir)) {
    io.writeError(`Error: destination ${request.destDir} does not exist\n`);
    return 1;
  }
  if (request.mode !== 'xchplot2') io.write('Using AES hardware acceleration.\n');
  const started = io.now();
  for (let plot = 0; plot < request.count; plot++) {
    if (failPlot === plot + 1) {
      io.writeError(`simplotter: failing at plot ${plot + 1} of ${request.count} as asked (SIMPLOTTER_FAIL_PLOT)\n`);
      return 1;
    }
    if (request.mode === 'create2')
      io.write(
        `Plot ${plot + 1} of ${request.count}: k${request.k} strength ${request.strength} index ${request.index + plot} meta group ${request.metaGroup}\n`,
      );
    const solid = env.SIMPLOTTER_SOLID === '1';
    await plotOne(request, request.index + plot, { ...settings, solid, hang: hangPlot === plot + 1 }, io);
    if (request.progress) io.writeError(xchplot2ProgressLine(plot + 1, request.count, (io.now() - started) / 1000));
  }
  return 0;
}
