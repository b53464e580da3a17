import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { diskStateFile } from '../../../lib/farm/disk-state.js';
import { committedKiB } from '../../../lib/farm/plot-size.js';
import { commitStartWrites } from '../../../lib/plan/start-writes.js';
import { planStart, type PlanPlot } from '../../../lib/plan/start-plan.js';
import { createStartWorld } from '../../../lib/plan/start-world.js';
import { FAKE_BIN, useFakeDf } from '../../helpers/fake-df.js';
import { makeDisks, makeTempDirs, makeTempHome, type TempHome } from '../../helpers/temp-home.js';

const GIB_KIB = 1024 * 1024;
const PLOT_KIB = committedKiB(32, 0);

let home: TempHome;
const fakeDf = useFakeDf();
const env = () => ({ PATH: process.env.PATH });

/** df's sizes (test/fake-bin/df, first on PATH): `<dir> <total KiB> <used KiB>`. */
function setDf(rows: [string, number, number][]): void {
  fs.writeFileSync(
    path.join(home.root, 'df-table'),
    rows.map(([dir, total, used]) => `${dir} ${total} ${used}`).join('\n') + '\n',
  );
}

/** A plot running into farm1/disk1 now, as the farm snapshot and the process table describe it. */
const plotOnDisk1: PlanPlot = { farm: 'farm1', disk: 'disk1', k: 32, compression: 0, tempDir: null };

beforeEach(() => {
  home = makeTempHome('goplot-plan-');
  fakeDf.setTable(path.join(home.root, 'df-table'));
  makeDisks(home, { farm1: ['disk1'] });
  makeTempDirs(home, ['1']);
  for (const [name, value] of Object.entries({
    chia_bin: path.join(FAKE_BIN, 'chia'),
    require_mount: 'no',
    disk_space: 'df',
    k: 32,
  }))
    home.set(name, value);
  // room for one k32 plot and a half, no state file yet: measured as diskhand would
  setDf([
    [path.join(home.tempRoot, '1'), 2000 * GIB_KIB, 0],
    [path.join(home.farmRoot, 'farm1', 'disk1'), Math.floor(PLOT_KIB * 1.5), 0],
  ]);
});

afterEach(() => {
  home.cleanup();
});

describe('the start plan', () => {
  it('says what would start, where and with which command, and writes nothing, its reservation being data', async () => {
    const plan = await planStart({
      paths: home,
      config: new ConfigReader(home, () => {}, env()),
      env: env(),
      running: [],
    });
    assert.equal(plan.ok, true, plan.ok ? '' : plan.message);
    if (!plan.ok) return;
    const plotsDir = path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
    assert.deepEqual(
      [plan.temp.dir, plan.destination.farm, plan.destination.disk],
      [path.join(home.tempRoot, '1'), 'farm1', 'disk1'],
    );
    assert.equal(plan.command.command, path.join(FAKE_BIN, 'chia'));
    assert.deepEqual(plan.command.args.slice(-6), [
      '-t',
      path.join(home.tempRoot, '1'),
      '-2',
      path.join(home.tempRoot, '1'),
      '-d',
      plotsDir,
    ]);
    assert.equal(fs.existsSync(diskStateFile(home, 'farm1', 'disk1')), false);
    // measured now (no state file yet), then the plot's reservation on top
    assert.deepEqual(plan.diskWrites, [
      { farm: 'farm1', disk: 'disk1', state: { kind: 'number', kib: 0 } },
      { farm: 'farm1', disk: 'disk1', state: { kind: 'number', kib: PLOT_KIB } },
    ]);
  });

  it("counts a running plot's space on a disk without a state file, in the loop's check as in the plan", async () => {
    const config = new ConfigReader(home, () => {}, env());
    const plan = await planStart({ paths: home, config, env: env(), running: [plotOnDisk1] });
    assert.deepEqual(plan, {
      ok: false,
      message: `no usable disk under ${home.farmRoot}: farm1: disk1 full`,
      countsAsFailure: true,
      diskWrites: [{ farm: 'farm1', disk: 'disk1', state: { kind: 'full' } }],
    });
    const loopSays = await createStartWorld(home, env()).checkRoom(config, [
      { ...plotOnDisk1, pid: 1, ppid: 1, phase: 1 },
    ]);
    assert.equal(loopSays, plan.ok ? null : plan.message);
  });

  it('reserves the disk once its writes are committed: the state grows by one plot', async () => {
    const plan = await planStart({
      paths: home,
      config: new ConfigReader(home, () => {}, env()),
      env: env(),
      running: [],
    });
    assert.equal(plan.ok, true);
    commitStartWrites({ disks: plan.diskWrites, values: [] }, home);
    assert.equal(fs.readFileSync(diskStateFile(home, 'farm1', 'disk1'), 'utf8'), `${PLOT_KIB}\n`);
  });

  it('refuses an invalid pos2 value (group_size) as it refuses any other plot value', async () => {
    home.set('group_size', 'many');
    const invalid = await planStart({
      paths: home,
      config: new ConfigReader(home, () => {}, env()),
      env: env(),
      running: [],
    });
    home.set('group_size', 128);
    assert.equal(invalid.ok, false);
    assert.equal(invalid.ok ? '' : invalid.countsAsFailure, false);
    assert.match(
      invalid.ok ? '' : invalid.message,
      /^\S+\/group_size\.goplot: invalid value "many" .*no plot starts with a guessed value/,
    );
  });

  it('refuses an invalid value without counting a failure, and a missing plotter as a failure', async () => {
    home.set('k', 'big');
    const invalid = await planStart({
      paths: home,
      config: new ConfigReader(home, () => {}, env()),
      env: env(),
      running: [],
    });
    assert.deepEqual(invalid, {
      ok: false,
      countsAsFailure: false,
      diskWrites: [],
      message: `${home.configDir}/k.goplot: invalid value "big" (expected a whole number from 18 to 50); no plot starts with a guessed value (fix it, see goplot config)`,
    });
    home.set('k', 32);
    home.set('chia_bin', 'no-such-chia');
    const missing = await planStart({
      paths: home,
      config: new ConfigReader(home, () => {}, env()),
      env: env(),
      running: [],
    });
    assert.deepEqual(missing, {
      ok: false,
      countsAsFailure: true,
      diskWrites: [],
      message:
        'the plotter command "no-such-chia" was not found (set config/chia_bin.goplot, madmax_bin or bladebit_bin, or PATH)',
    });
  });
});
