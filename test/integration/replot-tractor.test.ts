import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { finalPlotBytes } from '../../lib/farm/plot-size.js';
import { readPlotFileSync } from '../../lib/plot-file/read-plot-file.js';
import { FAKE_BIN, simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { logMessages, runScript, SIM_PLOTTER, type TempHome } from '../helpers/temp-home.js';
import { writePlotFile } from '../helpers/plot-files.js';

const { farm } = simFarmsOfThisFile();
const OLD = finalPlotBytes(32, 0);

/** One disk (a folder with a declared size) full of old solo plots; plots made by bladebit_cuda C7 with a pool contract. */
function cudaFarm(): { home: TempHome; plotsDir: string; old: string[]; env: Record<string, string> } {
  const home = farm({ farm1: ['disk1'] }, ['1']);
  const diskDir = path.join(home.farmRoot, 'farm1', 'disk1');
  const plotsDir = path.join(diskDir, 'plots');
  const old = [1, 2].map((day) =>
    writePlotFile(plotsDir, { kind: 'solo', sizeBytes: OLD, mtime: new Date(2022, 0, day) }),
  );
  const table = path.join(home.root, 'df-table');
  fs.writeFileSync(table, `${diskDir} ${Math.ceil((2 * OLD + 10 * 1024 ** 3) / 1024)} files\n`);
  const cuda = path.join(home.root, 'bladebit_cuda');
  fs.symlinkSync(SIM_PLOTTER, cuda);
  const values = {
    plotter: 'bladebit-cuda',
    bladebit_bin: cuda,
    k: 32,
    compression: 7,
    farmer_key: 'a'.repeat(96),
    pool_contract: `xch1${'q'.repeat(58)}`,
    disk_space: 'df',
    replot: 'on',
    replot_match: 'kind=solo',
  };
  for (const [name, value] of Object.entries(values)) home.set(name, value);
  return {
    home,
    plotsDir,
    old,
    env: {
      PATH: `${FAKE_BIN}:${process.env.PATH}`,
      FAKE_DF_TABLE: table,
      SIMPLOTTER_FINAL_BYTES: String(finalPlotBytes(32, 7)),
    },
  };
}

describe('replot for a plotter that writes on the disk while plotting (bladebit cudaplot)', () => {
  it('removes the old plot before the plotter starts, then the new plot lands', async () => {
    const { home, plotsDir, old, env } = cudaFarm();
    const tractor = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(2, env) });
    assert.equal(tractor.exitCode, 0, tractor.stderr);
    const lines = logMessages(home);
    const removedAt = lines.findIndex((line) => /^plot 1: replot removed /.test(line));
    const startedAt = lines.findIndex((line) => /^plot 1 started: /.test(line));
    assert.ok(removedAt >= 0 && removedAt < startedAt, lines.join('\n'));
    assert.deepEqual([fs.existsSync(old[0]!), fs.existsSync(old[1]!)], [false, true]);
    const kinds = fs
      .readdirSync(plotsDir)
      .map((name) => readPlotFileSync(path.join(plotsDir, name)))
      .map((facts) => (facts.ok ? `${facts.header.kind} C${facts.header.compression}` : 'invalid'))
      .sort();
    assert.deepEqual(kinds, ['pool C7', 'solo C0']);
    assert.deepEqual(
      fs.readdirSync(path.join(home.logsDir, '.replot', 'claims', 'farm1', 'disk1')),
      [],
      'its claim on the room went with it',
    );
  });

  it('a plot failing after its old plot was removed says so, and the next plot uses that room without removing another', async () => {
    const { home, old, env } = cudaFarm();
    const failed = await runScript(home, 'scripts/tractor.js', [], {
      env: simEnv(2, { ...env, SIMPLOTTER_FAIL_PHASE: '2' }),
    });
    assert.equal(failed.exitCode, 1, failed.stderr);
    assert.ok(
      logMessages(home).includes(
        `plot 1 failed after replot removed ${old[0]} for it; its freed space goes to the next plot on farm1/disk1`,
      ),
      logMessages(home).join('\n'),
    );
    home.set('failures', 0);
    // a minute later: diskhand no longer takes the failed plot's reservation for a fresh one
    const stateFile = path.join(home.disksDir, 'farm1', 'disk1.goplot');
    const past = new Date(Date.now() - 120_000);
    fs.utimesSync(stateFile, past, past);
    const next = await runScript(home, 'scripts/diskhand.js', [], { env: simEnv(1, env) });
    assert.equal(next.exitCode, 0, next.stderr);
    const second = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(2, env) });
    assert.equal(second.exitCode, 0, second.stderr);
    assert.ok(fs.existsSync(old[1]!), "the second old plot stays: the first one's room was enough");
    assert.ok(
      logMessages(home).some((line) => /^plot 2: replot: farm1\/disk1 holds it without removing a plot/.test(line)),
      logMessages(home).join('\n'),
    );
    assert.equal(home.read('config/replot_removed.goplot').trim(), '1');
  });
});
