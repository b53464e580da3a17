// `goplot plots` over a farm of 10,000 plot files (10 farms x 20 disks x 50 plots; sparse files of
// their real size, each with a real header: a mix of v1 solo/pool and v2 C5/C7), run as a user runs
// it (`node scripts/goplot-cli.js plots --json`, Node's start included): first with no header cache
// (every header read), then with the cache (no header read). Beside it, what a user would run
// instead: `find -name '*.plot' -printf '%s'` (names and sizes only; it cannot tell solo from pool
// or the compression level). Targets: < 2 s cold, < 0.5 s cached.
// Run: npx tsc -p tsconfig.json && node bench/plots.bench.js [--plots N]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/config/home.js';
import { buildPlotHeader } from '../lib/plot-file/build-plot-header.js';
import { finalPlotBytes } from '../lib/farm/plot-size.js';
import { ConfigReader } from '../lib/config/config-reader.js';
import { resolveHome } from '../lib/config/home.js';
import { readPlotInventory } from '../lib/inventory/scan-farm-plots.js';

const plotsArg = process.argv.indexOf('--plots');
const PLOTS = plotsArg > 0 ? Number(process.argv[plotsArg + 1]) : 10_000;
const FARMS = 10;
const DISKS = 20;
const RUNS = 5;

function writeFarm(farmRoot: string): void {
  for (let i = 0; i < PLOTS; i++) {
    const dir = path.join(farmRoot, `farm${i % FARMS}`, `disk${Math.floor(i / FARMS) % DISKS}`);
    if (i < FARMS * DISKS) for (const sub of ['plots', 'logs']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const plotId = i.toString(16).padStart(64, '0');
    const compression = i % 4 === 2 ? 5 : i % 4 === 3 ? 7 : 0;
    const header = buildPlotHeader({
      format: compression > 0 ? 'bladebit' : 'v1',
      plotId,
      k: 32,
      compression,
      kind: i % 4 === 0 ? 'solo' : 'pool',
    });
    const level = compression > 0 ? `-c0${compression}` : '';
    const file = path.join(dir, 'plots', `plot-k32${level}-2024-01-01-00-00-${plotId}.plot`);
    fs.writeFileSync(file, header);
    fs.truncateSync(file, finalPlotBytes(32, compression));
  }
}

/** Wall and CPU (user + system, from bash's `time`) of one run, and its stdout. */
function timed(command: string, args: string[]): { seconds: number; cpu: number; stdout: string } {
  const quoted = [command, ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ');
  const started = process.hrtime.bigint();
  const result = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time ${quoted}`], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${quoted} exited ${result.status}: ${result.stderr}`);
  const [user, system] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds, cpu: user! + system!, stdout: result.stdout };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const show = (runs: { seconds: number; cpu: number }[]) =>
  `${median(runs.map((r) => r.seconds)).toFixed(2)} / ${Math.max(...runs.map((r) => r.seconds)).toFixed(2)} / ${median(runs.map((r) => r.cpu)).toFixed(2)}`;

async function inProcess(home: string, cacheFile: string, cold: boolean): Promise<number> {
  if (cold) fs.rmSync(cacheFile, { force: true });
  const started = process.hrtime.bigint();
  await readPlotInventory({ config: new ConfigReader(resolveHome({ home })) });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-plots-bench-'));
  try {
    const home = path.join(root, 'home');
    const farmRoot = path.join(root, 'farm');
    fs.mkdirSync(path.join(home, 'config'), { recursive: true });
    fs.writeFileSync(path.join(home, 'config', 'farm_root.goplot'), `${farmRoot}\n`);
    fs.writeFileSync(path.join(home, 'config', 'replot_match.goplot'), 'kind=solo\n');
    writeFarm(farmRoot);
    const goplot = path.join(PACKAGE_ROOT, 'scripts', 'goplot-cli.js');
    const cli = [goplot, '--home', home, 'plots', '--json'];
    const cacheFile = path.join(home, 'logs', '.plot-headers.json');
    const cold: { seconds: number; cpu: number }[] = [];
    const cached: { seconds: number; cpu: number }[] = [];
    const help: { seconds: number; cpu: number }[] = [];
    const find: { seconds: number; cpu: number }[] = [];
    const coldIn: number[] = [];
    const cachedIn: number[] = [];
    let coldRead = 0;
    let cachedRead = -1;
    for (let run = 0; run < RUNS; run++) {
      fs.rmSync(cacheFile, { force: true });
      const first = timed(process.execPath, cli);
      const firstJson = JSON.parse(first.stdout) as { count: number; headers: { read: number } };
      if (firstJson.count !== PLOTS)
        throw new Error(`expected ${PLOTS} plots, goplot plots counted ${firstJson.count}`);
      cold.push(first);
      coldRead = firstJson.headers.read;
      const second = timed(process.execPath, cli);
      cached.push(second);
      cachedRead = (JSON.parse(second.stdout) as { headers: { read: number } }).headers.read;
      help.push(timed(process.execPath, [goplot, '--help']));
      find.push(timed('find', [farmRoot, '-name', '*.plot', '-printf', '%s %p\n']));
      coldIn.push(await inProcess(home, cacheFile, true));
      cachedIn.push(await inProcess(home, cacheFile, false));
    }
    console.log('Each cell: median wall / max wall / median CPU (user + system), seconds, over the runs.\n');
    console.log(
      '| plots | runs | `goplot plots --json`, no header cache | headers read | with the cache | headers read | `goplot --help` (Node start and imports) | `find -printf` (names and sizes only) | in process, no cache / cache: median wall | load avg |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    console.log(
      `| ${PLOTS} | ${RUNS} | ${show(cold)} | ${coldRead} | ${show(cached)} | ${cachedRead} | ${show(help)} | ${show(find)} | ` +
        `${median(coldIn).toFixed(2)} / ${median(cachedIn).toFixed(2)} | ${os.loadavg()[0].toFixed(1)} |`,
    );
    console.log(
      `\nCache file: ${(fs.statSync(cacheFile).size / 2 ** 20).toFixed(1)} MiB. The plot files were just written, so the page cache holds their first blocks: "no header cache" is not a cold disk.`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
