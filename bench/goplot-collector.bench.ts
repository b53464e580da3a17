// The goplot collector's own time (target < 300 ms) on 100 disks (10 farms x 10, 40 plot files
// each, states of every kind) with 5 simulated plots running and writing their logs.
// In process: collectGoplot (config, /proc, 5 plot logs, 100 state files, space and plots/ of
// 100 disks, registry, atomic write). As cron runs it: the built `node collectors/goplot_collector.js`,
// and `node -e 0` for Node's own start. disk_space statfs (the default) and df (a process per disk).
// Run: npx tsc -p tsconfig.json && node bench/goplot-collector.bench.js [--runs N]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectGoplot } from '../lib/metrics/collect-goplot.js';
import { PACKAGE_ROOT, resolveHome } from '../lib/config/home.js';
import { initValueFiles, setValue } from '../lib/config/write-value.js';
import { median, p95, timeProcess, timeRuns } from './timing.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
const FARMS = 10;
const DISKS_PER_FARM = 10;
const PLOTS_PER_DISK = 40;
const RUNNING = 5;
const STATES = ['123456789', '987654321', 'full', 'off', 'unmounted', '55555'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-goplot-collector-'));
  const plotters: ChildProcess[] = [];
  try {
    const paths = resolveHome({ home: path.join(root, 'home') });
    initValueFiles(paths);
    const farmRoot = path.join(root, 'farm');
    const tempRoot = path.join(root, 'plot_temp');
    let n = 0;
    for (let farm = 1; farm <= FARMS; farm++) {
      fs.mkdirSync(path.join(paths.disksDir, `farm${farm}`), { recursive: true });
      for (let disk = 1; disk <= DISKS_PER_FARM; disk++) {
        const dir = path.join(farmRoot, `farm${farm}`, `disk${disk}`);
        fs.mkdirSync(path.join(dir, 'plots'), { recursive: true });
        fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
        for (let plot = 0; plot < PLOTS_PER_DISK; plot++)
          fs.writeFileSync(path.join(dir, 'plots', `plot-k32-${plot}.plot`), '');
        fs.writeFileSync(
          path.join(paths.disksDir, `farm${farm}`, `disk${disk}.goplot`),
          `${STATES[n++ % STATES.length]}\n`,
        );
      }
    }
    for (const [name, value] of Object.entries({
      farm_root: farmRoot,
      temp_root: tempRoot,
      prom_dir: path.join(root, 'prom'),
      require_mount: 'no',
      chia_bin: path.join(PACKAGE_ROOT, 'scripts', 'simplotter.js'),
      on_toggle: 'run',
      failures: '1',
      last_fail: '1800000000',
    })) {
      const written = setValue(paths, name, value);
      if (!written.ok) throw new Error(written.message);
    }
    fs.mkdirSync(path.join(root, 'prom'));
    for (let index = 1; index <= RUNNING; index++) {
      const temp = path.join(tempRoot, String(index));
      fs.mkdirSync(temp, { recursive: true });
      const disk = path.join(farmRoot, `farm${index}`, 'disk1');
      const log = fs.openSync(path.join(disk, 'logs', `plot.${index}.log`), 'w');
      plotters.push(
        spawn(
          'node',
          [
            path.join(PACKAGE_ROOT, 'scripts', 'simplotter.js'),
            'plots',
            'create',
            '-k',
            '25',
            '--override-k',
            '-t',
            temp,
            '-d',
            path.join(disk, 'plots'),
          ],
          {
            stdio: ['ignore', log, 'ignore'],
            env: { ...process.env, SIMPLOTTER_SECONDS: String(600 + index * 60) },
          },
        ),
      );
      fs.closeSync(log);
    }
    await sleep(3000); // the plots' logs get their first phase's lines

    const inProcess = async () => {
      const outcome = await collectGoplot({ paths });
      if (!outcome.ok) throw new Error(outcome.problem);
    };
    const text = () => fs.readFileSync(path.join(root, 'prom', 'goplot.prom'), 'utf8');
    const statfsRuns = await timeRuns(inProcess, RUNS);
    const running = /^goplot_running_plots (\d+)$/m.exec(text())?.[1];
    if (running !== String(RUNNING))
      throw new Error(`expected ${RUNNING} running plots in goplot.prom, found ${running}`);
    const lines = text()
      .split('\n')
      .filter((line) => line && !line.startsWith('#')).length;
    const processRuns = Math.max(5, Math.floor(RUNS / 3));
    const env = { GOPLOT_HOME: paths.home };
    const script = path.join(PACKAGE_ROOT, 'collectors', 'goplot_collector.js');
    const nodeAlone: number[] = [];
    const statfsProcess: number[] = [];
    for (let i = 0; i < processRuns; i++) {
      nodeAlone.push(timeProcess('node', ['-e', '0'], {}));
      statfsProcess.push(timeProcess('node', [script], env));
    }
    setValue(paths, 'disk_space', 'df');
    const dfRuns = await timeRuns(inProcess, processRuns);
    const dfProcess = Array.from({ length: processRuns }, () => timeProcess('node', [script], env));

    const disks = FARMS * DISKS_PER_FARM;
    const ms = (value: number) => value.toFixed(1);
    console.log(
      `### goplot collector: ${disks} disks, ${disks * PLOTS_PER_DISK} plot files, ${RUNNING} running plots, ${lines} samples (${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)})`,
    );
    console.log('');
    console.log(
      '| disk_space | in process, median (ms) | in process, p95 (ms) | `node collectors/goplot_collector.js`, median (ms) | of which `node -e 0` (ms) | runs |',
    );
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(
      `| statfs (default) | ${ms(median(statfsRuns))} | ${ms(p95(statfsRuns))} | ${ms(median(statfsProcess))} | ${ms(median(nodeAlone))} | ${RUNS} / ${processRuns} |`,
    );
    console.log(
      `| df (16 at once) | ${ms(median(dfRuns))} | ${ms(p95(dfRuns))} | ${ms(median(dfProcess))} | ${ms(median(nodeAlone))} | ${processRuns} / ${processRuns} |`,
    );
  } finally {
    for (const plotter of plotters) plotter.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`goplot collector bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
