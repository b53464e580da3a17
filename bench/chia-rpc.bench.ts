// getfarm through chia's RPC against the same run through the CLI, both as cron runs them
// (`node collectors/getfarm_collector.js`, Node's start included), and in process.
// The RPC: the four chia services on 127.0.0.1 with mutual TLS 1.3, replaying the real answers of
// test/fixtures/chia-rpc (8 calls, 3 TLS handshakes). The CLI: test/fake-bin/chia behind a wrapper
// that first sleeps as long as a real `chia` takes to start (CHIA_START_MS below), for both
// `chia show -s` and `chia farm summary`, run side by side as the collector runs them.
// Run: npm run bench -- chia-rpc   (BENCH_CHIA_START_MS=… to use your own `time chia farm summary`)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseChiaJson, parseExactly } from '../lib/chia-rpc/chia-json.js';
import { collectFarm } from '../lib/metrics/collect-farm.js';
import { PACKAGE_ROOT, resolveHome } from '../lib/config/home.js';
import { initValueFiles, setValue } from '../lib/config/write-value.js';
import { startFakeChiaFarm } from '../test/helpers/fake-chia-farm.js';
import { median, p95, timeRuns } from './timing.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
/**
 * How long the chia CLI takes to start before it prints anything: an assumption, not a
 * measurement (chia could not be installed on the machine this ran on; no published timing of
 * `chia farm summary` was found). Override it with your own figure.
 */
const CHIA_START_MS = Number(process.env.BENCH_CHIA_START_MS ?? 1500);
const FAKE_CHIA = path.join(PACKAGE_ROOT, 'test', 'fake-bin', 'chia');
const CLI_FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli');

/** Milliseconds one process takes, without blocking this process (it serves the chia RPC meanwhile). */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('node', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-chia-rpc-'));
  const farm = await startFakeChiaFarm(root, 30 * 60_000);
  try {
    const home = (name: string, values: Record<string, string>) => {
      const paths = resolveHome({ home: path.join(root, name) });
      initValueFiles(paths);
      fs.mkdirSync(path.join(root, `${name}-prom`));
      for (const [key, value] of Object.entries({ prom_dir: path.join(root, `${name}-prom`), ...values }))
        setValue(paths, key, value);
      return paths;
    };
    const slowChia = path.join(root, 'chia-that-starts-like-chia');
    fs.writeFileSync(slowChia, `#!/bin/sh\nsleep ${CHIA_START_MS / 1000}\nexec ${FAKE_CHIA} "$@"\n`, { mode: 0o755 });
    const rpcHome = home('rpc', { chia_rpc: 'on', chia_root: farm.chiaRoot });
    const cliHome = home('cli', { chia_rpc: 'off', chia_bin: slowChia });
    const cliEnv = {
      FAKE_CHIA_SHOW_S: path.join(CLI_FIXTURES, 'show-s_2x_syncing.txt'),
      FAKE_CHIA_FARM_SUMMARY: path.join(CLI_FIXTURES, 'farm-summary_2x_loading-remotes.txt'),
    };
    Object.assign(process.env, cliEnv);

    const rpcInProcess = await timeRuns(async () => {
      const outcome = await collectFarm({ paths: rpcHome });
      if (!outcome.ok) throw new Error(outcome.problem);
    }, RUNS);
    const collector = path.join(PACKAGE_ROOT, 'collectors', 'getfarm_collector.js');
    const nodeAlone: number[] = [];
    const gotAlone: number[] = [];
    const httpsAlone: number[] = [];
    const jsYamlAlone: number[] = [];
    const rpcProcess: number[] = [];
    const cliProcess: number[] = [];
    const chiaAlone: number[] = [];
    await timeProcess([collector], { GOPLOT_HOME: rpcHome.home }); // warm the page cache
    for (let i = 0; i < RUNS; i++) {
      nodeAlone.push(await timeProcess(['-e', '0'], {}));
      gotAlone.push(await timeProcess(['--input-type=module', '-e', "await import('got')"], {}));
      httpsAlone.push(await timeProcess(['--input-type=module', '-e', "await import('node:https')"], {}));
      jsYamlAlone.push(await timeProcess(['--input-type=module', '-e', "await import('js-yaml')"], {}));
      rpcProcess.push(await timeProcess([collector], { GOPLOT_HOME: rpcHome.home }));
      if (i < Math.max(3, Math.floor(RUNS / 3))) {
        cliProcess.push(await timeProcess([collector], { GOPLOT_HOME: cliHome.home, ...cliEnv }));
        const started = performance.now();
        await Promise.all(
          ['show -s', 'farm summary'].map(
            (command) =>
              new Promise<void>((resolve, reject) => {
                const child = spawn(slowChia, command.split(' '), { env: process.env, stdio: 'ignore' });
                child.on('error', reject);
                child.on('close', () => resolve());
              }),
          ),
        );
        chiaAlone.push(performance.now() - started);
      }
    }
    const ms = (value: number) => value.toFixed(1);
    console.log(
      `### getfarm: chia's RPC against the CLI (${RUNS} runs each, the CLI ${cliProcess.length}; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)})`,
    );
    console.log('');
    console.log(
      `The CLI's start is taken as ${CHIA_START_MS} ms per \`chia\` command: an assumption, not a measurement (see the bench's header).`,
    );
    console.log('');
    console.log(
      "| run | as cron runs it, median (ms) | p95 (ms) | of which chia (ms) | the collector's own time (ms) | of which `node -e 0` (ms) | in process, median (ms) |",
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| getfarm via the RPC (8 calls to 3 services, mutual TLS 1.3) | ${ms(median(rpcProcess))} | ${ms(p95(rpcProcess))} | – | ${ms(median(rpcProcess))} | ${ms(median(nodeAlone))} | ${ms(median(rpcInProcess))} |`,
    );
    console.log(
      `| getfarm via the CLI (\`chia show -s\` + \`chia farm summary\`) | ${ms(median(cliProcess))} | ${ms(p95(cliProcess))} | ${ms(median(chiaAlone))} | ${ms(median(cliProcess) - median(chiaAlone))} | ${ms(median(nodeAlone))} | – |`,
    );
    console.log(
      `| for scale: \`node -e "import('got')"\` alone | ${ms(median(gotAlone))} | ${ms(p95(gotAlone))} | – | – | ${ms(median(nodeAlone))} | – |`,
    );
    console.log(
      `| for scale: \`node -e "import('node:https')"\` alone | ${ms(median(httpsAlone))} | ${ms(p95(httpsAlone))} | – | – | ${ms(median(nodeAlone))} | – |`,
    );
    console.log(
      `| the YAML parser for config.yaml: \`import('js-yaml')\` alone | ${ms(median(jsYamlAlone))} | ${ms(p95(jsYamlAlone))} | – | – | ${ms(median(nodeAlone))} | – |`,
    );
    console.log('');
    await benchParsing();
  } finally {
    await farm.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A big harvester's get_plots (the real sample's plot, 10,000 times) through each parser. */
async function benchParsing(): Promise<void> {
  const sample = JSON.parse(
    fs.readFileSync(
      path.join(
        PACKAGE_ROOT,
        'test',
        'fixtures',
        'chia-rpc',
        'harvester_get_plots_v1.7-docs_two-k25-plotnft-one-not-found.json',
      ),
      'utf8',
    ),
  ) as { plots: { filename: string }[] };
  const plots = Array.from({ length: 10_000 }, (_, i) => ({
    ...sample.plots[0]!,
    filename: sample.plots[0]!.filename.replace('.plot', `-${i}.plot`),
  }));
  const text = JSON.stringify({ failed_to_open_filenames: [], not_found_filenames: [], plots, success: true });
  const state = fs.readFileSync(
    path.join(
      PACKAGE_ROOT,
      'test',
      'fixtures',
      'chia-rpc',
      'full_node_get_blockchain_state_v1.7-docs_mainnet-synced-h3326213.json',
    ),
    'utf8',
  );
  const runs = Math.max(5, Math.floor(RUNS / 3));
  const rows: [string, string, (input: string) => unknown][] = [
    ['JSON.parse (loses digits above 2^53)', text, JSON.parse],
    ['lossless-json, every number checked (parseExactly)', text, parseExactly],
    ['parseChiaJson: JSON.parse when no number has 16+ digits', text, parseChiaJson],
  ];
  console.log(
    `### parsing a harvester's get_plots of 10,000 plots (${(text.length / 1e6).toFixed(1)} MB), ${runs} runs`,
  );
  console.log('');
  console.log('| parser | median (ms) | p95 (ms) |');
  console.log('|---|---:|---:|');
  for (const [name, input, parse] of rows) {
    const times = await timeRuns(() => parse(input), runs);
    console.log(`| ${name} | ${median(times).toFixed(1)} | ${p95(times).toFixed(1)} |`);
  }
  const exact = await timeRuns(() => parseChiaJson(state), runs * 10);
  console.log(
    `| parseChiaJson on get_blockchain_state (${state.length} bytes; netspace > 2^64: the exact way) | ${median(exact).toFixed(2)} | ${p95(exact).toFixed(2)} |`,
  );
}

main().catch((error: unknown) => {
  console.error(`chia-rpc bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
