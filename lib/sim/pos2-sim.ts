import fs from 'node:fs';
import path from 'node:path';
import { pos2PlotBytes } from '../farm/plot-size.js';
import { buildPos2Plot } from '../plot-file/build-plot-header.js';
import { newPlotId, parseCreate2Args, parseTestArgs, type Pos2SimRequest } from './pos2-sim-args.js';
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

async function plotOne(
  request: Pos2SimRequest,
  plotIndex: number,
  settings: { seconds: number; solid: boolean },
  io: SimIo,
): Promise<void> {
  const stepMs = (settings.seconds * 1000) / STAGES.length;
  const started = io.now();
  for (const [percent, stage] of STAGES) {
    await io.sleep(stepMs);
    io.write(barLine(percent, stage, (io.now() - started) / 1000));
  }
  io.write('\n');
  const plotId = newPlotId(request);
  const name =
    request.mode === 'test'
      ? `plot_${request.k}_${request.strength}_${plotIndex}_${request.metaGroup}_${plotId}.bin`
      : `plot-k${request.k}-${plotId}.plot2`;
  const file = path.join(request.destDir, name);
  io.write(`Writing plot to ${name}...\n`);
  const writeStart = io.now();
  // chia writes under a name no harvester loads, then renames; the reference tool writes in place
  const bytes =
    request.mode === 'test'
      ? writePos2File(file, request, { plotId, plotIndex }, settings.solid)
      : writePos2File(`${file}.tmp`, request, { plotId, plotIndex }, settings.solid);
  if (request.mode !== 'test') fs.renameSync(`${file}.tmp`, file);
  const bitsPerEntry = (bytes * 8) / 2 ** request.k;
  io.write(
    `Wrote plot file: ${name} (${bytes} bytes) [${bitsPerEntry.toFixed(4)} bits/entry] in ${io.now() - writeStart} ms\n`,
  );
}

/** `plots create2 …` or `test …` from the simulated plotter's argv; null when it is neither. */
export function parsePos2Sim(args: string[], invokedAs: string, env: NodeJS.ProcessEnv) {
  if (args[0] === 'plots' && args[1] === 'create2') return parseCreate2Args(args.slice(2), env);
  if (path.basename(invokedAs) === 'plotter' || args[0] === 'test')
    return parseTestArgs(args[0] === 'test' ? args.slice(1) : args);
  return null;
}

/**
 * The simulated pos2 plotter: `count` plots, each a real pos2 header at the test k (a sparse file
 * of the real size), with the reference plotter's progress lines, SIMPLOTTER_SECONDS a plot.
 * SIMPLOTTER_FAIL_PLOT=N dies at the start of plot N (1 the first), keeping the plots before it;
 * SIMPLOTTER_SOLID=1 writes each plot's bytes out instead of leaving them sparse.
 */
export async function runPos2Sim(
  request: Pos2SimRequest,
  settings: { seconds: number },
  env: NodeJS.ProcessEnv,
  io: SimIo,
) {
  const failPlot = Number(env.SIMPLOTTER_FAIL_PLOT ?? 0);
  if (!fs.existsSync(request.destDir)) {
    io.writeError(`Error: destination ${request.destDir} does not exist\n`);
    return 1;
  }
  io.write('Using AES hardware acceleration.\n');
  for (let plot = 0; plot < request.count; plot++) {
    if (failPlot === plot + 1) {
      io.writeError(`simplotter: failing at plot ${plot + 1} of ${request.count} as asked (SIMPLOTTER_FAIL_PLOT)\n`);
      return 1;
    }
    if (request.mode === 'create2')
      io.write(
        `Plot ${plot + 1} of ${request.count}: k${request.k} strength ${request.strength} index ${request.index + plot} meta group ${request.metaGroup}\n`,
      );
    await plotOne(request, request.index + plot, { ...settings, solid: env.SIMPLOTTER_SOLID === '1' }, io);
  }
  return 0;
}
