import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { groupsDir, readGroupFiles, writeGroupState, type PlotGroupState } from '../../lib/farm/plot-groups.js';
import { buildPos2Plot } from '../../lib/plot-file/build-plot-header.js';
import { readPlotFileSync } from '../../lib/plot-file/read-plot-file.js';
import { isAlive, simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { builtScript, logMessages, runScript, SIM_PLOTTER, waitFor, type TempHome } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();

const TEMPLATE =
  '{chia_bin} plots create2 -k {k} --strength {strength} -n {count} --index {index} --meta-group {meta_group} -d {dest} -t {temp}';

function pos2Farm(values: Record<string, string | number>): TempHome {
  const home = farm({ farm1: ['disk1'] }, ['1']);
  const all = { plotter: 'chia-v2', k: 18, strength: 2, plot_command_v2: TEMPLATE, ...values };
  for (const [name, value] of Object.entries(all)) home.set(name, value);
  return home;
}

const plotsDir = (home: TempHome) => path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
const groups = (home: TempHome): PlotGroupState[] => readGroupFiles(groupsDir(home));
const listPlots = (home: TempHome) => fs.readdirSync(plotsDir(home)).sort();

/** The finished plots in plots/: their indices, from their headers. */
function finishedIndices(home: TempHome): number[] {
  return listPlots(home)
    .filter((name) => name.endsWith('.plot2'))
    .map((name) => readPlotFileSync(path.join(plotsDir(home), name)))
    .map((facts) => (facts.ok ? facts.header.pos2!.plotIndex : -1))
    .sort((a, b) => a - b);
}

/** A pos2 file as a plotter leaves it: the header alone (cut), or the whole plot (`whole`). */
function pos2File(file: string, metaGroup: number, whole: boolean): void {
  const plot = buildPos2Plot({
    plotId: crypto.randomBytes(32).toString('hex'),
    k: 18,
    strength: 2,
    plotIndex: 0,
    metaGroup,
    memo: 'solo',
    chunkCount: 4,
    chunkBytes: 100_000,
  });
  fs.writeFileSync(file, plot.header);
  if (whole) fs.truncateSync(file, plot.fileBytes);
}

const writingName = (suffix: string) => `plot-k18-${crypto.randomBytes(32).toString('hex')}.plot2.${suffix}`;

/** The file the hanging plotter holds: the group's unfinished plot. */
function hangingFile(home: TempHome, suffix: string, known: string[]): string | undefined {
  return listPlots(home).find((name) => name.endsWith(`.plot2.${suffix}`) && !known.includes(name));
}

describe('a pos2 group cut short leaves no half-written plot behind', () => {
  it(
    "its tractor removes the killed plotter's unfinished .plot2.tmp, keeps its finished plots and every file it cannot prove its own",
    { timeout: 120_000 },
    async () => {
      const home = pos2Farm({ group_size: 6 });
      // written before the group starts: not this group's, whatever its name
      const old = writingName('tmp');
      pos2File(path.join(plotsDir(home), old), 0, false);
      const hourAgo = new Date(Date.now() - 3_600_000);
      fs.utimesSync(path.join(plotsDir(home), old), hourAgo, hourAgo);
      const tractor = runScript(home, 'scripts/tractor.js', ['--force'], {
        env: simEnv(0.3, { SIMPLOTTER_HANG_PLOT: '3' }),
        timeout: 100_000,
      });
      const group = await waitFor(
        'the plotter to hang in its third plot, the file held open',
        () => {
          const running = groups(home).find((g) => g.plotterPid !== null && g.done === 2);
          return running && hangingFile(home, 'tmp', [old]) !== undefined ? running : undefined;
        },
        60_000,
      );
      started.push(group.plotterPid!, group.tractorPid);
      const hanging = hangingFile(home, 'tmp', [old])!;
      // written since the group started, but: another group's meta group, a whole plot, a file a live process holds
      const otherMeta = writingName('partial');
      pos2File(path.join(plotsDir(home), otherMeta), (group.metaGroup! + 32) % 256, false);
      const whole = writingName('tmp');
      pos2File(path.join(plotsDir(home), whole), group.metaGroup!, true);
      const held = writingName('partial');
      pos2File(path.join(plotsDir(home), held), group.metaGroup!, false);
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `require('fs').openSync(${JSON.stringify(path.join(plotsDir(home), held))}, 'r+'); setInterval(() => {}, 1e9)`,
        ],
        { stdio: 'ignore', detached: true },
      );
      started.push(holder.pid!);
      await waitFor('the holder to open its file', () =>
        fs.readdirSync(`/proc/${holder.pid}/fd`).some((fd) => {
          try {
            return fs.readlinkSync(`/proc/${holder.pid}/fd/${fd}`).endsWith(held);
          } catch {
            // an fd Node closed at start-up while it was listed
            return false;
          }
        }),
      );

      process.kill(group.plotterPid!, 'SIGKILL');
      const result = await tractor;
      assert.equal(result.exitCode, 1, String(result.stderr));
      process.kill(holder.pid!, 'SIGKILL');
      assert.deepEqual(finishedIndices(home), [0, 1]);
      const left = listPlots(home).filter((name) => !name.endsWith('.plot2'));
      assert.deepEqual(left, [old, otherMeta, whole, held].sort());
      assert.ok(!left.includes(hanging));
      const removed = logMessages(home).filter((line) => / removed .*\.plot2\.(tmp|partial) /.test(line));
      assert.equal(removed.length, 1, removed.join('\n'));
      assert.match(
        removed[0]!,
        new RegExp(
          `^group 1: removed ${path.join(plotsDir(home), hanging).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\S+ \\S+\\): an unfinished plot of group 1 \\(meta group ${group.metaGroup}, truncated`,
        ),
      );
      assert.deepEqual(groups(home), []);
    },
  );

  it(
    'diskhand cleans up after a group whose tractor and xchplot2 were killed with -9, only once both are gone',
    { timeout: 120_000 },
    async () => {
      const home = pos2Farm({ group_size: 5, plotter: 'xchplot2' });
      const bin = path.join(home.root, 'bin');
      fs.mkdirSync(bin);
      fs.symlinkSync(SIM_PLOTTER, path.join(bin, 'xchplot2'));
      home.set('xchplot2_bin', path.join(bin, 'xchplot2'));
      const tractor = runScript(home, 'scripts/tractor.js', ['--force'], {
        env: simEnv(0.3, { SIMPLOTTER_HANG_PLOT: '3' }),
        timeout: 100_000,
      });
      const group = await waitFor(
        'xchplot2 to hang in its third plot',
        () => {
          const running = groups(home).find((g) => g.plotterPid !== null && g.done === 2);
          return running && hangingFile(home, 'partial', []) !== undefined ? running : undefined;
        },
        60_000,
      );
      started.push(group.plotterPid!);
      const hanging = hangingFile(home, 'partial', [])!;
      process.kill(group.tractorPid, 'SIGKILL');
      await tractor;
      const diskhand = () => runScript(home, 'scripts/diskhand.js', [], { env: { PATH: process.env.PATH ?? '' } });

      // the plotter still runs: its group and its file are left alone
      assert.ok(isAlive(group.plotterPid!));
      assert.equal((await diskhand()).exitCode, 0);
      assert.ok(listPlots(home).includes(hanging));
      assert.deepEqual(
        groups(home).map((g) => g.index),
        [group.index],
      );

      process.kill(group.plotterPid!, 'SIGKILL');
      await waitFor('the plotter to be gone', () => !isAlive(group.plotterPid!));
      const run = await diskhand();
      assert.equal(run.exitCode, 0, String(run.stderr));
      assert.deepEqual(finishedIndices(home), [0, 1]);
      assert.deepEqual(
        listPlots(home).filter((name) => !name.endsWith('.plot2')),
        [],
      );
      assert.deepEqual(groups(home), []);
      assert.ok(!fs.existsSync(group.tempDir));
      const said = logMessages(home, 'diskhand.log').filter((line) => line.startsWith(`group ${group.index}`));
      assert.equal(said.length, 2, said.join('\n'));
      assert.match(said[0]!, new RegExp(`^group ${group.index}: removed \\S+/${hanging} `));
      assert.match(
        said[1]!,
        new RegExp(
          `^group ${group.index} \\(farm1/disk1\\): its tractor pid ${group.tractorPid} and plotter are gone \\(diskhand pid \\d+ took over\\); removed 1 unfinished plot file, its finished plots stay; removed its empty temp dir ${group.tempDir}$`,
        ),
      );
    },
  );

  it('the loop cleans up after a dead group too, even while it starts no plot', { timeout: 120_000 }, async () => {
    const home = pos2Farm({ group_size: 6, on_toggle: 'off' });
    // a tractor and a plotter that ran and are gone: pids that ended
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout.trim());
    const startedMs = Date.now() - 1000;
    const group: PlotGroupState = {
      index: 9,
      job: null,
      plotter: 'chia-v2',
      tractorPid: deadPid,
      plotterPid: deadPid,
      plotterArgv: [SIM_PLOTTER, 'plots', 'create2'],
      farm: 'farm1',
      disk: 'disk1',
      plotsDir: plotsDir(home),
      tempDir: path.join(home.tempRoot, '1', `goplot-group-9-${deadPid}`),
      logFile: path.join(home.farmRoot, 'farm1', 'disk1', 'logs', 'plot.9.log'),
      k: 18,
      strength: 2,
      metaGroup: 64,
      groupSize: 6,
      done: 1,
      plotBytes: 638_669,
      startedMs,
      plotFraction: 0,
    };
    writeGroupState(home, group);
    // a one-plot-a-run plotter's finished plot left in the temp dir: the dir stays
    fs.mkdirSync(group.tempDir, { recursive: true });
    fs.writeFileSync(path.join(group.tempDir, 'plot_18_2_1_64_x.bin'), 'a plot');
    const finished = path.join(plotsDir(home), `plot-k18-${crypto.randomBytes(32).toString('hex')}.plot2`);
    pos2File(finished, 64, true);
    const cut = writingName('tmp');
    pos2File(path.join(plotsDir(home), cut), 64, false);
    const loop = spawn(process.execPath, [builtScript('scripts/goplot.js')], {
      env: { ...simEnv(1), GOPLOT_HOME: home.home },
      stdio: 'ignore',
    });
    started.push(loop.pid!);
    // the group's file goes before its summary is logged: wait for what is asserted, the summary
    const said9 = () => logMessages(home).filter((line) => line.startsWith('group 9'));
    try {
      await waitFor('the loop to remove the dead group', () => groups(home).length === 0, 60_000);
      await waitFor("the loop's summary of the dead group", () => said9().some((line) => line.includes('took over')));
    } finally {
      loop.kill('SIGTERM');
    }
    assert.deepEqual(listPlots(home), [path.basename(finished)]);
    const said = said9();
    assert.equal(said.length, 2, said.join('\n'));
    assert.match(said[0]!, new RegExp(`^group 9: removed \\S+/${cut} `));
    assert.match(
      said[1]!,
      /^group 9 \(farm1\/disk1\): its tractor pid \d+ and plotter are gone \(loop pid \d+ took over\); removed 1 unfinished plot file, its finished plots stay; kept its temp dir \S+\/goplot-group-9-\d+ \(not empty\)$/,
    );
  });
});
