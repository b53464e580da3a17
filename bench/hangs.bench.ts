// What a down or hung service costs in time, side by side with the same service answering:
// Grafana annotations and notifications in process (the tractor's and diskhand's calls), the built
// tractor with Grafana and its webhook hanging, and getfarm_collector with a chia that never ends.
// The tests prove these paths end and say why; the time they take is measured here.
// Run: npm run bench -- hangs (or npx tsc -p tsconfig.json && node bench/hangs.bench.js [--runs N])
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '../lib/config/config-reader.js';
import { PACKAGE_ROOT, resolveHome, type HomePaths } from '../lib/config/home.js';
import { initValueFiles, setValue } from '../lib/config/write-value.js';
import { createPlotEvents, type PlotInfo } from '../lib/notify/plot-events.js';
import { createLogger } from '../lib/util/logger.js';
import { median } from './timing.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const TIMEOUT_MS = 300;
const FAKE_CHIA = path.join(PACKAGE_ROOT, 'test', 'fake-bin', 'chia');
const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli');
const plot: PlotInfo = {
  index: 7,
  farm: 'f1',
  disk: 'd1',
  tempDir: '/plot_temp/1',
  destDir: '/farm/f1/d1/plots',
  plotter: 'chia',
  k: 32,
  pid: 4242,
};

type Mode = 'answering' | 'down' | 'hanging';

/** A service on 127.0.0.1 that answers 200 {"id":1}, or never answers; closed for "down". */
async function startService(mode: Mode): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (mode === 'hanging') return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":1}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  if (mode === 'down') await close();
  return { url, close: mode === 'down' ? async () => {} : close };
}

function set(paths: HomePaths, name: string, value: string | number): void {
  const result = setValue(paths, name, String(value));
  if (!result.ok) throw new Error(result.message);
}

function makeHome(root: string, serviceUrl: string): HomePaths {
  const paths = resolveHome({ home: path.join(fs.mkdtempSync(path.join(root, 'run-')), 'home') });
  initValueFiles(paths);
  set(paths, 'grafana_url', serviceUrl);
  set(paths, 'notify_gap', 0);
  fs.writeFileSync(path.join(paths.configDir, 'grafana_token'), 'glsa_bench_token\n', { mode: 0o600 });
  fs.writeFileSync(path.join(paths.configDir, 'notify_webhook'), `${serviceUrl}/hook\n`, { mode: 0o600 });
  return paths;
}

async function timeInProcess(root: string, mode: Mode) {
  const service = await startService(mode);
  const started: number[] = [];
  const finished: number[] = [];
  const notified: number[] = [];
  let boundMs = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const paths = makeHome(root, service.url);
      const events = createPlotEvents({
        paths,
        config: new ConfigReader(paths, () => {}),
        log: createLogger(paths, 'bench'),
        env: {},
        now: Date.now,
        host: 'bench',
        timeoutMs: TIMEOUT_MS,
      });
      boundMs = events.boundMs;
      let at = performance.now();
      events.started(plot);
      started.push(performance.now() - at);
      at = performance.now();
      await events.finished(plot, 60);
      finished.push(performance.now() - at);
      at = performance.now();
      await events.notifyEvent('disk_full', 'f1/d1', 'disk f1/d1 is full');
      notified.push(performance.now() - at);
    }
  } finally {
    await service.close();
  }
  return { started, finished, notified, boundMs };
}

/** Wall time of `node <script>` as a user runs it; async, as the services answer from this process. */
async function timeScript(relative: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const at = performance.now();
  const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, relative), ...args], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
    timeout: 120_000,
  });
  await new Promise((resolve, reject) => child.once('exit', resolve).once('error', reject));
  return performance.now() - at;
}

async function timeTractor(root: string, mode: 'answering' | 'hanging'): Promise<number[]> {
  const service = await startService(mode);
  const times: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const paths = makeHome(root, service.url);
      const base = path.dirname(paths.home);
      for (const dir of ['farm/f1/d1/plots', 'farm/f1/d1/logs', 'plot_temp/1'])
        fs.mkdirSync(path.join(base, dir), { recursive: true });
      const values = {
        farm_root: path.join(base, 'farm'),
        temp_root: path.join(base, 'plot_temp'),
        chia_bin: path.join(PACKAGE_ROOT, 'scripts', 'simplotter.js'),
        k: 25,
        require_mount: 'no',
        on_toggle: 'run',
      };
      for (const [name, value] of Object.entries(values)) set(paths, name, value);
      times.push(
        await timeScript('scripts/tractor.js', [], {
          GOPLOT_HOME: paths.home,
          SIMPLOTTER_SECONDS: '1',
          GOPLOT_HTTP_TIMEOUT_MS: '500',
        }),
      );
    }
  } finally {
    await service.close();
  }
  return times;
}

async function timeCollector(root: string, mode: 'ok' | 'hang'): Promise<number[]> {
  const paths = makeHome(root, 'http://127.0.0.1:9');
  const prom = path.join(path.dirname(paths.home), 'prom');
  fs.mkdirSync(prom, { recursive: true });
  set(paths, 'prom_dir', prom);
  set(paths, 'chia_bin', FAKE_CHIA);
  const env = {
    GOPLOT_HOME: paths.home,
    FAKE_CHIA_MODE: mode,
    FAKE_CHIA_HANG_SECONDS: '200',
    FAKE_CHIA_SHOW_S: path.join(FIXTURES, 'show-s_2x_syncing.txt'),
    FAKE_CHIA_FARM_SUMMARY: path.join(FIXTURES, 'farm-summary_2x_farmer-down.txt'),
  };
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++)
    times.push(await timeScript('collectors/getfarm_collector.js', ['--timeout', '1'], env));
  return times;
}

const ms = (values: number[]) => `${median(values).toFixed(0)} ms | ${Math.max(...values).toFixed(0)} ms`;

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-hangs-'));
  try {
    const inProcess = {
      answering: await timeInProcess(root, 'answering'),
      down: await timeInProcess(root, 'down'),
      hanging: await timeInProcess(root, 'hanging'),
    };
    const tractor = { answering: await timeTractor(root, 'answering'), hanging: await timeTractor(root, 'hanging') };
    const collector = { ok: await timeCollector(root, 'ok'), hang: await timeCollector(root, 'hang') };
    const bound = inProcess.answering.boundMs;
    console.log(
      `### down and hung services (load ${os.loadavg()[0]!.toFixed(1)} at the end; HTTP timeout ${TIMEOUT_MS} ms in process, 500 ms for the tractor)\n`,
    );
    console.log('| measure | target | median | max | runs |');
    console.log('|---|---|---:|---:|---:|');
    for (const mode of ['answering', 'down', 'hanging'] as const) {
      const run = inProcess[mode];
      console.log(`| Grafana ${mode}: started() returns | at once (< 50 ms) | ${ms(run.started)} | ${RUNS} |`);
      console.log(
        `| Grafana ${mode}: finished() settles (waits for the start's request too) | <= boundMs ${bound} ms | ${ms(run.finished)} | ${RUNS} |`,
      );
      console.log(`| webhook ${mode}: notifyEvent settles | <= boundMs ${bound} ms | ${ms(run.notified)} | ${RUNS} |`);
    }
    console.log(
      `| built tractor, 1 s simulated plot, Grafana and webhook answering | | ${ms(tractor.answering)} | ${RUNS} |`,
    );
    console.log(
      `| built tractor, 1 s simulated plot, Grafana and webhook hanging | answering + 2 timeouts | ${ms(tractor.hanging)} | ${RUNS} |`,
    );
    console.log(`| getfarm_collector --timeout 1, chia answering | | ${ms(collector.ok)} | ${RUNS} |`);
    console.log(
      `| getfarm_collector --timeout 1, chia hanging 200 s | about 1 s more than answering | ${ms(collector.hang)} | ${RUNS} |`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
