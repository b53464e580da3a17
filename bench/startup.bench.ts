// Every entry script as cron and a farmer start it, side by side with a bare `node -e 0` in one
// run (goal: none above 2x the bare start): `goplot set`, `goplot status`, each collector (getfarm
// through the CLI, through chia's RPC served by a fake farm in this process, and with chia_rpc auto
// and no certificates), diskhand and `tractor --dry-run`, spawned as built scripts on a small farm
// (4 disks, 100 plot files, fake chia). The long-running ones (the loop, the suite, the archiver,
// harvesterlog, the demo, the simulated plotter) with --help: their static imports all load before
// commander reads the argv, so that is what their start costs before they do anything.
// BENCH_BASELINE=/path/to/another/built/checkout adds the same rows for that checkout, measured
// in the same rounds, for a before/after comparison.
// Run: npm run bench -- startup   (or: npx tsc -p tsconfig.json && node bench/startup.bench.js [--runs N])
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, resolveHome } from '../lib/config/home.js';
import { initValueFiles, setValue } from '../lib/config/write-value.js';
import { startFakeChiaFarm } from '../test/helpers/fake-chia-farm.js';
import { median, p95 } from './timing.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const FAKE_CHIA = path.join(PACKAGE_ROOT, 'test', 'fake-bin', 'chia');
const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli');

interface Entry {
  name: string;
  /** Arguments after `node`, relative to a checkout's root; null for the bare start. */
  args: string[];
  /** GOPLOT_HOME: the CLI farm's home unless named (the RPC farm's, or auto without certificates). */
  home?: 'rpc' | 'auto';
  /** The exit code of a good run (0 unless said). */
  exitCode?: number;
}

const ENTRIES: Entry[] = [
  { name: 'node -e 0 (bare start)', args: ['-e', '0'] },
  { name: 'goplot set plot_gap 3600', args: ['scripts/goplot-cli.js', 'set', 'plot_gap', '3600'] },
  { name: 'goplot status', args: ['scripts/goplot-cli.js', 'status'] },
  { name: 'node collectors/goplot_collector.js', args: ['collectors/goplot_collector.js'] },
  { name: 'node collectors/getfarm_collector.js (fake chia)', args: ['collectors/getfarm_collector.js'] },
  { name: 'node collectors/getharvester_collector.js', args: ['collectors/getharvester_collector.js'] },
  { name: 'node collectors/getfarm_collector.js (chia RPC)', args: ['collectors/getfarm_collector.js'], home: 'rpc' },
  {
    name: 'node collectors/getfarm_collector.js (chia_rpc auto, no certificates)',
    args: ['collectors/getfarm_collector.js'],
    home: 'auto',
  },
  { name: 'node scripts/diskhand.js', args: ['scripts/diskhand.js'] },
  { name: 'node scripts/tractor.js --dry-run', args: ['scripts/tractor.js', '--dry-run'] },
  { name: 'node scripts/goplot.js --help (the loop)', args: ['scripts/goplot.js', '--help'] },
  { name: 'node scripts/start.js --help (the suite)', args: ['scripts/start.js', '--help'] },
  { name: 'node scripts/archiver.js --help', args: ['scripts/archiver.js', '--help'] },
  { name: 'node scripts/harvesterlog.js --help', args: ['scripts/harvesterlog.js', '--help'] },
  { name: 'node scripts/demo.js --help', args: ['scripts/demo.js', '--help'] },
  // it answers as chia does: with no command it prints chia's usage and exits 2
  { name: 'node scripts/simplotter.js (no command: usage)', args: ['scripts/simplotter.js'], exitCode: 2 },
];

/** CPU ms (user + system) of this process's waited-for children so far, from /proc/self/stat (cutime, cstime). */
function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3; cutime and cstime are fields 16 and 17, in clock ticks of 10 ms
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/**
 * Wall and CPU milliseconds of one spawned run, one at a time (so the children's CPU is this one's);
 * not blocking this process, which serves the chia RPC meanwhile. Throws when it fails, so a
 * broken entry is never timed.
 */
function timeRun(root: string, entry: Entry, env: NodeJS.ProcessEnv): Promise<{ wall: number; cpu: number }> {
  const args = entry.args[0] === '-e' ? entry.args : [path.join(root, entry.args[0]!), ...entry.args.slice(1)];
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: root,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wall = performance.now() - started;
      if (code !== (entry.exitCode ?? 0))
        reject(new Error(`${root}: node ${args.join(' ')} failed (${code ?? signal}): ${stderr}`));
      else resolve({ wall, cpu: childrenCpuMs() - cpuBefore });
    });
  });
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function makeFarm(root: string): NodeJS.ProcessEnv {
  const paths = resolveHome({ home: path.join(root, 'home') });
  initValueFiles(paths);
  const farmRoot = path.join(root, 'farm');
  for (let i = 0; i < 100; i++) {
    const plots = path.join(farmRoot, `farm${i % 2}`, `disk${i % 4}`, 'plots');
    fs.mkdirSync(plots, { recursive: true });
    fs.mkdirSync(path.join(path.dirname(plots), 'logs'), { recursive: true });
    fs.writeFileSync(path.join(plots, `plot-k32-${i}.plot`), '');
  }
  fs.mkdirSync(path.join(root, 'temp', '1'), { recursive: true });
  fs.mkdirSync(path.join(root, 'prom'));
  const values = {
    farm_root: farmRoot,
    temp_root: path.join(root, 'temp'),
    prom_dir: path.join(root, 'prom'),
    chia_bin: FAKE_CHIA,
    require_mount: 'no',
    // small plots, so tractor --dry-run finds room in the temp dir of any machine
    k: '25',
  };
  for (const [name, value] of Object.entries(values)) setValue(paths, name, value);
  return {
    GOPLOT_HOME: paths.home,
    FAKE_CHIA_SHOW_S: path.join(FIXTURES, 'show-s_2x_syncing.txt'),
    FAKE_CHIA_FARM_SUMMARY: path.join(FIXTURES, 'farm-summary_2x_loading-remotes.txt'),
  };
}

/** The same farm read through chia's RPC (a fake farm in this process), or with auto and no certificates. */
function rpcHomes(
  root: string,
  cliEnv: NodeJS.ProcessEnv,
  chiaRoot: string,
): Record<'rpc' | 'auto', NodeJS.ProcessEnv> {
  const make = (name: string, values: Record<string, string>) => {
    const paths = resolveHome({ home: path.join(root, name) });
    initValueFiles(paths);
    const cliHome = resolveHome({ home: cliEnv.GOPLOT_HOME });
    for (const value of ['farm_root', 'temp_root', 'prom_dir', 'chia_bin', 'require_mount', 'k'])
      fs.copyFileSync(path.join(cliHome.configDir, `${value}.goplot`), path.join(paths.configDir, `${value}.goplot`));
    for (const [key, value] of Object.entries(values)) setValue(paths, key, value);
    return { ...cliEnv, GOPLOT_HOME: paths.home };
  };
  return {
    rpc: make('home-rpc', { chia_rpc: 'on', chia_root: chiaRoot }),
    auto: make('home-auto', { chia_rpc: 'auto', chia_root: path.join(root, 'no-chia-root') }),
  };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-startup-'));
  const farm = await startFakeChiaFarm(root, 60 * 60_000);
  try {
    const cliEnv = makeFarm(root);
    const homes = rpcHomes(root, cliEnv, farm.chiaRoot);
    const envOf = (entry: Entry) => (entry.home === undefined ? cliEnv : homes[entry.home]);
    const baseline = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : null;
    const checkouts = [
      { label: 'this checkout', root: PACKAGE_ROOT },
      ...(baseline ? [{ label: 'baseline', root: baseline }] : []),
    ];
    const times = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const key = (checkout: string, entry: Entry) => `${checkout}\0${entry.name}`;
    // one warm-up of everything (page cache), then rounds that alternate every entry of every checkout
    for (const checkout of checkouts) for (const entry of ENTRIES) await timeRun(checkout.root, entry, envOf(entry));
    for (let round = 0; round < RUNS; round++) {
      for (const entry of ENTRIES) {
        for (const checkout of checkouts) {
          const measured = await timeRun(checkout.root, entry, envOf(entry));
          times.set(key(checkout.label, entry), [...(times.get(key(checkout.label, entry)) ?? []), measured.wall]);
          cpu.set(key(checkout.label, entry), [...(cpu.get(key(checkout.label, entry)) ?? []), measured.cpu]);
        }
      }
    }
    const bare = (label: string) => ({
      wall: median(times.get(key(label, ENTRIES[0]!))!),
      cpu: mean(cpu.get(key(label, ENTRIES[0]!))!),
    });
    const load = os.loadavg()[0]!.toFixed(1);
    console.log(
      `### short-lived processes, spawned as cron runs them (${RUNS} runs each, interleaved; ${os.cpus().length} CPUs, load ${load})\n`,
    );
    console.log(
      'CPU is user + system time of the process (mean; the kernel counts it in 10 ms ticks): under load it varies less than wall time.\n',
    );
    if (baseline) console.log(`baseline: the built checkout at ${baseline}, measured in the same rounds\n`);
    const header = ['entry', 'wall median (ms)', 'wall p95 (ms)', 'wall x bare', 'CPU (ms)', 'CPU x bare'];
    const baseHeader = baseline
      ? ['baseline wall median (ms)', 'baseline wall x bare', 'baseline CPU (ms)', 'baseline CPU x bare']
      : [];
    console.log(`| ${[...header, ...baseHeader].join(' | ')} |`);
    console.log(`|---|${[...header.slice(1), ...baseHeader].map(() => '---:').join('|')}|`);
    const cellsOf = (label: string, entry: Entry, withP95: boolean): string[] => {
      const wall = times.get(key(label, entry))!;
      const cpuMs = mean(cpu.get(key(label, entry))!);
      const base = bare(label);
      return [
        median(wall).toFixed(0),
        ...(withP95 ? [p95(wall).toFixed(0)] : []),
        `${(median(wall) / base.wall).toFixed(2)}x`,
        cpuMs.toFixed(0),
        `${(cpuMs / base.cpu).toFixed(2)}x`,
      ];
    };
    for (const entry of ENTRIES) {
      const cells = [
        entry.name,
        ...cellsOf('this checkout', entry, true),
        ...(baseline ? cellsOf('baseline', entry, false) : []),
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  } finally {
    await farm.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
