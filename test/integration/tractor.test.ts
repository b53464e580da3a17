import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { committedKiB } from '../../lib/farm/plot-size.js';
import { readPlotOutcomes } from '../../lib/plot-outcomes/plot-outcomes.js';
import { bladebitDiskWithDf, fakeDfEnv } from '../helpers/fake-df.js';
import { isAlive, simEnv, simFarmsOfThisFile, simPlotterPids } from '../helpers/sim-farm.js';
import { logMessages, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();

const value = (home: TempHome, name: string) => home.read(`config/${name}.goplot`).trim();
const tractor = (home: TempHome, args: string[] = [], env: Record<string, string> = {}) =>
  runScript(home, 'scripts/tractor.js', args, { env: simEnv(0.3, env) });

describe('the tractor refuses clearly', () => {
  it('refuses while on_toggle is not run, and --force plots anyway', async () => {
    const home = farm();
    home.set('on_toggle', 'off');
    const refused = await tractor(home);
    assert.equal(refused.exitCode, 2);
    assert.equal(
      refused.stderr,
      `tractor: on_toggle is "off", not "run" (echo run > ${home.configDir}/on_toggle.goplot, or use --force)`,
    );
    assert.equal(fs.existsSync(path.join(home.configDir, 'index.goplot')) ? value(home, 'index') : '0', '0');
    const forced = await tractor(home, ['--force']);
    assert.equal(forced.exitCode, 0, forced.stderr);
    assert.equal(value(home, 'index'), '1');
  });

  it('refuses when the plotter command cannot be found, and counts it for the back-off', async () => {
    const home = farm();
    home.set('chia_bin', 'no-such-chia');
    const result = await tractor(home);
    assert.equal(result.exitCode, 2);
    assert.equal(
      result.stderr,
      'tractor: the plotter command "no-such-chia" was not found (set config/chia_bin.goplot, madmax_bin or bladebit_bin, or PATH)',
    );
    assert.equal(value(home, 'failures'), '1');
  });

  it('refuses when there is no temp dir', async () => {
    const home = farm({ farm1: ['disk1'] }, []);
    const result = await tractor(home);
    assert.equal(result.exitCode, 2);
    assert.equal(result.stderr, `tractor: no temp dir under ${home.tempRoot} (make ${home.tempRoot}/1)`);
  });

  it('refuses with one line naming every farm when no disk is usable', async () => {
    const home = farm({ farm1: ['disk1', 'disk2'], farm2: ['disk1'] });
    fs.mkdirSync(path.join(home.disksDir, 'farm1'), { recursive: true });
    fs.mkdirSync(path.join(home.disksDir, 'farm2'), { recursive: true });
    fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk1.goplot'), 'full\n');
    fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk2.goplot'), 'full\n');
    fs.writeFileSync(path.join(home.disksDir, 'farm2', 'disk1.goplot'), '9999999999999\n');
    const result = await tractor(home);
    assert.equal(result.exitCode, 2);
    assert.equal(
      result.stderr,
      `tractor: no usable disk under ${home.farmRoot}: farm1: 2 disks full; farm2: disk1 off`,
    );
    assert.ok(
      logMessages(home).includes(
        `tractor refused: no usable disk under ${home.farmRoot}: farm1: 2 disks full; farm2: disk1 off`,
      ),
    );
  });

  it('refuses to plot with a guessed value when a plot value file is invalid', async () => {
    const home = farm();
    home.set('k', '25x');
    const result = await tractor(home);
    assert.equal(result.exitCode, 2);
    assert.equal(
      result.stderr,
      `tractor: ${home.configDir}/k.goplot: invalid value "25x" (expected a whole number from 18 to 50); no plot starts with a guessed value (fix it, see goplot config)`,
    );
    assert.equal(
      fs.existsSync(path.join(home.configDir, 'failures.goplot')) ? value(home, 'failures') : '0',
      '0',
      'a config mistake is not a plot failure',
    );
  });

  it('refuses a value the plotter does not take instead of passing it on', async () => {
    const home = farm();
    home.set('compression', 3);
    const result = await tractor(home);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /^tractor: config\/compression\.goplot: plotter chia does not take compression 3/);
  });
});

describe('the tractor chooses like goplot', () => {
  it('goes round robin over farms and temp dirs, with a new index and log each time', async () => {
    const home = farm();
    const places: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await tractor(home);
      assert.equal(result.exitCode, 0, result.stderr);
      places.push(`${value(home, 'index')} ${value(home, 'farm_dest')} ${value(home, 'farm_temp')}`);
    }
    assert.deepEqual(places, ['1 farm1 1', '2 farm2 2', '3 farm1 1', '4 farm2 2']);
    for (let index = 1; index <= 4; index++) {
      const farmName = index % 2 === 1 ? 'farm1' : 'farm2';
      const logs = ['disk1', 'disk2'].map((disk) =>
        path.join(home.farmRoot, farmName, disk, 'logs', `plot.${index}.log`),
      );
      assert.equal(
        logs.filter((file) => fs.existsSync(file)).length,
        1,
        `plot.${index}.log in one disk of ${farmName}`,
      );
    }
    const plots = fs
      .readdirSync(path.join(home.farmRoot, 'farm1', 'disk1', 'plots'))
      .concat(fs.readdirSync(path.join(home.farmRoot, 'farm1', 'disk2', 'plots')));
    assert.equal(plots.filter((name) => /^plot-k25-.*\.plot$/.test(name)).length, 2);
    const finished = logMessages(home).filter((line) => /^plot \d finished in \d+s \(farm\d\/disk\d\)$/.test(line));
    assert.equal(finished.length, 4);
  });

  it('takes the usable disk with the lowest diskhand number within the farm', async () => {
    const home = farm({ farm1: ['disk1', 'disk2', 'disk3'] });
    fs.mkdirSync(path.join(home.disksDir, 'farm1'), { recursive: true });
    fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk1.goplot'), '5000\n');
    fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk2.goplot'), '100\n');
    fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk3.goplot'), '900\n');
    const result = await tractor(home, ['--dry-run']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^disk: +disk2 /m);
    assert.equal(
      fs.readFileSync(path.join(home.disksDir, 'farm1', 'disk2.goplot'), 'utf8'),
      '100\n',
      'a dry run reserves nothing',
    );
  });

  it('prints the exact command on --dry-run and starts nothing', async () => {
    const home = farm({ farm1: ['disk1'] }, ['7']);
    const result = await tractor(home, ['--dry-run']);
    assert.equal(result.exitCode, 0, result.stderr);
    const plots = path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
    const lines = result.stdout.split('\n');
    const commandAt = lines.findIndex((line) => line.startsWith('command:'));
    assert.equal(
      lines[commandAt],
      `command:     ${value(home, 'chia_bin')} plots create -k 25 --override-k -r 2 -n 1 -b 3389 -u 128 -t ${home.tempRoot}/7 -2 ${home.tempRoot}/7 -d ${plots}`,
    );
    // the same plan a real start commits, printed instead of written
    const stamp = /^would write: config\/last_start\.goplot = (\d+)$/.exec(lines.at(-1) ?? '');
    assert.ok(stamp, lines.join('\n'));
    // the disk has no state file yet: measured now (the temp folder's filesystem), then reserved
    const measured = /^would write: disks\/farm1\/disk1\.goplot = (\d+)$/.exec(lines[commandAt + 1] ?? '');
    assert.ok(measured, lines.join('\n'));
    assert.deepEqual(lines.slice(commandAt + 1), [
      `would write: disks/farm1/disk1.goplot = ${measured[1]}`,
      `would write: disks/farm1/disk1.goplot = ${Number(measured[1]) + committedKiB(25, 0)}`,
      'would write: config/index.goplot = 1',
      'would write: config/farm_dest.goplot = farm1',
      'would write: config/farm_temp.goplot = 7',
      `would write: config/last_start.goplot = ${stamp[1]}`,
    ]);
    assert.equal(fs.existsSync(path.join(home.configDir, 'index.goplot')), false);
    assert.equal(fs.existsSync(path.join(home.disksDir, 'farm1', 'disk1.goplot')), false);
    assert.deepEqual(fs.readdirSync(plots), []);
  });

  it('never chooses a disk that is not a mount point while require_mount is yes', async () => {
    const home = farm({ farm1: ['disk1', 'disk2', 'disk3'] });
    home.set('require_mount', 'yes');
    const mountinfo = path.join(home.root, 'mountinfo');
    const disk2 = path.join(home.farmRoot, 'farm1', 'disk2');
    fs.writeFileSync(
      mountinfo,
      `22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 8:17 / ${disk2} rw - ext4 /dev/sdb1 rw\n41 22 259:1 / ${home.tempRoot} rw - ext4 /dev/nvme0n1p1 rw\n`,
    );
    for (let i = 0; i < 3; i++) {
      const result = await tractor(home, [], { GOPLOT_MOUNTINFO: mountinfo });
      assert.equal(result.exitCode, 0, result.stderr);
    }
    assert.equal(fs.readdirSync(path.join(disk2, 'plots')).length, 3);
    for (const disk of ['disk1', 'disk3']) {
      assert.deepEqual(fs.readdirSync(path.join(home.farmRoot, 'farm1', disk, 'plots')), []);
      assert.equal(fs.readFileSync(path.join(home.disksDir, 'farm1', `${disk}.goplot`), 'utf8').trim(), 'unmounted');
    }
  });
});

describe('the tractor when the plotter fails', () => {
  it('logs the exit code and last lines, removes only its own temp files, counts the failure', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const strangerTemp = path.join(home.tempRoot, '1', `plot-k25-2026-01-01-00-00-${'ab'.repeat(32)}.plot.table1.tmp`);
    fs.writeFileSync(strangerTemp, 'another plot');
    const result = await tractor(home, [], { SIMPLOTTER_FAIL_PHASE: '2' });
    assert.equal(result.exitCode, 1);
    const messages = logMessages(home);
    const failure = messages.find((line) => line.startsWith('plot 1 failed: '));
    assert.ok(failure, messages.join('\n'));
    assert.match(failure, /^plot 1 failed: exit code 1 after \d+s; last lines of .*plot\.1\.log: .*\S/);
    assert.ok(
      messages.some((line) => /^plot 1: removed [1-9]\d* temporary files? of plot id [0-9a-f]{12}…$/.test(line)),
      messages.join('\n'),
    );
    assert.deepEqual(fs.readdirSync(path.join(home.tempRoot, '1')), [path.basename(strangerTemp)]);
    assert.equal(value(home, 'failures'), '1');
    assert.notEqual(value(home, 'last_fail'), '0');
    const counts = () =>
      readPlotOutcomes(home).series.map(({ job, plotter, finished, failed, durationBuckets }) => ({
        job,
        plotter,
        finished,
        failed,
        under5min: durationBuckets[0],
      }));
    assert.deepEqual(
      counts(),
      [{ job: 'default', plotter: 'chia', finished: 0, failed: 1, under5min: 0 }],
      'a failed plot takes no place in the duration histogram',
    );
    const again = await tractor(home);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.equal(value(home, 'failures'), '0', 'a finished plot ends the run of failures');
    assert.deepEqual(
      counts(),
      [{ job: 'default', plotter: 'chia', finished: 1, failed: 1, under5min: 1 }],
      "counted on top of the last tractor's counts",
    );
    assert.deepEqual(
      readPlotOutcomes(home).series[0]!.phaseCounts,
      [1, 1, 1, 1],
      "the four phase times of the finished plot's log",
    );
  });
});

describe('the tractor keeps plots apart', () => {
  it('never reuses a plot number when index.goplot is lost or reset', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    assert.equal((await tractor(home)).exitCode, 0);
    assert.equal((await tractor(home)).exitCode, 0);
    home.set('index', 'garbage');
    assert.equal((await tractor(home)).exitCode, 0);
    fs.rmSync(path.join(home.configDir, 'index.goplot'));
    assert.equal((await tractor(home)).exitCode, 0);
    assert.deepEqual(fs.readdirSync(path.join(home.farmRoot, 'farm1', 'disk1', 'logs')).sort(), [
      'plot.1.log',
      'plot.2.log',
      'plot.3.log',
      'plot.4.log',
    ]);
  });

  it('gives bladebit diskplot a temp folder of its own and removes it whole when the plot fails', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const env = bladebitDiskWithDf(home);
    const dry = await tractor(home, ['--dry-run'], env);
    assert.match(
      dry.stdout,
      new RegExp(`-t ${home.tempRoot}/1/goplot-plot-1-\\d+ -2 ${home.tempRoot}/1/goplot-plot-1-\\d+ `),
    );
    const failed = await tractor(home, [], { ...env, SIMPLOTTER_FAIL_PHASE: '2' });
    assert.equal(failed.exitCode, 1, failed.stderr);
    assert.deepEqual(fs.readdirSync(path.join(home.tempRoot, '1')), []);
    assert.ok(
      logMessages(home).some(
        (line) =>
          line ===
          `plot 1: removed its temp folder ${home.tempRoot}/1/goplot-plot-1-${/goplot-plot-1-(\d+)/.exec(line)?.[1]}`,
      ),
    );
  });
});

describe('a plotter wrapper that exits 0 after a failure', () => {
  it('counts the plot as failed when its log shows no finished plot', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const fakeChia = path.join(home.root, 'chia');
    const id = 'cd'.repeat(32);
    fs.writeFileSync(
      fakeChia,
      `#!/bin/sh\necho 'Multi-threaded pipelined Chia k32 plotter'\necho 'Plot Name: plot-k32-2026-11-23-10-00-${id}'\necho '[P1] Table 1 took 1.5 sec'\necho 'STDERR: terminate called after throwing an instance of std::runtime_error'\nexit 0\n`,
      { mode: 0o755 },
    );
    home.set('chia_bin', fakeChia);
    home.set('plotter', 'madmax');
    fs.writeFileSync(path.join(home.tempRoot, '1', `plot-k32-2026-11-23-10-00-${id}.p1.table1.tmp`), 'x');
    const result = await tractor(home);
    assert.equal(result.exitCode, 1);
    const failure = logMessages(home).find((line) => line.startsWith('plot 1 failed: '));
    assert.match(
      failure ?? '',
      /^plot 1 failed: exit code 0 but its log shows no finished plot \((running|failed)\) after \d+s; /,
    );
    assert.deepEqual(fs.readdirSync(path.join(home.tempRoot, '1')), []);
  });
});

describe('tractors started together', () => {
  it('give 20 plots unique indices and never overfill a disk', { timeout: 120_000 }, async () => {
    const disks = { farm1: ['disk1', 'disk2', 'disk3'], farm2: ['disk1', 'disk2', 'disk3'] };
    const home = farm(disks);
    home.set('disk_space', 'df');
    const perPlot = committedKiB(25, 0);
    // each disk holds 3.5 plots, and df sees the plots on it (a finished plot's room is measured
    // again, so a df that never saw them would let a late tractor overfill the disk)
    const table = path.join(home.root, 'df-table');
    const rows = Object.entries(disks).flatMap(([farmName, names]) =>
      names.map((disk) => `${path.join(home.farmRoot, farmName, disk)} ${Math.floor(perPlot * 3.5)} files`),
    );
    fs.writeFileSync(table, `${rows.join('\n')}\n`);
    const env = {
      ...fakeDfEnv(table),
      SIMPLOTTER_FINAL_BYTES: String(perPlot * 1024),
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        runScript(home, 'scripts/tractor.js', [], { env: simEnv(4, env), timeout: 110_000 }),
      ),
    );
    const codes = results.map((result) => result.exitCode).sort();
    assert.equal(codes.filter((code) => code === 0).length, 18, results.map((r) => r.stderr).join('\n'));
    assert.equal(codes.filter((code) => code === 2).length, 2);
    const indices = logMessages(home)
      .map((line) => /^plot (\d+) started:/.exec(line)?.[1])
      .filter(Boolean)
      .map(Number)
      .sort((a, b) => a - b);
    assert.deepEqual(
      indices,
      Array.from({ length: 18 }, (_, i) => i + 1),
    );
    for (const [farmName, names] of Object.entries(disks)) {
      for (const disk of names) {
        const plots = fs
          .readdirSync(path.join(home.farmRoot, farmName, disk, 'plots'))
          .filter((name) => name.endsWith('.plot'));
        assert.equal(plots.length, 3, `${farmName}/${disk} holds 3 plots, room for 3.5`);
      }
    }
  });
});

describe('a tractor killed mid-plot', () => {
  it('leaves the plot running and every state file valid', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const child = runScript(home, 'scripts/tractor.js', [], { env: simEnv(6) });
    const tractorPid = child.pid!;
    started.push(tractorPid);
    const [plotterPid] = await waitFor('the plotter to start', () => {
      const pids = simPlotterPids(home);
      return pids.length > 0 ? pids : null;
    });
    process.kill(tractorPid, 'SIGKILL');
    await child;
    assert.equal(isAlive(plotterPid!), true, 'the plot goes on without its tractor');
    for (const name of ['index', 'farm_dest', 'farm_temp', 'last_start', 'failures']) {
      assert.match(value(home, name), /^\w+$/, `${name}.goplot holds one value`);
    }
    assert.match(fs.readFileSync(path.join(home.disksDir, 'farm1', 'disk1.goplot'), 'utf8'), /^\d+\n$/);
    await waitFor('the orphaned plot to finish', () => !isAlive(plotterPid!), 20_000);
    assert.equal(
      fs.readdirSync(path.join(home.farmRoot, 'farm1', 'disk1', 'plots')).filter((name) => name.endsWith('.plot'))
        .length,
      1,
    );
  });
});
