// The inventory on a farm of a million plot files (issue 18): `goplot plots --json` and the goplot
// collector, run as a user runs them (the built entry scripts, Node's start included), beside the
// floor any tool that reads headers pays: `find <farm> -name '*.plot*' -print0 | xargs -0 head -c 512`
// on the same files. Warm: the page cache holds the files and the tool's own cache is there. Cold:
// `echo 3 > /proc/sys/vm/drop_caches` (root) before each run, and the tool's caches removed. Then
// one disk changed (a plot landed): what a collector run every minute mostly sees. Peak RSS from
// /usr/bin/time. Goals: warm within 2x of the warm floor, cold within 1.5x of the cold floor,
// peak RSS under 200 MiB. The tree (bench/million-tree.ts) is built once and reused.
// Run: npx tsc -p tsconfig.json && node bench/million-plots.bench.js [--files N] [--root DIR] [--runs N]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/config/home.js';
import { buildPos2Plot } from '../lib/plot-file/build-plot-header.js';
import { ensureMillionTree } from './million-tree.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1]! : fallback;
};
const FILES = Number(arg('--files', '1000000'));
const ROOT = arg('--root', '/var/tmp/goplot-million');
const RUNS = Number(arg('--runs', '3'));

interface Run {
  seconds: number;
  cpu: number;
  rssMiB: number;
  stdout: string;
}

/** One run under /usr/bin/time: wall, CPU (user + system), peak RSS. */
function timed(command: string): Run {
  const result = spawnSync('/usr/bin/time', ['-f', '@@ %e %U %S %M', 'bash', '-c', command], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const line = result.stderr.split('\n').find((l) => l.startsWith('@@ '));
  if (result.status !== 0 || !line)
    throw new Error(`${command} exited ${result.status}: ${result.stderr.slice(-2000)}`);
  const [, wall, user, system, rssKiB] = line.split(' ').map(Number);
  return { seconds: wall!, cpu: user! + system!, rssMiB: rssKiB! / 1024, stdout: result.stdout };
}

function dropCaches(): void {
  spawnSync('sync');
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3\n');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const cell = (runs: Run[]) =>
  runs.length === 0
    ? 'not run'
    : `${median(runs.map((r) => r.seconds)).toFixed(1)} / ${median(runs.map((r) => r.cpu)).toFixed(1)} / ${Math.max(...runs.map((r) => r.rssMiB)).toFixed(0)}`;
const ratio = (runs: Run[], floor: Run[]) =>
  runs.length === 0 || floor.length === 0
    ? '-'
    : `${(median(runs.map((r) => r.seconds)) / median(floor.map((r) => r.seconds))).toFixed(2)}x`;

function makeHome(farmRoot: string): { home: string; caches: string[] } {
  const home = fs.mkdtempSync(path.join(path.dirname(ROOT), 'goplot-million-home-'));
  fs.mkdirSync(path.join(home, 'config'), { recursive: true });
  fs.mkdirSync(path.join(home, 'prom'));
  const set = (name: string, value: string) =>
    fs.writeFileSync(path.join(home, 'config', `${name}.goplot`), `${value}\n`);
  set('farm_root', farmRoot);
  set('prom_dir', path.join(home, 'prom'));
  set('require_mount', 'no');
  set('temp_root', path.join(home, 'temp'));
  return { home, caches: [path.join(home, 'logs', '.plot-inventory.json'), path.join(home, 'logs', '.plot-facts')] };
}

/** A plot landing on one disk: one new file, the folder changed. */
function landOnePlot(farmRoot: string, n: number): string {
  const plotId = `f${n}`.padStart(64, 'f');
  const plot = buildPos2Plot({
    plotId,
    k: 28,
    strength: 2,
    plotIndex: n,
    metaGroup: 200,
    memo: 'solo',
    chunkCount: 16,
    chunkBytes: 2 ** 26,
  });
  const file = path.join(farmRoot, 'farm3', 'disk3', 'plots', `plot-k28-${plotId}.plot2`);
  fs.writeFileSync(file, plot.header);
  fs.truncateSync(file, plot.fileBytes);
  return file;
}

async function main(): Promise<void> {
  const started = Date.now();
  const tree = ensureMillionTree(ROOT, FILES, started);
  console.error(
    `tree ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${tree.files} files on ${tree.disks} disks`,
  );
  const { home, caches } = makeHome(tree.farmRoot);
  const floor = `find ${tree.farmRoot} -name '*.plot*' -print0 | xargs -0 head -c 512 >/dev/null`;
  const plots = `${process.execPath} ${path.join(PACKAGE_ROOT, 'scripts', 'goplot-cli.js')} --home ${home} plots --json`;
  const collector = `${process.execPath} ${path.join(PACKAGE_ROOT, 'collectors', 'goplot_collector.js')} --home ${home}`;
  const clear = () => caches.forEach((file) => fs.rmSync(file, { recursive: true, force: true }));
  const count = (run: Run) => {
    const json = JSON.parse(run.stdout) as { count: number; headers: { read: number; disksReused: number } };
    if (json.count < FILES - FILES / 100) throw new Error(`goplot plots counted ${json.count} of ${FILES}`);
    return json.headers;
  };
  const r: Record<string, Run[]> = {
    coldFloor: [],
    coldPlots: [],
    coldCollector: [],
    warmFloor: [],
    warmPlots: [],
    warmCollector: [],
    changed: [],
  };
  const headers: Record<string, unknown> = {};
  // --warm-only: a cold run of a million files on a loaded shared disk takes minutes each
  const warmOnly = process.argv.includes('--warm-only');
  if (warmOnly) count(timed(plots));
  for (let run = 0; run < RUNS; run++) {
    if (!warmOnly) {
      dropCaches();
      r.coldFloor!.push(timed(floor));
      clear();
      dropCaches();
      r.coldPlots!.push(timed(plots));
      headers.cold = count(r.coldPlots!.at(-1)!);
      clear();
      dropCaches();
      r.coldCollector!.push(timed(collector));
    }
    r.warmFloor!.push(timed(floor));
    r.warmPlots!.push(timed(plots));
    headers.warm = count(r.warmPlots!.at(-1)!);
    r.warmCollector!.push(timed(collector));
    const landed = landOnePlot(tree.farmRoot, run);
    // past the 2 s in which a changed folder is not trusted, as a collector a minute later is
    await new Promise((resolve) => setTimeout(resolve, 2500));
    r.changed!.push(timed(plots));
    headers.changed = count(r.changed!.at(-1)!);
    fs.rmSync(landed);
  }
  const cacheBytes = spawnSync('du', ['-sb', path.join(home, 'logs')], { encoding: 'utf8' }).stdout.split('\t')[0];
  console.log(
    `${tree.files.toLocaleString('en')} plot files (sparse pos2 k28 of 0.92 GiB with a 291-byte header; 1 in 100 a pos1 k32 v1 plot) on ${tree.disks} disk folders (10 farms x 10) under ${ROOT} (ext4), ${RUNS} runs each. ` +
      `Each cell: median wall s / median CPU s (user + system) / peak RSS MiB. Load average at the end ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')} (a shared 2-core machine: wall times move with it, CPU less).\n`,
  );
  console.log(
    '| case | floor: find + xargs head -c 512 | `goplot plots --json` | ratio to floor | goplot collector | ratio to floor |',
  );
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| cold (drop_caches, tool caches removed) | ${cell(r.coldFloor!)} | ${cell(r.coldPlots!)} | ${ratio(r.coldPlots!, r.coldFloor!)} | ${cell(r.coldCollector!)} | ${ratio(r.coldCollector!, r.coldFloor!)} |`,
  );
  console.log(
    `| warm (page cache and tool caches there) | ${cell(r.warmFloor!)} | ${cell(r.warmPlots!)} | ${ratio(r.warmPlots!, r.warmFloor!)} | ${cell(r.warmCollector!)} | ${ratio(r.warmCollector!, r.warmFloor!)} |`,
  );
  console.log(
    `| one plot landed on one disk (warm) | ${cell(r.warmFloor!)} | ${cell(r.changed!)} | ${ratio(r.changed!, r.warmFloor!)} | | |`,
  );
  console.log(
    `\nWhat \`goplot plots\` read (its \`headers\`): cold ${JSON.stringify(headers.cold)}, warm ${JSON.stringify(headers.warm)}, one plot landed ${JSON.stringify(headers.changed)}. ` +
      `The home's caches after the runs: ${(Number(cacheBytes) / 2 ** 20).toFixed(0)} MiB (logs/.plot-inventory.json and logs/.plot-facts/).`,
  );
  fs.rmSync(home, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
