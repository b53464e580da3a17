// diskhand on a large farm: 1000 disks (10 farms x 100, temp dirs on one filesystem), one pass
// with disk_space=statfs (fs.statfs, no process) against disk_space=df (check-disk-space, one
// `df` process per disk). The first pass writes every state file; later passes find the values
// unchanged and write nothing. The script row runs the built `node scripts/diskhand.js` as cron would.
// Target: one pass under 2 s. Run: npx tsc -p tsconfig.json && node bench/diskhand.bench.js [--disks N]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '../lib/config/config-reader.js';
import { runDiskhand } from '../lib/diskhand/diskhand.js';
import { PACKAGE_ROOT, resolveHome } from '../lib/config/home.js';
import { initValueFiles, setValue } from '../lib/config/write-value.js';

const disksArg = process.argv.indexOf('--disks');
const DISKS = disksArg > 0 ? Number(process.argv[disksArg + 1]) : 1000;
const PER_FARM = 100;
const STEADY_RUNS = 3;

function makeFarm(root: string): { home: string; farmRoot: string } {
  const farmRoot = path.join(root, 'farm');
  for (let i = 0; i < DISKS; i++) {
    const disk = path.join(farmRoot, `farm${Math.floor(i / PER_FARM) + 1}`, `disk${(i % PER_FARM) + 1}`);
    fs.mkdirSync(path.join(disk, 'plots'), { recursive: true });
    fs.mkdirSync(path.join(disk, 'logs'), { recursive: true });
  }
  fs.mkdirSync(path.join(root, 'plot_temp', '1'), { recursive: true });
  return { home: path.join(root, 'home'), farmRoot };
}

async function pass(homeDir: string): Promise<{ seconds: number; written: number; summary: string }> {
  const paths = resolveHome({ home: homeDir });
  const started = process.hrtime.bigint();
  const report = await runDiskhand({ paths, config: new ConfigReader(paths), log: () => {} });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, written: report.written, summary: report.summary };
}

function runScript(homeDir: string): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [path.join(PACKAGE_ROOT, 'scripts', 'diskhand.js'), '--home', homeDir], {
    stdio: 'ignore',
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-diskhand-'));
  try {
    const { home, farmRoot } = makeFarm(root);
    const paths = resolveHome({ home });
    initValueFiles(paths);
    setValue(paths, 'farm_root', farmRoot);
    setValue(paths, 'temp_root', path.join(root, 'plot_temp'));
    setValue(paths, 'require_mount', 'no');
    const rows: string[] = [];
    for (const method of ['statfs', 'df'] as const) {
      setValue(paths, 'disk_space', method);
      fs.rmSync(paths.disksDir, { recursive: true, force: true });
      const first = await pass(home);
      if (first.written !== DISKS)
        throw new Error(`first pass wrote ${first.written} of ${DISKS} state files: ${first.summary}`);
      const steady: number[] = [];
      for (let i = 0; i < STEADY_RUNS; i++) steady.push((await pass(home)).seconds);
      const script = runScript(home);
      const perDisk = (median(steady) / DISKS) * 1e6;
      rows.push(
        `| ${method} | ${DISKS} | ${first.seconds.toFixed(2)} | ${median(steady).toFixed(2)} | ${perDisk.toFixed(0)} | ${script.toFixed(2)} |`,
      );
    }
    const dfVersion = execFileSync('df', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    console.log(`### diskhand: ${DISKS} disks, statfs vs df (${dfVersion}; ${os.cpus().length} CPUs)`);
    console.log('');
    console.log(
      '| disk_space | disks | first pass, writes all (s) | unchanged pass, median of 3 (s) | per disk (µs) | `node scripts/diskhand.js` (s) |',
    );
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`diskhand bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
