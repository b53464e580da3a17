// The farm and harvester collectors' own time, without the chia command (target < 300 ms each).
// In process: collectFarm with chia's output handed over at once (parse, registry, config, atomic
// write), and collectHarvester on the real /proc and a farm of 2,000 plot files on 20 disks.
// As cron runs them: the built `node collectors/<x>.js`, with the fake chia (bash + cat) for the
// farm, minus that fake chia's own time measured alone, and `node -e 0` for Node's start.
// Run: npx tsc -p tsconfig.json && node bench/collectors.bench.js [--runs N]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChiaRunResult } from '../lib/chia-cli/run-chia.js';
import { collectFarm } from '../lib/metrics/collect-farm.js';
import { collectHarvester } from '../lib/metrics/collect-harvester.js';
import { PACKAGE_ROOT, resolveHome } from '../lib/config/home.js';
import { initValueFiles, setValue } from '../lib/config/write-value.js';
import { median, p95, timeProcess, timeRuns } from './timing.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
const PLOTS = 2000;
const DISKS = 20;
const FAKE_CHIA = path.join(PACKAGE_ROOT, 'test', 'fake-bin', 'chia');
const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli');
const SHOW = path.join(FIXTURES, 'show-s_2x_syncing.txt');
const SUMMARY = path.join(FIXTURES, 'farm-summary_2x_loading-remotes.txt');

/** Both chia commands at once, as the collector runs them. */
async function timeFakeChia(env: NodeJS.ProcessEnv): Promise<number> {
  const { execa } = await import('execa');
  const started = performance.now();
  await Promise.all([execa(FAKE_CHIA, ['show', '-s'], { env }), execa(FAKE_CHIA, ['farm', 'summary'], { env })]);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-collectors-'));
  try {
    const paths = resolveHome({ home: path.join(root, 'home') });
    initValueFiles(paths);
    const farmRoot = path.join(root, 'farm');
    for (let i = 0; i < PLOTS; i++) {
      const plots = path.join(farmRoot, `farm${(i % DISKS) % 4}`, `disk${i % DISKS}`, 'plots');
      fs.mkdirSync(plots, { recursive: true });
      fs.writeFileSync(path.join(plots, `plot-k32-${i}.plot`), '');
    }
    setValue(paths, 'farm_root', farmRoot);
    fs.mkdirSync(path.join(root, 'prom'), { recursive: true });
    setValue(paths, 'prom_dir', path.join(root, 'prom'));
    setValue(paths, 'chia_bin', FAKE_CHIA);
    setValue(paths, 'chia_rpc', 'off'); // this bench is the CLI path's; the RPC's is chia-rpc.bench
    const env = { GOPLOT_HOME: paths.home, FAKE_CHIA_SHOW_S: SHOW, FAKE_CHIA_FARM_SUMMARY: SUMMARY };

    const outputs = {
      'show -s': fs.readFileSync(SHOW, 'utf8'),
      'farm summary': fs.readFileSync(SUMMARY, 'utf8'),
    } as Record<string, string>;
    const cannedChia = async (args: string[]): Promise<ChiaRunResult> => ({
      ok: true,
      command: `chia ${args.join(' ')}`,
      stdout: outputs[args.join(' ')]!,
      stderr: '',
      exitCode: 0,
      durationMs: 0,
    });
    const farmInProcess = await timeRuns(async () => {
      const outcome = await collectFarm({ paths, runChia: cannedChia });
      if (!outcome.ok) throw new Error(outcome.problem);
    }, RUNS);
    const harvesterInProcess = await timeRuns(async () => {
      const outcome = await collectHarvester({ paths });
      if (!outcome.ok) throw new Error(outcome.problem);
    }, RUNS);

    const processRuns = Math.max(5, Math.floor(RUNS / 3));
    const nodeAlone: number[] = [];
    const farmProcess: number[] = [];
    const chiaAlone: number[] = [];
    const harvesterProcess: number[] = [];
    for (let i = 0; i < processRuns; i++) {
      nodeAlone.push(timeProcess('node', ['-e', '0'], {}));
      farmProcess.push(timeProcess('node', [path.join(PACKAGE_ROOT, 'collectors', 'getfarm_collector.js')], env));
      chiaAlone.push(await timeFakeChia({ ...process.env, ...env }));
      harvesterProcess.push(
        timeProcess('node', [path.join(PACKAGE_ROOT, 'collectors', 'getharvester_collector.js')], env),
      );
    }
    const processes = execFileSync('sh', ['-c', 'ls -d /proc/[0-9]* | wc -l'], { encoding: 'utf8' }).trim();
    const ms = (value: number) => value.toFixed(1);
    console.log(
      `### collectors: own time without chia (${RUNS} in-process runs, ${processRuns} process runs; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)})`,
    );
    console.log('');
    console.log(
      '| collector | in process, median (ms) | in process, p95 (ms) | `node collectors/…js`, median (ms) | of which chia (fake, both commands) (ms) | own time as cron runs it (ms) | of which `node -e 0` (ms) |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| getfarm (2.x summary, 3 harvester hosts) | ${ms(median(farmInProcess))} | ${ms(p95(farmInProcess))} | ${ms(median(farmProcess))} | ${ms(median(chiaAlone))} | ${ms(median(farmProcess) - median(chiaAlone))} | ${ms(median(nodeAlone))} |`,
    );
    console.log(
      `| getharvester (${processes} processes in /proc, ${PLOTS} plots on ${DISKS} disks) | ${ms(median(harvesterInProcess))} | ${ms(p95(harvesterInProcess))} | ${ms(median(harvesterProcess))} | – | ${ms(median(harvesterProcess))} | ${ms(median(nodeAlone))} |`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`collectors bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
