import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../lib/config/config-reader.js';
import { finalPlotBytes } from '../../lib/farm/plot-size.js';
import { plotterCommandNames, readRunningPlots } from '../../lib/farm/process-table.js';
import { readPlotFileSync } from '../../lib/plot-file/read-plot-file.js';
import { FAKE_BIN, killTree, simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { builtScript, logMessages, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';
import { writePlotFile } from '../helpers/plot-files.js';
import { errorMessage } from '../../lib/util/error-message.js';

const homes: TempHome[] = [];
// registered before the farms' own clean-up: ramplot plots (no temp dir argument) are found by their destination
after(() => killTree(homes.flatMap((home) => runningPlots(home).map((plot) => plot.pid))));
const { farm, started } = simFarmsOfThisFile();
const CONTRACT = `xch1${'q'.repeat(58)}`;
const KIB = 1024;
const OLD_BYTES = finalPlotBytes(32, 0);
const NEW_BYTES = finalPlotBytes(32, 5);
const DISKS: [string, string][] = [
  ['farm1', 'disk1'],
  ['farm1', 'disk2'],
  ['farm2', 'disk1'],
];
const OLD_PER_DISK = 3;

interface Disk {
  farm: string;
  disk: string;
  plotsDir: string;
  /** Files that must never be touched: a pool plot (not matching kind=solo), a broken .plot, a plot outside plots/. */
  keep: string[];
  old: string[];
}

/**
 * Disks as folders with a declared size (the fake df sums their files' sparse sizes): each full
 * with OLD_PER_DISK old solo k32 C0 plots, one pool k32 C0 plot and a broken .plot; a k32 C0
 * plot lies outside plots/ too. 20 GiB are left: no room for a new C5 plot without replot.
 */
function replotFarm(): { home: TempHome; disks: Disk[]; env: Record<string, string> } {
  const home = farm({ farm1: ['disk1', 'disk2'], farm2: ['disk1'] }, ['1', '2', '3']);
  homes.push(home);
  const table = path.join(home.root, 'df-table');
  const disks = DISKS.map(([farmName, diskName]) => {
    const diskDir = path.join(home.farmRoot, farmName, diskName);
    const plotsDir = path.join(diskDir, 'plots');
    const old = Array.from({ length: OLD_PER_DISK }, (_, n) =>
      writePlotFile(plotsDir, { kind: 'solo', sizeBytes: OLD_BYTES, mtime: new Date(2022, 0, n + 1) }),
    );
    const pool = writePlotFile(plotsDir, { kind: 'pool', sizeBytes: OLD_BYTES, mtime: new Date(2021, 0, 1) });
    const broken = path.join(plotsDir, 'broken.plot');
    fs.writeFileSync(broken, Buffer.alloc(300));
    const outside = writePlotFile(diskDir, { kind: 'solo', sizeBytes: 1024 });
    return { farm: farmName, disk: diskName, plotsDir, keep: [pool, broken, outside], old };
  });
  const totalKiB = Math.ceil(((OLD_PER_DISK + 1) * OLD_BYTES + 20 * 1024 ** 3) / KIB);
  fs.writeFileSync(
    table,
    DISKS.map(([f, d]) => `${path.join(home.farmRoot, f, d)} ${totalKiB} files`).join('\n') + '\n',
  );
  const values: Record<string, string | number> = {
    plotter: 'bladebit-ram',
    k: 32,
    compression: 5,
    pool_contract: CONTRACT,
    disk_space: 'df',
    replot: 'on',
    replot_match: 'kind=solo',
    max_plots: 3,
    plot_gap: 0,
    plot_poll: 1,
    backoff_base: 1,
    backoff_max: 2,
  };
  for (const [name, value] of Object.entries(values)) home.set(name, value);
  const env = {
    PATH: `${FAKE_BIN}:${process.env.PATH}`,
    FAKE_DF_TABLE: table,
    SIMPLOTTER_FINAL_BYTES: String(NEW_BYTES),
  };
  return { home, disks, env };
}

function plotFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.plot'))
    .map((name) => path.join(dir, name));
}

function kindsOn(disk: Disk): string[] {
  return plotFiles(disk.plotsDir)
    .map((file) => {
      const facts = readPlotFileSync(file);
      return facts.ok ? `${facts.header.kind} C${facts.header.compression}` : 'invalid';
    })
    .sort();
}

/** bladebit ramplot has no temp dir argument: plots are found by their destination under farm_root. */
function runningPlots(home: TempHome) {
  return readRunningPlots({
    farmRoot: home.farmRoot,
    tempRoot: home.tempRoot,
    commandNames: plotterCommandNames(new ConfigReader(home)),
  });
}

/** Plots running into each disk, then the .plot files on it: in that order, so a plot ending in between is never missed. */
function sample(home: TempHome, disks: Disk[]): { disk: Disk; writing: number; plots: number }[] {
  const running = runningPlots(home);
  return disks.map((disk) => ({
    disk,
    writing: running.filter((plot) => plot.farm === disk.farm && plot.disk === disk.disk).length,
    plots: plotFiles(disk.plotsDir).length,
  }));
}

function startLoop(home: TempHome, env: Record<string, string>, seconds: number): ChildProcess {
  const child = spawn('node', [builtScript('scripts/goplot.js')], {
    env: { ...simEnv(seconds, env), GOPLOT_HOME: home.home },
    stdio: 'ignore',
  });
  started.push(child.pid!);
  return child;
}

describe('replot end to end', () => {
  it(
    'replaces every matching old plot with a new pool C5 plot, never losing a plot it is not writing, never touching others',
    { timeout: 300_000 },
    async () => {
      const { home, disks, env } = replotFarm();
      const before = new Map(disks.map((disk) => [disk, plotFiles(disk.plotsDir).length]));
      // 35 s plots: on a loaded box the last phase of a quicker ramplot can end before its room step gets the state lock
      const loop = startLoop(home, env, 35);
      // diskhand runs as cron would, only more often: it turns the tractors' reservations back into measurements
      let running = true;
      const diskhand = (async () => {
        while (running) {
          await runScript(home, 'scripts/diskhand.js', [], { env: simEnv(1, env) });
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      })();
      const samples: string[] = [];
      try {
        await waitFor(
          'every old solo plot replaced and no plot running',
          () => {
            for (const { disk, writing, plots } of sample(home, disks)) {
              if (plots + writing < before.get(disk)!)
                samples.push(
                  `${disk.farm}/${disk.disk}: ${plots} plots with ${writing} being written (had ${before.get(disk)})`,
                );
              for (const file of disk.keep) if (!fs.existsSync(file)) samples.push(`${file} was removed`);
            }
            const oldLeft = disks.flatMap((disk) => disk.old).filter((file) => fs.existsSync(file)).length;
            const newOnes = disks.map((disk) => kindsOn(disk).filter((kind) => kind === 'pool C5').length);
            return oldLeft === 0 && newOnes.every((count) => count === OLD_PER_DISK) && runningPlots(home).length === 0;
          },
          280_000,
          100,
        ).catch((error: unknown) => {
          throw new Error(
            `${errorMessage(error)}; disks: ${disks.map((disk) => kindsOn(disk).join(',')).join(' | ')}; log:\n${logMessages(
              home,
            )
              .filter((line) => !/command:|^not started/.test(line))
              .join('\n')}`,
          );
        });
      } finally {
        loop.kill('SIGTERM');
        running = false;
        await diskhand;
      }
      assert.deepEqual(
        samples.slice(0, 5),
        [],
        `at every sample; log:\n${logMessages(home)
          .filter((line) => /replot|started|finished|failed/.test(line))
          .join('\n')}`,
      );
      assert.deepEqual(
        logMessages(home).filter((line) => /^plot \d+ failed/.test(line)),
        [],
      );
      for (const disk of disks) {
        assert.deepEqual(
          kindsOn(disk),
          ['invalid', ...Array(OLD_PER_DISK).fill('pool C5'), 'pool C0'].sort(),
          `${disk.farm}/${disk.disk}`,
        );
        for (const file of disk.keep) assert.ok(fs.existsSync(file), `${file} kept`);
      }
      const removals = logMessages(home).filter((line) => /^plot \d+: replot removed /.test(line));
      assert.equal(removals.length, DISKS.length * OLD_PER_DISK, removals.join('\n'));
      assert.match(
        removals[0]!,
        /^plot \d+: replot removed plot-k32-2026-01-01-00-00-[0-9a-f]{64}\.plot \(v1 k32 C0 solo, id [0-9a-f]{12}…, 101\.4 GiB, made 2022-01-0\d \d\d:\d\d UTC\) from farm\d\/disk\d for plot \d+ \(bladebit-ram k32 C5 pool\): /,
      );
      assert.equal(home.read('config/replot_removed.goplot').trim(), String(DISKS.length * OLD_PER_DISK));
      const inventory = JSON.parse((await runScript(home, 'scripts/goplot-cli.js', ['plots', '--json'])).stdout) as {
        toReplot: { count: number };
      };
      assert.equal(inventory.toReplot.count, 0);
    },
  );

  it('a plot that fails mid-way removes nothing', { timeout: 120_000 }, async () => {
    const { home, disks, env } = replotFarm();
    const files = disks.flatMap((disk) => plotFiles(disk.plotsDir)).sort();
    const tractor = await runScript(home, 'scripts/tractor.js', [], {
      env: simEnv(4, { ...env, SIMPLOTTER_FAIL_PHASE: '3' }),
      timeout: 100_000,
    });
    assert.equal(tractor.exitCode, 1, tractor.stderr);
    assert.ok(logMessages(home).some((line) => /^plot 1 failed: /.test(line)));
    assert.deepEqual(disks.flatMap((disk) => plotFiles(disk.plotsDir)).sort(), files);
    assert.equal(logMessages(home).filter((line) => /replot removed/.test(line)).length, 0);
    assert.equal(
      fs.existsSync(path.join(home.configDir, 'replot_removed.goplot'))
        ? home.read('config/replot_removed.goplot').trim()
        : '0',
      '0',
    );
  });

  it('with replot off nothing is removed and the full disks get no plot', { timeout: 60_000 }, async () => {
    const { home, disks, env } = replotFarm();
    home.set('replot', 'off');
    const files = disks.flatMap((disk) => plotFiles(disk.plotsDir)).sort();
    const tractor = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(2, env) });
    assert.equal(tractor.exitCode, 2);
    assert.match(tractor.stderr, /^tractor: no usable disk under /);
    assert.deepEqual(disks.flatMap((disk) => plotFiles(disk.plotsDir)).sort(), files);
  });

  it("follows a job's own replot values: its plot replaces an old one, a job on the global off removes nothing", async () => {
    const { home, disks, env } = replotFarm();
    home.set('replot', 'off');
    for (const [job, values] of [
      // cudaplot's room is made before its plotter starts: a 2 s plot cannot end before it is made
      ['pool', { replot: 'on', dest_farms: 'farm2', plotter: 'bladebit-cuda' }],
      ['plain', {}],
    ] as const) {
      const dir = path.join(home.configDir, 'jobs', job);
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, value] of Object.entries(values))
        fs.writeFileSync(path.join(dir, `${name}.goplot`), `${value}\n`);
    }
    const files = disks.flatMap((disk) => plotFiles(disk.plotsDir)).sort();
    const plain = await runScript(home, 'scripts/tractor.js', ['--job', 'plain'], { env: simEnv(2, env) });
    assert.equal(plain.exitCode, 2, plain.stderr);
    assert.match(plain.stderr, /^tractor: no usable disk under /);
    assert.deepEqual(disks.flatMap((disk) => plotFiles(disk.plotsDir)).sort(), files);

    const pool = await runScript(home, 'scripts/tractor.js', ['--job', 'pool'], {
      env: simEnv(2, env),
      timeout: 100_000,
    });
    assert.equal(pool.exitCode, 0, pool.stderr);
    const farm2 = disks.find((disk) => disk.farm === 'farm2')!;
    const oldest = farm2.old[0]!;
    assert.equal(fs.existsSync(oldest), false, "the oldest matching plot of the job's farm went");
    assert.deepEqual(
      kindsOn(farm2),
      ['invalid', 'pool C0', 'pool C5', ...Array(OLD_PER_DISK - 1).fill('solo C0')].sort(),
    );
    for (const disk of disks.filter((d) => d !== farm2))
      assert.deepEqual(
        plotFiles(disk.plotsDir).sort(),
        files.filter((file) => file.startsWith(`${disk.plotsDir}/`)),
      );
    const removals = logMessages(home).filter((line) => /^plot \d+: replot removed /.test(line));
    assert.equal(removals.length, 1, removals.join('\n'));
    assert.ok(removals[0]!.includes(`${path.basename(oldest)} (v1 k32 C0 solo`), removals[0]);
    assert.ok(removals[0]!.includes(' from farm2/disk1 for plot 1 (bladebit-cuda k32 C5 pool)'), removals[0]);
    assert.equal(home.read('config/replot_removed.goplot').trim(), '1');
  });
});
