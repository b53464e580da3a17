import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isAlive, killTree, simEnv, simFarmsOfThisFile, simPlotterPids } from '../helpers/sim-farm.js';
import { logMessages, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();
const TEMP_ID = /^plot-k25-[\d-]+-([0-9a-f]{64})\..*\.tmp$/;

/** Plot ids of the temp files in dir, with their files. */
function tempFilesById(dir: string): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (const name of fs.readdirSync(dir)) {
    const id = TEMP_ID.exec(name)?.[1];
    if (id) byId.set(id, [...(byId.get(id) ?? []), name]);
  }
  return byId;
}

function backdate(file: string, hours: number): void {
  const then = new Date(Date.now() - hours * 3600_000);
  fs.utimesSync(file, then, then);
}

/** Starts a tractor and waits until its plotter has made its temp files; returns the plot's id and pid. */
async function startPlot(
  home: TempHome,
  known: Set<string>,
): Promise<{ id: string; plotterPid: number; tractorPid: number }> {
  const before = new Set(simPlotterPids(home));
  const tractor = runScript(home, 'scripts/tractor.js', [], { env: simEnv(120), timeout: 150_000 });
  started.push(tractor.pid!);
  const temp = path.join(home.tempRoot, '1');
  const id = await waitFor(
    'the new plot to make its temp files',
    () => [...tempFilesById(temp).keys()].find((candidate) => !known.has(candidate)),
    30_000,
  );
  const plotterPid = await waitFor('its plotter in /proc', () => simPlotterPids(home).find((pid) => !before.has(pid)));
  started.push(plotterPid);
  return { id, plotterPid, tractorPid: tractor.pid! };
}

describe('temp space of plots whose tractor and plotter died together', () => {
  test(
    "diskhand removes a killed plot's temp files and folder, and keeps a running plot's and anything held open",
    { timeout: 120_000 },
    async () => {
      const home = farm({ farm1: ['disk1', 'disk2'] }, ['1']);
      const temp = path.join(home.tempRoot, '1');
      const killed = await startPlot(home, new Set());
      const running = await startPlot(home, new Set([killed.id]));
      // a power cut in small: the tractor and its plotter die at once, nothing cleans up
      killTree([killed.tractorPid, killed.plotterPid]);
      await waitFor('the killed plotter to be gone', () => !isAlive(killed.plotterPid));
      // a bladebit diskplot folder of a dead plot, and one some process still has a file open in
      const deadFolder = path.join(temp, 'goplot-plot-7-4194301');
      const heldFolder = path.join(temp, 'goplot-plot-8-4194302');
      for (const folder of [deadFolder, heldFolder]) {
        fs.mkdirSync(folder);
        fs.writeFileSync(path.join(folder, 'fx_0.tmp'), Buffer.alloc(4096));
      }
      const holder = spawn('tail', ['-f', path.join(heldFolder, 'fx_0.tmp')], { stdio: 'ignore' });
      started.push(holder.pid!);
      await waitFor('tail to hold the file open', () =>
        fs.readdirSync(`/proc/${holder.pid}/fd`).some((fd) => {
          try {
            return fs.readlinkSync(`/proc/${holder.pid}/fd/${fd}`).startsWith(heldFolder);
          } catch {
            return false;
          }
        }),
      );
      fs.writeFileSync(path.join(temp, 'notes.tmp'), 'not a plotter file');
      const before = tempFilesById(temp);
      const killedFiles = before.get(killed.id)!;
      const runningFiles = before.get(running.id)!;
      // everything is old enough: only the proofs of life decide
      for (const name of fs.readdirSync(temp)) backdate(path.join(temp, name), 2);
      for (const folder of [deadFolder, heldFolder]) backdate(path.join(folder, 'fx_0.tmp'), 2);
      for (const folder of [deadFolder, heldFolder]) backdate(folder, 2);

      const result = await runScript(home, 'scripts/diskhand.js');
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(isAlive(running.plotterPid), true);
      const left = fs.readdirSync(temp).sort();
      assert.deepEqual(left, [...runningFiles, path.basename(heldFolder), 'notes.tmp'].sort());
      const lines = logMessages(home, 'diskhand.log');
      const removals = lines.filter((line) => line.startsWith('removed orphaned temp '));
      assert.deepEqual(
        removals.map((line) => /^removed orphaned temp (\S+) /.exec(line)?.[1]).sort(),
        [...killedFiles.map((name) => path.join(temp, name)), deadFolder].sort(),
      );
      assert.match(
        removals.find((line) => line.includes(killedFiles[0]!)) ?? '',
        new RegExp(
          `\\): no running plot has plot id ${killed.id.slice(0, 12)}…, no process has it open, unchanged for 1[12]\\d min$`,
        ),
      );
      assert.ok(
        removals.includes(
          `removed orphaned temp ${deadFolder} (4.0 KiB): no running plot names it, no process has it open, unchanged for 120 min`,
        ),
        removals.join('\n'),
      );
      assert.match(
        lines.at(-1) ?? '',
        new RegExp(
          `^freed [\\d.]+ \\w?i?B of temp space: ${killedFiles.length + 1} orphaned temp entries of plots that no longer run$`,
        ),
      );
      holder.kill('SIGKILL');
    },
  );

  test('files younger than the grace are kept even when no plot runs', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const file = path.join(home.tempRoot, '1', `plot-k25-2026-11-30-08-00-${'a'.repeat(64)}.plot.table1.tmp`);
    fs.writeFileSync(file, 'x');
    backdate(file, 0.5);
    const result = await runScript(home, 'scripts/diskhand.js');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(fs.existsSync(file), true);
    assert.deepEqual(
      logMessages(home, 'diskhand.log').filter((line) => line.includes('orphaned')),
      [],
    );
    backdate(file, 1.5);
    await runScript(home, 'scripts/diskhand.js');
    assert.equal(fs.existsSync(file), false);
  });
});
