import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { findTractorPids } from '../../lib/farm/find-tractors.js';
import { groupsDir, readGroupFiles, type PlotGroupState } from '../../lib/farm/plot-groups.js';
import { readPlotFileSync } from '../../lib/plot-file/read-plot-file.js';
import { readPlotFraction } from '../../lib/tractor/run-group-plotter.js';
import { killTree, simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { builtScript, logMessages, runScript, SIM_PLOTTER, waitFor, type TempHome } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();
const loops: ChildProcess[] = [];
after(() => killTree(loops.map((loop) => loop.pid!).filter(Boolean)));

const TEMPLATE =
  '{chia_bin} plots create2 -k {k} --strength {strength} -n {count} --index {index} --meta-group {meta_group} -d {dest} -t {temp}';

function pos2Farm(values: Record<string, string | number>, disks = ['disk1', 'disk2']): TempHome {
  const home = farm({ farm1: disks }, ['1']);
  const all = { plotter: 'chia-v2', k: 18, strength: 2, plot_command_v2: TEMPLATE, ...values };
  for (const [name, value] of Object.entries(all)) home.set(name, value);
  return home;
}

interface PlotSeen {
  header: NonNullable<ReturnType<typeof headerOf>>;
  name: string;
}

function headerOf(file: string) {
  const facts = readPlotFileSync(file);
  return facts.ok && facts.header.pos2
    ? { ...facts.header.pos2, k: facts.header.k, memoBytes: facts.header.memoBytes, plotId: facts.header.plotId }
    : null;
}

function pos2Plots(home: TempHome, disk: string): PlotSeen[] {
  const dir = path.join(home.farmRoot, 'farm1', disk, 'plots');
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.plot2'))
    .map((name) => ({ name, header: headerOf(path.join(dir, name))! }));
}

const liveGroups = (home: TempHome): PlotGroupState[] => readGroupFiles(groupsDir(home));

/** What status, the view and the metrics must agree on about a running group. */
interface GroupSeen {
  index: number;
  disk: string;
  done: number;
  size: number;
  metaGroup: number;
  percent: number;
}

function fromStatus(json: string): GroupSeen[] {
  const status = JSON.parse(json) as {
    plots: {
      index: number;
      destination: string;
      progress: number;
      group: { done: number; size: number; metaGroup: number };
    }[];
  };
  return status.plots.map((plot) => ({
    index: plot.index,
    disk: plot.destination,
    done: plot.group.done,
    size: plot.group.size,
    metaGroup: plot.group.metaGroup,
    percent: Math.floor(plot.progress * 100),
  }));
}

function fromView(text: string): GroupSeen[] {
  const rows = new Map<number, { disk: string; percent: number }>();
  for (const match of text.matchAll(/^\s*(\d+)\s+chia-v2\s+18\s.*\]\s+(\d+)%\s+\S+\s+(farm1\/disk\d)\s/gm))
    rows.set(Number(match[1]), { percent: Number(match[2]), disk: match[3]! });
  return [...text.matchAll(/^group (\d+): (\d+)\/(\d+) plots, .*, meta group (\d+), strength 2$/gm)].map((match) => ({
    index: Number(match[1]),
    disk: rows.get(Number(match[1]))?.disk ?? '?',
    done: Number(match[2]),
    size: Number(match[3]),
    metaGroup: Number(match[4]),
    percent: rows.get(Number(match[1]))?.percent ?? -1,
  }));
}

function fromProm(text: string): GroupSeen[] {
  const value = (metric: string, labels: string) =>
    Number(new RegExp(`^${metric}\\{${labels.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\} (\\S+)$`, 'm').exec(text)?.[1]);
  return [
    ...text.matchAll(
      /^goplot_group_size_plots\{(index="(\d+)",farm="farm1",disk="(disk\d)",plotter="chia-v2")\} (\d+)$/gm,
    ),
  ].map((match) => ({
    index: Number(match[2]),
    disk: `farm1/${match[3]}`,
    done: value('goplot_group_done_plots', match[1]!),
    size: Number(match[4]),
    metaGroup: value('goplot_group_meta_group', match[1]!),
    percent: Math.floor(value('goplot_plot_progress_ratio', match[1]!) * 100),
  }));
}

const byIndex = (groups: GroupSeen[]) => [...groups].sort((a, b) => a.index - b.index);

/**
 * Freezes every running group's plotter (one that starts meanwhile too), then waits until each
 * group file says what its disk and log say, so every reader after it sees the same groups.
 */
async function freezeGroups(home: TempHome): Promise<number[]> {
  const frozen = new Set<number>();
  await waitFor('the frozen group files to match their disks and logs', () =>
    liveGroups(home).every((group) => {
      if (group.plotterPid === null) return false;
      if (!frozen.has(group.plotterPid)) {
        process.kill(group.plotterPid, 'SIGSTOP');
        frozen.add(group.plotterPid);
        return false;
      }
      const landed = pos2Plots(home, group.disk).filter((plot) => plot.header.metaGroup === group.metaGroup).length;
      return landed === group.done && readPlotFraction(group.logFile) === group.plotFraction;
    }),
  );
  return [...frozen];
}

async function sampleReaders(home: TempHome): Promise<void> {
  const status = await runScript(home, 'scripts/goplot-cli.js', ['status', '--json']);
  assert.equal(status.exitCode, 0, String(status.stderr));
  const view = await runScript(home, 'scripts/goplot-cli.js', ['view', '--once']);
  assert.equal(view.exitCode, 0, String(view.stderr));
  const collector = await runScript(home, 'collectors/goplot_collector.js');
  assert.equal(collector.exitCode, 0, String(collector.stderr));
  const prom = fs.readFileSync(path.join(home.root, 'prom', 'goplot.prom'), 'utf8');
  const expected: GroupSeen[] = liveGroups(home).map((group) => ({
    index: group.index,
    disk: `${group.farm}/${group.disk}`,
    done: group.done,
    size: group.groupSize,
    metaGroup: group.metaGroup!,
    percent: Math.floor(Math.min(1, (group.done + Math.min(group.plotFraction, 0.999)) / group.groupSize) * 100),
  }));
  assert.ok(expected.length > 0);
  assert.deepEqual(byIndex(fromStatus(String(status.stdout))), byIndex(expected), 'goplot status --json');
  assert.deepEqual(byIndex(fromView(String(view.stdout))), byIndex(expected), String(view.stdout));
  assert.deepEqual(byIndex(fromProm(prom)), byIndex(expected), 'goplot.prom');
}

function startLoop(home: TempHome, plotSeconds: number): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn('node', [builtScript('scripts/goplot.js')], {
    env: { ...simEnv(plotSeconds), GOPLOT_HOME: home.home },
    stdio: 'ignore',
  });
  loops.push(child);
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

const lines = (home: TempHome, pattern: RegExp) => logMessages(home).filter((line) => pattern.test(line));

describe('pos2 plot groups made by the loop with the simulated plotter', () => {
  it(
    'lands every group whole on one disk, indices 0..N-1, one meta group each, 16 apart on a disk; status, view and metrics agree',
    { timeout: 420_000 },
    async () => {
      const home = pos2Farm({ group_size: 6, max_plots: 2 });
      const loop = startLoop(home, 1.5);
      for (let sample = 0; sample < 2; sample++) {
        await waitFor(
          'groups running, each with its plotter, one with a plot landed and more to come',
          () => {
            const groups = liveGroups(home);
            return (
              groups.length > 0 &&
              groups.every((group) => group.plotterPid !== null) &&
              groups.some((group) => group.done >= 1 && group.done <= group.groupSize - 2)
            );
          },
          120_000,
        );
        // no new group starts while the readers look
        home.set('on_toggle', 'off');
        const frozen = await freezeGroups(home);
        try {
          await sampleReaders(home);
        } finally {
          for (const pid of frozen) process.kill(pid, 'SIGCONT');
          home.set('on_toggle', 'run');
        }
        await waitFor(
          'those groups to end',
          () => liveGroups(home).every((group) => !frozen.includes(group.plotterPid ?? -1)),
          90_000,
        );
      }
      await waitFor('four groups finished', () => lines(home, /^group \d+ finished: /).length >= 4, 180_000);
      home.set('on_toggle', 'off');
      loop.child.kill('SIGTERM');
      assert.equal(await loop.exited, 0);
      // a tractor the loop launched just before may still start its group: every tractor must be gone
      await waitFor(
        'every tractor and its group to end',
        () =>
          findTractorPids(home.home).length === 0 &&
          liveGroups(home).length === 0 &&
          lines(home, /^group \d+ started/).length === lines(home, /^group \d+ (finished|cut short)/).length,
        90_000,
      );

      const finished = lines(home, /^group \d+ finished: 6\/6 plots in /);
      assert.ok(finished.length >= 4, finished.join('\n'));
      assert.deepEqual(lines(home, /^group \d+ cut short/), []);
      for (const disk of ['disk1', 'disk2']) {
        const plots = pos2Plots(home, disk);
        const groups = new Map<number, PlotSeen[]>();
        for (const plot of plots)
          groups.set(plot.header.metaGroup, [...(groups.get(plot.header.metaGroup) ?? []), plot]);
        assert.ok(groups.size >= 1, `${disk} has groups`);
        for (const [metaGroup, members] of groups) {
          assert.deepEqual(
            members.map((plot) => plot.header.plotIndex).sort(),
            [0, 1, 2, 3, 4, 5],
            `${disk} meta group ${metaGroup}`,
          );
          for (const plot of members) {
            assert.equal(plot.header.k, 18);
            assert.equal(plot.header.strength, 2);
            assert.equal(plot.name, `plot-k18-${plot.header.plotId}.plot2`);
          }
        }
        const metas = [...groups.keys()].sort((a, b) => a - b);
        for (let i = 1; i < metas.length; i++)
          assert.ok(metas[i]! - metas[i - 1]! >= 16, `${disk}: ${metas.join(' ')}`);
      }
      // each group's landed plots are on the one disk its start line names
      for (const start of lines(home, /^group \d+ started/)) {
        const [, index, disk] = /^group (\d+) started: .* dest farm1\/(disk\d),/.exec(start)!;
        const landed = lines(home, new RegExp(`^group ${index}: plot \\d/6 landed: `));
        assert.equal(landed.length, 6, start);
        for (const line of landed) assert.match(line, new RegExp(` on farm1/${disk}$`));
      }
    },
  );
});

describe('a pos2 group cut short', () => {
  it('keeps the plots already made when its plotter is killed, and says so', { timeout: 120_000 }, async () => {
    const home = pos2Farm({ group_size: 6 }, ['disk1']);
    const tractor = runScript(home, 'scripts/tractor.js', ['--force'], { env: simEnv(1), timeout: 100_000 });
    const group = await waitFor(
      'two plots landed',
      () => liveGroups(home).find((g) => g.done >= 2 && g.plotterPid !== null),
      60_000,
    );
    started.push(group.plotterPid!);
    process.kill(group.plotterPid!, 'SIGKILL');
    const result = await tractor;
    assert.equal(result.exitCode, 1, String(result.stderr));
    const [cut] = lines(home, /^group 1 cut short/);
    const match =
      /^group 1 cut short: killed by SIGKILL after \S+; keeps its (\d) plots? made of 6 \(farm1\/(disk\d), meta group 0\)$/.exec(
        cut ?? '',
      );
    assert.ok(match, cut);
    assert.equal(`farm1/${match[2]}`, `${group.farm}/${group.disk}`);
    const plots = pos2Plots(home, match[2]!);
    assert.equal(plots.length, Number(match[1]));
    assert.deepEqual(plots.map((plot) => plot.header.plotIndex).sort(), [...Array(plots.length).keys()]);
    assert.deepEqual(liveGroups(home), []);
  });

  it('keeps them when goplot kill ends it, and counts no failure', { timeout: 120_000 }, async () => {
    const home = pos2Farm({ group_size: 6 }, ['disk1']);
    const tractor = runScript(home, 'scripts/tractor.js', ['--force'], { env: simEnv(1), timeout: 100_000 });
    const group = await waitFor(
      'a plot landed',
      () => liveGroups(home).find((g) => g.done >= 1 && g.plotterPid !== null),
      60_000,
    );
    started.push(group.plotterPid!);
    const kill = await runScript(home, 'scripts/goplot-cli.js', ['kill', '1', '--yes']);
    assert.equal(kill.exitCode, 0, String(kill.stderr));
    assert.match(String(kill.stdout), /^killed plot 1 \(pid \d+, job default, chia-v2 k18, dest farm1\/disk1\)/);
    const result = await tractor;
    assert.equal(result.exitCode, 0, String(result.stderr));
    const [cut] = lines(home, /^group 1 cut short/);
    const match =
      /^group 1 cut short: ended on request \(goplot kill by .*\) after \S+; keeps its (\d) plots? made of 6 \(farm1\/disk1, meta group 0\)$/.exec(
        cut ?? '',
      );
    assert.ok(match, cut);
    assert.equal(pos2Plots(home, 'disk1').length, Number(match[1]));
    assert.equal(home.read('config/failures.goplot').trim(), '0');
  });

  it('keeps them when the plotter fails at a plot, and counts the failure', { timeout: 120_000 }, async () => {
    const home = pos2Farm({ group_size: 5 }, ['disk1']);
    const result = await runScript(home, 'scripts/tractor.js', ['--force'], {
      env: simEnv(0.3, { SIMPLOTTER_FAIL_PLOT: '3' }),
      timeout: 100_000,
    });
    assert.equal(result.exitCode, 1, String(result.stderr));
    assert.deepEqual(
      lines(home, /^group 1 cut short/).map((line) => line.replace(/after \S+;/, 'after T;')),
      ['group 1 cut short: exit code 1 after T; keeps its 2 plots made of 5 (farm1/disk1, meta group 0)'],
    );
    assert.deepEqual(
      pos2Plots(home, 'disk1')
        .map((plot) => plot.header.plotIndex)
        .sort(),
      [0, 1],
    );
    assert.equal(home.read('config/failures.goplot').trim(), '1');
  });
});

describe('a template plotter that makes one plot a run and leaves .bin files in its working dir', () => {
  it('gets its plots into plots/ as .plot2, with their headers as written', { timeout: 120_000 }, async () => {
    const home = pos2Farm({ group_size: 3 }, ['disk1']);
    const bin = path.join(home.root, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(SIM_PLOTTER, path.join(bin, 'plotter'));
    home.set('chia_bin', path.join(bin, 'plotter'));
    home.set('plot_command_v2', '{chia_bin} test {k} {plot_id} {strength} {index} {meta_group}');
    const result = await runScript(home, 'scripts/tractor.js', ['--force'], { env: simEnv(0.3), timeout: 100_000 });
    assert.equal(result.exitCode, 0, String(result.stderr));
    const plots = pos2Plots(home, 'disk1').sort((a, b) => a.header.plotIndex - b.header.plotIndex);
    assert.deepEqual(
      plots.map((plot) => [
        plot.header.plotIndex,
        plot.header.metaGroup,
        plot.header.strength,
        plot.header.k,
        plot.header.memoBytes,
      ]),
      [
        [0, 0, 2, 18, 112],
        [1, 0, 2, 18, 112],
        [2, 0, 2, 18, 112],
      ],
    );
    for (const plot of plots) assert.equal(plot.name, `plot-k18-${plot.header.plotId}.plot2`);
    const moved = lines(home, /^group 1: plot \d\/3 landed: /);
    assert.equal(moved.length, 3);
    for (const line of moved)
      assert.match(line, /\(moved from \S+\/goplot-group-1-\d+\/plot_18_2_\d_0_[0-9a-f]{64}\.bin\)/);
    assert.deepEqual(fs.readdirSync(path.join(home.tempRoot, '1')), []);
  });
});
