// `goplot analyze` over a big farm: 10,000 plot logs in the farm layout (a plotter mix: 30 % chiapos
// with 128 buckets at ~200 KB and ~2,600 lines each, 40 % madmax, 10 % each bladebit RAM, disk and
// CUDA; one in twenty cut short), timed through analyzePlotLogs (find, read, parse, group). Target < 5 s.
// Also: one full chiapos log parsed whole vs appended to an incremental parser, for the view.
// Run: npx tsc -p tsconfig.json && node bench/analyze.bench.js [--logs N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzePlotLogs } from '../lib/analyze/analyze-plot-logs.js';
import { createPlotLogParser, parsePlotLog } from '../lib/plot-log/parse-plot-log.js';
import {
  asText,
  bladebitCudaLog,
  bladebitDiskLog,
  bladebitRamLog,
  chiaposLog,
  fakePlotId,
  madmaxLog,
  type SyntheticPlot,
} from '../test/fixtures/plot-logs/synthetic-logs.js';

const logsArg = process.argv.indexOf('--logs');
const LOGS = logsArg > 0 ? Number(process.argv[logsArg + 1]) : 10_000;
const FARMS = 10;
const DISKS_PER_FARM = 20;

function logFor(i: number, farmRoot: string, farm: number, disk: number): string[] {
  const plot: SyntheticPlot = {
    plotId: fakePlotId(i + 1),
    start: new Date(2024, 0, 1 + (i % 300), i % 24, i % 60),
    phaseSeconds: [7000 + (i % 900), 3000 + (i % 300), 6000 + (i % 700), 400 + (i % 50)],
    tempDir: `/plot_temp/${i % 8}`,
    destDir: `${farmRoot}/farm${farm}/disk${disk}/plots`,
  };
  const kind = i % 10;
  const lines =
    kind < 3
      ? chiaposLog(plot)
      : kind < 7
        ? madmaxLog(plot)
        : kind === 7
          ? bladebitRamLog(plot)
          : kind === 8
            ? bladebitDiskLog(plot)
            : bladebitCudaLog(plot);
  return i % 20 === 19 ? lines.slice(0, Math.floor(lines.length / 2)) : lines;
}

function writeFarm(farmRoot: string): number {
  let bytes = 0;
  for (let i = 0; i < LOGS; i++) {
    const farm = i % FARMS;
    const disk = Math.floor(i / FARMS) % DISKS_PER_FARM;
    const logs = path.join(farmRoot, `farm${farm}`, `disk${disk}`, 'logs');
    if (i < FARMS * DISKS_PER_FARM) {
      fs.mkdirSync(logs, { recursive: true });
      fs.mkdirSync(path.join(farmRoot, `farm${farm}`, `disk${disk}`, 'plots'), { recursive: true });
    }
    const text = asText(logFor(i, farmRoot, farm, disk));
    fs.writeFileSync(path.join(logs, `plot.${i + 1}.log`), text);
    bytes += text.length;
  }
  return bytes;
}

function main(): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-analyze-bench-'));
  try {
    const farmRoot = path.join(root, 'farm');
    const written = writeFarm(farmRoot);
    // First run warms the page cache and the JIT; the second is the one reported.
    analyzePlotLogs({ farmRoot, now: () => Date.now() });
    // CPU time too: on a busy machine the wall time says more about the neighbours than about us.
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    const result = analyzePlotLogs({ farmRoot, now: () => Date.now() });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const { counts } = result;
    if (counts.logs !== LOGS) throw new Error(`expected ${LOGS} logs, analyze read ${counts.logs}`);

    const chiapos = asText(
      chiaposLog({
        plotId: fakePlotId(1),
        start: new Date(2024, 0, 1),
        phaseSeconds: [8000, 3300, 6500, 420],
        tempDir: '/plot_temp/1',
        destDir: '/farm/f/d/plots',
      }),
    );
    const rounds = 200;
    let at = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) parsePlotLog(chiapos);
    const fullMs = Number(process.hrtime.bigint() - at) / 1e6 / rounds;
    const parser = createPlotLogParser();
    const chunk = 4096;
    at = process.hrtime.bigint();
    for (let offset = 0; offset < chiapos.length; offset += chunk) {
      parser.push(chiapos.slice(offset, offset + chunk));
      parser.info();
    }
    const incrementalMs = Number(process.hrtime.bigint() - at) / 1e6;

    const load = os.loadavg()[0].toFixed(1);
    console.log(
      '| plot logs | MiB | analyzePlotLogs wall (s) | CPU (s) | load avg | logs/s (wall) | finished / running+unfinished ' +
        '| full chiapos log parse (ms) | same log appended in 4 KiB chunks, info() each (ms) |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    console.log(
      `| ${LOGS} | ${(written / 2 ** 20).toFixed(0)} | ${seconds.toFixed(2)} | ${cpuSeconds.toFixed(2)} | ${load} | ${Math.round(LOGS / seconds)} | ` +
        `${counts.finished} / ${counts.running + counts.unfinished} | ${fullMs.toFixed(2)} | ${incrementalMs.toFixed(2)} |`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main();
