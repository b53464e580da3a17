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

/**
 * `chia plots create` stdout (FORMATS.md §1): logger header, chiapos's 4 phases with
 * buckets x 6 bucket lines in phase 1, the copy to the final dir and the final rename.
 */
export function chiaposScript(req: SimRequest, ctx: SimContext): SimScript {
  const line = (text: string | ((clock: LineClock) => string)): SimStep => ({ kind: 'line', text });
  const ram = ((req.buffer / 1024) * 0.98).toFixed(3);
  const tempFile = (suffix: string): string => path.join(req.tempDir, `${ctx.name}.plot.${suffix}`);
  const tempFiles = [...[1, 2, 3, 4, 5, 6, 7].map((t) => tempFile(`table${t}.tmp`)), tempFile('sort.tmp')];
  const tmp2Plot = path.join(req.temp2Dir, `${ctx.name}.plot.2.tmp`);
  const destTemp = path.join(req.destDir, `${ctx.name}.plot.2.tmp`);
  const finalPlot = path.join(req.destDir, `${ctx.name}.plot`);
  const sameDir = path.resolve(req.temp2Dir) === path.resolve(req.destDir);
  const pool = req.poolContract ? `pool contract address:  ${req.poolContract}` : `pool public key:  ${req.poolKey}`;
  const steps: SimStep[] = [
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
    { kind: 'phase', phase: 1 },
    line((c) => `Starting phase 1/4: Forward Propagation into tmp files... ${ctime(c.now)}`),
    { kind: 'create', files: tempFiles, bytes: ctx.tempBytes },
    line('Computing table 1'),
    line(timed('F1 complete, time: ', 'sinceMark', '138.26')),
  ];
  for (let table = 2; table <= 7; table++) {
    steps.push({ kind: 'mark' }, line(`Computing table ${table}`), ...bucketLines(req.buckets, ram));
    steps.push(
      line(`\tTotal matches: ${4294967296 - table * 17023}`),
      line(timed('Forward propagation table time: ', 'sinceMark', '205.770')),
    );
  }
  steps.push(line(timed('Time for phase 1 = ', 'sincePhase', '194.060')), line(''), { kind: 'phase', phase: 2 });
  const backprop = req.noBitfield
    ? 'Backpropagation without bitfield into tmp files'
    : 'Backpropagation into tmp files';
  steps.push(line((c) => `Starting phase 2/4: ${backprop}... ${ctime(c.now)}`));
  for (let table = 7; table >= 2; table--) {
    steps.push({ kind: 'mark' }, line(`Backpropagating on table ${table}`), line(`scanned table ${table}`));
    steps.push(line(timed('scanned time =  ', 'sinceMark', '95.530')), line(`sorting table ${table}`));
    if (table < 7) steps.push(line(timed('sort time =  ', 'sinceMark', '98.960')));
  }
  steps.push(
    line('table 1 new size: 3425157261'),
    line(timed('Time for phase 2 = ', 'sincePhase', '96.700')),
    line('Wrote: 252'),
    line(''),
  );
  steps.push(
    { kind: 'phase', phase: 3 },
    line((c) => `Starting phase 3/4: Compression from tmp files into "${tmp2Plot}" ... ${ctime(c.now)}`),
  );
  steps.push({ kind: 'create', files: [tmp2Plot], bytes: ctx.finalBytes, header: ctx.header });
  for (let table = 1; table <= 6; table++) {
    steps.push(
      { kind: 'mark' },
      line(`Compressing tables ${table} and ${table + 1}`),
      ...bucketLines(req.buckets, ram),
    );
    steps.push(line(timed('\tFirst computation pass time: ', 'sinceMark', '97.120')), ...bucketLines(req.buckets, ram));
    steps.push(
      line(timed('\tSecond computation pass time: ', 'sinceMark', '96.830')),
      line(`\tWrote ${3429305571 + table * 10420000} entries`),
    );
    steps.push(line(timed('Total compress table time: ', 'sinceMark', '96.990')));
  }
  steps.push(line(timed('Time for phase 3 = ', 'sincePhase', '95.340')), line(''));
  steps.push(
    { kind: 'phase', phase: 4 },
    line((c) => `Starting phase 4/4: Write Checkpoint tables into "${tmp2Plot}" ... ${ctime(c.now)}`),
  );
  steps.push(
    line('\tStarting to write C1 and C3 tables'),
    ...bucketLines(req.buckets, ram),
    line('\tFinished writing C1 and C3 tables'),
  );
  steps.push(line('\tWriting C2 table'), line('\tFinished writing C2 table'), line('\tFinal table pointers:'));
  for (const [i, pointer] of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'C1', 'C2', 'C3'].entries()) {
    steps.push(line(`\t${pointer}: 0x${(0xfc + i * 0x3747af77c).toString(16)}`));
  }
  steps.push(line(timed('Time for phase 4 = ', 'sincePhase', '97.420')));
  steps.push(line('Approximate working space used (without final file): 269.297 GiB'));
  steps.push(
    line(`Final File size: ${(finalPlotBytes(req.k) / GIB).toFixed(3)} GiB`),
    line(timed('Total time = ', 'sinceStart', '139.320')),
  );
  steps.push({ kind: 'end' }, { kind: 'remove', files: tempFiles });
  if (sameDir) {
    steps.push(
      { kind: 'move', from: tmp2Plot, to: finalPlot },
      line(`Renamed final file from "${tmp2Plot}" to "${finalPlot}"`),
    );
  } else {
    steps.push(
      { kind: 'mark' },
      { kind: 'copy', from: tmp2Plot, to: destTemp },
      line(`Copied final file from "${tmp2Plot}" to "${destTemp}"`),
    );
    steps.push(line(timed('Copy time = ', 'sinceMark', '41.390')), { kind: 'remove', files: [tmp2Plot] });
    steps.push(line(`Removed temp2 file "${tmp2Plot}"? 1`), { kind: 'move', from: destTemp, to: finalPlot });
    steps.push(line(`Renamed final file from "${destTemp}" to "${finalPlot}"`));
  }
  steps.push(
    line(logged('Summary:')),
    line(logged('Created a total of 1 new plots')),
    line(logged(`${ctx.name}.plot`)),
  );
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
