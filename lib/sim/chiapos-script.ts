import path from 'node:path';
import { finalPlotBytes } from '../farm/plot-size.js';
import { ctime, isoLocal, randomHex } from './plot-naming.js';
import { secs, type LineClock, type SimScript, type SimStep } from './sim-script.js';
import type { SimContext, SimRequest } from './sim-request.js';

const LOGGER = 'chia.plotting.create_plots       ';
const GIB = 1024 ** 3;

/** A python logger line as chia writes it, colour escapes included. */
function logged(message: string): (clock: LineClock) => string {
  return (clock) => `${isoLocal(clock.now)}  ${LOGGER}: \x1b[32mINFO    \x1b[0m ${message}\x1b[0m`;
}

function timed(
  prefix: string,
  since: 'sinceMark' | 'sincePhase' | 'sinceStart',
  cpu: string,
): (clock: LineClock) => string {
  return (clock) => `${prefix}${secs(clock[since])} seconds. CPU (${cpu}%) ${ctime(clock.now)}`;
}

function bucketLines(buckets: number, ram: string): SimStep[] {
  return Array.from({ length: buckets }, (_, b) => ({
    kind: 'line' as const,
    text: `\tBucket ${b} uniform sort. Ram: ${ram}GiB, u_sort min: ${b % 3 ? '0.563' : '1.125'}GiB, qs min: 0.281GiB.`,
  }));
}

/** Where chiapos keeps a plot on its way: the temp tables, the .2.tmp in temp2 and (when copied) in the destination. */
interface ChiaposFiles {
  tempFiles: string[];
  tmp2Plot: string;
  destTemp: string;
  finalPlot: string;
}

const line = (text: string | ((clock: LineClock) => string)): SimStep => ({ kind: 'line', text });

/**
 * `chia plots create` stdout (FORMATS.md §1): logger header, chiapos's 4 phases with
 * buckets x 6 bucket lines in phase 1, the copy to the final dir and the final rename.
 */
export function chiaposScript(req: SimRequest, ctx: SimContext): SimScript {
  const ram = ((req.buffer / 1024) * 0.98).toFixed(3);
  const tempFile = (suffix: string): string => path.join(req.tempDir, `${ctx.name}.plot.${suffix}`);
  const files: ChiaposFiles = {
    tempFiles: [...[1, 2, 3, 4, 5, 6, 7].map((t) => tempFile(`table${t}.tmp`)), tempFile('sort.tmp')],
    tmp2Plot: path.join(req.temp2Dir, `${ctx.name}.plot.2.tmp`),
    destTemp: path.join(req.destDir, `${ctx.name}.plot.2.tmp`),
    finalPlot: path.join(req.destDir, `${ctx.name}.plot`),
  };
  const steps: SimStep[] = [
    ...chiaposHeader(req, ctx),
    ...chiaposPhase1(req, ctx, ram, files),
    ...chiaposPhase2(req),
    ...chiaposPhase3(req, ctx, ram, files),
    ...chiaposPhase4(req, ram, files),
    { kind: 'end' },
    { kind: 'remove', files: files.tempFiles },
    ...(path.resolve(req.temp2Dir) === path.resolve(req.destDir) ? renameInPlace(files) : copyToDestination(files)),
    line(logged('Summary:')),
    line(logged('Created a total of 1 new plots')),
    line(logged(`${ctx.name}.plot`)),
  ];
  return {
    steps,
    phaseWeights: [33.4, 20.43, 42.29, 3.88],
    failure: (phase) => ({
      stdout: [],
      stderr: [
        'Traceback (most recent call last):',
        '  File "chia/plotting/create_plots.py", line 240, in create_plots',
        `RuntimeError: simulated plotter failure at the start of phase ${phase} (SIMPLOTTER_FAIL_PHASE=${phase})`,
      ],
    }),
  };
}

/** The logger's lines about the run, then chiapos's settings. */
function chiaposHeader(req: SimRequest, ctx: SimContext): SimStep[] {
  const pool = req.poolContract ? `pool contract address:  ${req.poolContract}` : `pool public key:  ${req.poolKey}`;
  return [
    line(logged(`Creating 1 plots of size ${req.k}, ${pool} farmer public key: ${req.farmerKey}`)),
    line(logged(`Memo: ${randomHex(128)}`)),
    line(logged('Starting plot 1/1')),
    line(''),
    line(`Starting plotting progress into temporary dirs: ${req.tempDir} and ${req.temp2Dir}`),
    line(`ID: ${ctx.id}`),
    line(`Plot size is: ${req.k}`),
    line(`Buffer size is: ${req.buffer}MiB`),
    line(`Using ${req.buckets} buckets`),
    line(`Final Directory is: ${req.destDir}`),
    line(`Using ${req.threads} threads of stripe size 65536`),
    line(`Process ID is: ${ctx.pid}`),
    line(''),
  ];
}

/** Phase 1: the temp files appear; table 1, then tables 2 to 7 with their bucket sorts. */
function chiaposPhase1(req: SimRequest, ctx: SimContext, ram: string, files: ChiaposFiles): SimStep[] {
  return [
    { kind: 'phase', phase: 1 },
    line((c) => `Starting phase 1/4: Forward Propagation into tmp files... ${ctime(c.now)}`),
    { kind: 'create', files: files.tempFiles, bytes: ctx.tempBytes },
    line('Computing table 1'),
    line(timed('F1 complete, time: ', 'sinceMark', '138.26')),
    ...[2, 3, 4, 5, 6, 7].flatMap((table): SimStep[] => [
      { kind: 'mark' },
      line(`Computing table ${table}`),
      ...bucketLines(req.buckets, ram),
      line(`\tTotal matches: ${4294967296 - table * 17023}`),
      line(timed('Forward propagation table time: ', 'sinceMark', '205.770')),
    ]),
    line(timed('Time for phase 1 = ', 'sincePhase', '194.060')),
    line(''),
  ];
}

/** Phase 2: backpropagation over tables 7 down to 2 (table 7 is not sorted). */
function chiaposPhase2(req: SimRequest): SimStep[] {
  const backprop = req.noBitfield
    ? 'Backpropagation without bitfield into tmp files'
    : 'Backpropagation into tmp files';
  return [
    { kind: 'phase', phase: 2 },
    line((c) => `Starting phase 2/4: ${backprop}... ${ctime(c.now)}`),
    ...[7, 6, 5, 4, 3, 2].flatMap((table): SimStep[] => [
      { kind: 'mark' },
      line(`Backpropagating on table ${table}`),
      line(`scanned table ${table}`),
      line(timed('scanned time =  ', 'sinceMark', '95.530')),
      line(`sorting table ${table}`),
      ...(table < 7 ? [line(timed('sort time =  ', 'sinceMark', '98.960'))] : []),
    ]),
    line('table 1 new size: 3425157261'),
    line(timed('Time for phase 2 = ', 'sincePhase', '96.700')),
    line('Wrote: 252'),
    line(''),
  ];
}

/** Phase 3: the .2.tmp plot appears in temp2; each table pair is compressed in two passes. */
function chiaposPhase3(req: SimRequest, ctx: SimContext, ram: string, files: ChiaposFiles): SimStep[] {
  return [
    { kind: 'phase', phase: 3 },
    line((c) => `Starting phase 3/4: Compression from tmp files into "${files.tmp2Plot}" ... ${ctime(c.now)}`),
    { kind: 'create', files: [files.tmp2Plot], bytes: ctx.finalBytes, header: ctx.header },
    ...[1, 2, 3, 4, 5, 6].flatMap((table): SimStep[] => [
      { kind: 'mark' },
      line(`Compressing tables ${table} and ${table + 1}`),
      ...bucketLines(req.buckets, ram),
      line(timed('\tFirst computation pass time: ', 'sinceMark', '97.120')),
      ...bucketLines(req.buckets, ram),
      line(timed('\tSecond computation pass time: ', 'sinceMark', '96.830')),
      line(`\tWrote ${3429305571 + table * 10420000} entries`),
      line(timed('Total compress table time: ', 'sinceMark', '96.990')),
    ]),
    line(timed('Time for phase 3 = ', 'sincePhase', '95.340')),
    line(''),
  ];
}

/** Phase 4: the checkpoint tables and the table pointers, then the totals. */
function chiaposPhase4(req: SimRequest, ram: string, files: ChiaposFiles): SimStep[] {
  const pointers = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'C1', 'C2', 'C3'];
  return [
    { kind: 'phase', phase: 4 },
    line((c) => `Starting phase 4/4: Write Checkpoint tables into "${files.tmp2Plot}" ... ${ctime(c.now)}`),
    line('\tStarting to write C1 and C3 tables'),
    ...bucketLines(req.buckets, ram),
    line('\tFinished writing C1 and C3 tables'),
    line('\tWriting C2 table'),
    line('\tFinished writing C2 table'),
    line('\tFinal table pointers:'),
    ...pointers.map((pointer, i) => line(`\t${pointer}: 0x${(0xfc + i * 0x3747af77c).toString(16)}`)),
    line(timed('Time for phase 4 = ', 'sincePhase', '97.420')),
    line('Approximate working space used (without final file): 269.297 GiB'),
    line(`Final File size: ${(finalPlotBytes(req.k) / GIB).toFixed(3)} GiB`),
    line(timed('Total time = ', 'sinceStart', '139.320')),
  ];
}

/** temp2 is the destination: the .2.tmp is renamed. */
function renameInPlace({ tmp2Plot, finalPlot }: ChiaposFiles): SimStep[] {
  return [
    { kind: 'move', from: tmp2Plot, to: finalPlot },
    line(`Renamed final file from "${tmp2Plot}" to "${finalPlot}"`),
  ];
}

/** temp2 is elsewhere: the .2.tmp is copied into the destination, removed from temp2, and renamed there. */
function copyToDestination({ tmp2Plot, destTemp, finalPlot }: ChiaposFiles): SimStep[] {
  return [
    { kind: 'mark' },
    { kind: 'copy', from: tmp2Plot, to: destTemp },
    line(`Copied final file from "${tmp2Plot}" to "${destTemp}"`),
    line(timed('Copy time = ', 'sinceMark', '41.390')),
    { kind: 'remove', files: [tmp2Plot] },
    line(`Removed temp2 file "${tmp2Plot}"? 1`),
    { kind: 'move', from: destTemp, to: finalPlot },
    line(`Renamed final file from "${destTemp}" to "${finalPlot}"`),
  ];
}
