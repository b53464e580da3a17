// harvesterlog throughput: lines per second through the follower, scanner, parser and metrics on a
// large synthetic debug.log, against `grep -c` on the same file as the floor, and the built script's
// peak RSS while it reads it. Two logs: a full farmer's (mostly full_node lines, one harvester line
// in ten) and a standalone harvester's (every line an eligible line: the worst case).
// Run: npx tsc -p tsconfig.json && node bench/harvesterlog.bench.js [--lines N]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { followLogFile } from '../lib/harvester/follow-log-file.js';
import { HarvesterMetrics } from '../lib/harvester/harvester-metrics.js';
import { recordHarvesterChunk } from '../lib/harvester/record-harvester-chunk.js';
import { PACKAGE_ROOT } from '../lib/config/home.js';

const linesArg = process.argv.indexOf('--lines');
const LINES = linesArg > 0 ? Number(process.argv[linesArg + 1]) : 5_000_000;

function writeDebugLog(file: string, harvesterEvery: number): { bytes: number; harvesterLines: number } {
  const fd = fs.openSync(file, 'w');
  let harvesterLines = 0;
  let block: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const time = `2025-06-01T10:${String(Math.floor(i / 60000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}`;
    if (i % harvesterEvery === 0) {
      harvesterLines++;
      block.push(
        `${time} 2.4.4 harvester chia.harvester.harvester: INFO     ${i % 17} plots were eligible for farming c014e359c1... Found 0 proofs. Time: 1.72367 s. Total 3135 plots`,
      );
    } else if (i % 3 === 0) {
      block.push(
        `${time} 2.4.4 full_node chia.full_node.full_node: INFO     ⏲️  Finished signage point ${i % 64}/64: CC: 3f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8 RC: 9e8d7c6b5a493827160f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4e5f607`,
      );
    } else if (i % 3 === 1) {
      block.push(
        `${time} 2.4.4 full_node chia.full_node.full_node: INFO     Added unfinished_block 5ee48d91aabf8ba33eda4b67076e1348e64a6059995b25b4e1d0de77e3a5c18e, not farmed by us, SP: 5 farmer response time: 8.4955, validation time: 0.1838, cost: 560859505, percent full: 5.099%`,
      );
    } else {
      block.push(
        `${time} 2.4.4 farmer chia.farmer.farmer: INFO     New signage point: 5ee48d91aabf8ba33eda4b67076e1348e64a6059995b25b4e1d0de77e3a5c18e (${i % 64})`,
      );
    }
    if (block.length === 100_000) {
      fs.writeSync(fd, `${block.join('\n')}\n`);
      block = [];
    }
  }
  if (block.length) fs.writeSync(fd, `${block.join('\n')}\n`);
  fs.closeSync(fd);
  return { bytes: fs.statSync(file).size, harvesterLines };
}

/** CPU seconds of waited-for children (cutime + cstime in /proc/self/stat). */
function childrenCpuSeconds(): number {
  const fields = fs
    .readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  // After the ") " the fields start at number 3 (state); cutime and cstime are 16 and 17.
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / 100;
}

interface Timing {
  seconds: number;
  cpuSeconds: number;
  count: number;
}

function timeGrep(file: string): Timing {
  const started = process.hrtime.bigint();
  const cpuBefore = childrenCpuSeconds();
  const count = Number(
    execFileSync('grep', ['-c', 'plots were eligible for farming', file], { encoding: 'utf8' }).trim(),
  );
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: childrenCpuSeconds() - cpuBefore,
    count,
  };
}

async function timeHarvesterlog(file: string): Promise<Timing> {
  const metrics = new HarvesterMetrics();
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const follower = followLogFile({
    file,
    fromStart: true,
    onLines: (chunk) => recordHarvesterChunk(chunk, metrics, 0),
  });
  await follower.drain();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  await follower.close();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, count: metrics.challenges };
}

/** The built script reading the same file with --from-start: its peak RSS once every line is counted. */
async function measureScriptRss(dir: string, file: string, expected: number): Promise<number> {
  const home = path.join(dir, 'home');
  const promDir = path.join(dir, 'prom');
  fs.mkdirSync(path.join(home, 'config'), { recursive: true });
  fs.writeFileSync(path.join(home, 'config', 'chia_log.goplot'), `${file}\n`);
  fs.writeFileSync(path.join(home, 'config', 'prom_dir.goplot'), `${promDir}\n`);
  const child = spawn('node', [path.join(PACKAGE_ROOT, 'scripts', 'harvesterlog.js'), '--from-start'], {
    env: { ...process.env, GOPLOT_HOME: home },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const prom = fs.existsSync(path.join(promDir, 'harvesterlog.prom'))
        ? fs.readFileSync(path.join(promDir, 'harvesterlog.prom'), 'utf8')
        : '';
      if (new RegExp(`^farm_harvester_challenges_total ${expected}$`, 'm').test(prom)) break;
      if (Date.now() > deadline) throw new Error('harvesterlog did not count every line within 300 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]) / 1024;
  } finally {
    child.kill('SIGTERM');
  }
}

async function benchOne(dir: string, harvesterEvery: number, label: string): Promise<string[]> {
  const file = path.join(dir, `debug-${harvesterEvery}.log`);
  const { bytes, harvesterLines } = writeDebugLog(file, harvesterEvery);
  timeGrep(file); // warms the page cache for both readers
  const greps = [timeGrep(file), timeGrep(file), timeGrep(file)];
  const grep = greps.reduce((a, b) => (a.cpuSeconds <= b.cpuSeconds ? a : b));
  const runs = [await timeHarvesterlog(file), await timeHarvesterlog(file), await timeHarvesterlog(file)];
  const best = runs.reduce((a, b) => (a.cpuSeconds <= b.cpuSeconds ? a : b));
  if (grep.count !== harvesterLines || best.count !== harvesterLines) {
    throw new Error(`counts differ: written ${harvesterLines}, grep ${grep.count}, harvesterlog ${best.count}`);
  }
  const rssMiB = await measureScriptRss(path.join(dir, `script-${harvesterEvery}`), file, harvesterLines);
  fs.rmSync(file);
  const mib = bytes / 2 ** 20;
  const row = (reader: string, timing: Timing, ratio: string, rss: string) =>
    `| ${label} (${mib.toFixed(0)} MiB) | ${reader} | ${timing.cpuSeconds.toFixed(2)} | ${timing.seconds.toFixed(2)} | ` +
    `${Math.round(LINES / timing.cpuSeconds).toLocaleString('en')} | ${(mib / timing.cpuSeconds).toFixed(0)} | ${ratio} | ${rss} |`;
  return [
    row("grep -c 'plots were eligible for farming'", grep, '1.0x', ''),
    row(
      'harvesterlog (follow, recordHarvesterChunk)',
      best,
      `${(best.cpuSeconds / grep.cpuSeconds).toFixed(1)}x`,
      `${rssMiB.toFixed(0)} MiB`,
    ),
  ];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-bench-harvesterlog-'));
  try {
    const rows = [
      ...(await benchOne(dir, 10, "farmer's log, 1 line in 10 a harvester line")),
      ...(await benchOne(dir, 1, "harvester's log, every line eligible")),
    ];
    console.log('### harvesterlog: debug.log throughput\n');
    console.log(
      `${LINES.toLocaleString('en')} lines per log, page cache warm, best of 3 by CPU time (wall time varies with other load); ` +
        'lines/s and MiB/s per CPU second; peak RSS is the built script reading the same log with --from-start.\n',
    );
    console.log('| log | reader | CPU s | wall s | lines/s | MiB/s | CPU vs grep -c | peak RSS |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`harvesterlog bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
