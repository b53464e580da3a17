import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { finalPlotBytes } from '../../lib/farm/plot-size.js';
import { parsePlotLog } from '../../lib/plot-log/parse-plot-log.js';
import { liveStart, readDuties } from '../../lib/replot/room-duty.js';
import { FAKE_BIN, simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { builtScript, logMessages, waitFor, type TempHome } from '../helpers/temp-home.js';
import { writePlotFile } from '../helpers/plot-files.js';

const { farm, started } = simFarmsOfThisFile();
const OLD_BYTES = finalPlotBytes(32, 0);

/**
 * One disk (a folder the fake df gives a size) full of old solo k32 plots, 20 GiB left: a new k32
 * plot needs one of them removed before its final copy.
 */
function fullDisk(): { home: TempHome; plotsDir: string; old: string[]; env: Record<string, string> } {
  const home = farm({ farm1: ['disk1'] }, ['1']);
  const diskDir = path.join(home.farmRoot, 'farm1', 'disk1');
  const plotsDir = path.join(diskDir, 'plots');
  const old = [1, 2, 3].map((day) =>
    writePlotFile(plotsDir, { kind: 'solo', sizeBytes: OLD_BYTES, mtime: new Date(2022, 0, day) }),
  );
  const table = path.join(home.root, 'df-table');
  fs.writeFileSync(table, `${diskDir} ${Math.ceil((3 * OLD_BYTES + 20 * 1024 ** 3) / 1024)} files\n`);
  for (const [name, value] of Object.entries({
    // ramplot: no temp dir to find room on; its final file is written after phase 4 starts
    plotter: 'bladebit-ram',
    k: 32,
    compression: 5,
    disk_space: 'df',
    replot: 'on',
    replot_match: 'pos=1 compression<1',
    on_toggle: 'off',
  }))
    home.set(name, value);
  const env = {
    PATH: `${FAKE_BIN}:${process.env.PATH}`,
    FAKE_DF_TABLE: table,
    SIMPLOTTER_FINAL_BYTES: String(finalPlotBytes(32, 5)),
  };
  return { home, plotsDir, old, env };
}

/** Runs, not a zombie waiting for its parent (an orphan's parent may be slow to reap it). */
const runs = (pid: number) => liveStart('/proc', pid) !== null;

const plotFiles = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith('.plot'));

describe('the room duty outlives the tractor', () => {
  it(
    'a tractor killed -9 mid-plot: the loop takes its duty over, removes one old plot before the final copy, and the plot lands',
    { timeout: 240_000 },
    async () => {
      const { home, plotsDir, old, env } = fullDisk();
      const tractor = spawn('node', [builtScript('scripts/tractor.js'), '--force'], {
        env: { ...simEnv(40, env), GOPLOT_HOME: home.home },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      tractor.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
      started.push(tractor.pid!);
      const logFile = path.join(home.farmRoot, 'farm1', 'disk1', 'logs', 'plot.1.log');
      await waitFor(
        'the plot in phase 2',
        () => fs.existsSync(logFile) && parsePlotLog(fs.readFileSync(logFile, 'utf8')).phase >= 2,
        60_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; tractor: ${stderr}; log:\n${logMessages(home).join('\n')}`);
      });
      const duty = readDuties(home).duties;
      assert.equal(duty.length, 1, 'the tractor wrote its duty');
      assert.deepEqual([duty[0]!.tractorPid, duty[0]!.done, duty[0]!.moment], [tractor.pid, false, 'last-phase']);
      tractor.kill('SIGKILL');
      await waitFor(
        'the tractor gone',
        () => !runs(tractor.pid!) || tractor.exitCode !== null || tractor.signalCode !== null,
      );
      const plotter = duty[0]!.plot.pid;
      started.push(plotter);
      assert.ok(runs(plotter), 'the plotter runs on without its tractor');
      const loop = spawn('node', [builtScript('scripts/goplot.js')], {
        env: { ...simEnv(40, env), GOPLOT_HOME: home.home },
        stdio: 'ignore',
      });
      started.push(loop.pid!);
      try {
        await waitFor('the plotter done', () => !runs(plotter), 180_000, 200);
        await waitFor(
          'the duty dropped once its plotter has ended',
          () => readDuties(home).duties.length === 0,
          30_000,
        );
      } finally {
        loop.kill('SIGTERM');
      }
      const landed = plotFiles(plotsDir).filter((name) => !old.some((file) => path.basename(file) === name));
      const taken = logMessages(home).filter((line) => /its tractor pid \d+ is gone/.test(line));
      assert.equal(
        landed.length,
        1,
        `the new plot landed; log:\n${logMessages(home).join('\n')}\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`,
      );
      assert.deepEqual(
        old.map((file) => fs.existsSync(file)),
        [false, true, true],
        `the oldest old plot went, and only it; log:\n${logMessages(home).join('\n')}`,
      );
      assert.equal(taken.length, 1, taken.join('\n'));
      assert.match(
        taken[0]!,
        new RegExp(
          `^plot 1: replot \\(loop pid ${loop.pid}, its tractor pid ${tractor.pid} is gone\\): replot removed ${path.basename(old[0]!)} \\(v1 k32 C0 solo, `,
        ),
      );
    },
  );
});
