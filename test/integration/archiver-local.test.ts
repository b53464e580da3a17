import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { planPass, type PassWorld } from '../../lib/archive/archive-pass.js';
import { TargetReader } from '../../lib/archive/archive-targets.js';
import { ownStartTicks } from '../../lib/archive/reservations.js';
import { ConfigReader } from '../../lib/config/config-reader.js';
import { makePlot, makeTargetDisk, plotFiles, unmountUnder } from '../helpers/archive-world.js';
import { IS_ROOT, NOT_ROOT } from '../helpers/small-filesystems.js';
import { logMessages, makeDisks, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';

const KiB = 1024;

function setUp(): TempHome {
  const home = makeTempHome('goplot-archiver-local-');
  makeDisks(home, { staging: ['ssd1'] });
  home.set('archive_staging', 'staging');
  home.set('prom_dir', home.logsDir);
  fs.mkdirSync(path.join(home.configDir, 'archive', 'targets'), { recursive: true });
  fs.writeFileSync(path.join(home.configDir, 'archive', 'targets', 'here.goplot'), 'local\n');
  return home;
}

describe("archiver to this host's own farm disks", { skip: IS_ROOT ? false : NOT_ROOT }, () => {
  const homes: TempHome[] = [];
  after(() => {
    for (const home of homes) {
      unmountUnder(home.root);
      home.cleanup();
    }
  });

  it('two passes at once never reserve the last slot twice', async () => {
    const home = setUp();
    homes.push(home);
    // room for one 300 KiB plot and its margin; the staging farm is never a target of its own plots
    makeTargetDisk(home.farmRoot, 'farm1', 'disk1', 500);
    const plots = [0, 1, 2].map((i) => makePlot(path.join(home.farmRoot, 'staging', 'ssd1', 'plots'), 300 * KiB, i));
    home.set('archive_max_total', 10);
    home.set('archive_max_per_host', 10);
    const world = (): PassWorld => ({
      paths: home,
      config: new ConfigReader(home, () => {}),
      now: Date.now,
      procDir: '/proc',
      mountinfoPath: '/proc/self/mountinfo',
      pid: process.pid,
      pidStart: ownStartTicks(),
      sayOnce: () => {},
    });
    const targets = new TargetReader(home, () => {}).read();
    const results = await Promise.all([
      planPass(targets, world()),
      planPass(targets, world()),
      planPass(targets, world()),
    ]);
    const planned = results.flatMap((result) => result.planned);
    assert.equal(planned.length, 1, JSON.stringify(results.map((r) => r.planned.map((p) => p.reservation.plot))));
    assert.equal(planned[0].reservation.plot, plots[0].name, 'the oldest plot goes first');
    assert.deepEqual([planned[0].reservation.farm, planned[0].reservation.disk], ['farm1', 'disk1']);
    assert.deepEqual(results.map((result) => result.waiting).sort(), [2, 2, 2]);
  });

  it('moves plots from the staging farm to the farm disks with the local target, by rsync and rename', async () => {
    const home = setUp();
    homes.push(home);
    const disk1 = makeTargetDisk(home.farmRoot, 'farm1', 'disk1', 2048);
    const disk2 = makeTargetDisk(home.farmRoot, 'farm1', 'disk2', 2048);
    fs.writeFileSync(path.join(disk1, 'filler.bin'), Buffer.alloc(512 * KiB));
    const plot = makePlot(path.join(home.farmRoot, 'staging', 'ssd1', 'plots'), 256 * KiB);
    fs.chmodSync(plot.file, 0o600);
    home.set('archive_mode', '0640');
    const run = await runScript(home, 'scripts/archiver.js', ['--once']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(plotFiles(disk1), []);
    assert.deepEqual(plotFiles(disk2), [plot.name]);
    assert.ok(fs.readFileSync(path.join(disk2, plot.name)).equals(plot.bytes));
    assert.equal(
      (fs.statSync(path.join(disk2, plot.name)).mode & 0o777).toString(8),
      '640',
      'the mode archive_mode says',
    );
    assert.equal(fs.existsSync(plot.file), false);
    const lines = logMessages(home, 'archiver.log');
    assert.ok(
      lines.some(
        (line) => line === `transfer start: ${plot.name} from staging/ssd1 to here:farm1/disk2 (${256 * KiB} bytes)`,
      ),
      lines.join('\n'),
    );
  });

  it('leaves a plot that a process still has open, and says why once', async () => {
    const home = setUp();
    homes.push(home);
    const disk1 = makeTargetDisk(home.farmRoot, 'farm1', 'disk1', 2048);
    const plot = makePlot(path.join(home.farmRoot, 'staging', 'ssd1', 'plots'), 128 * KiB);
    const fd = fs.openSync(plot.file, 'r+');
    try {
      for (let run = 0; run < 2; run++)
        assert.equal((await runScript(home, 'scripts/archiver.js', ['--once'])).exitCode, 0);
    } finally {
      fs.closeSync(fd);
    }
    assert.deepEqual(plotFiles(disk1), []);
    assert.ok(fs.existsSync(plot.file));
    // each --once run is a new process: it says it once per run
    assert.equal(
      logMessages(home, 'archiver.log').filter(
        (line) => line === `${plot.file}: not archived yet: open in another process (still being written?)`,
      ).length,
      2,
    );
    assert.equal((await runScript(home, 'scripts/archiver.js', ['--once'])).exitCode, 0);
    assert.deepEqual(plotFiles(disk1), [plot.name]);
  });

  it('a partial copy on a disk now too full for the rest is left for another disk, and removed once the plot arrived there', async () => {
    const home = setUp();
    homes.push(home);
    const disk1 = makeTargetDisk(home.farmRoot, 'farm1', 'disk1', 600);
    const disk2 = makeTargetDisk(home.farmRoot, 'farm1', 'disk2', 2048);
    const plot = makePlot(path.join(home.farmRoot, 'staging', 'ssd1', 'plots'), 400 * KiB);
    fs.writeFileSync(path.join(disk1, `${plot.name}.partial`), plot.bytes.subarray(0, 100 * KiB));
    fs.writeFileSync(path.join(disk1, 'filler.bin'), Buffer.alloc(400 * KiB));
    const run = await runScript(home, 'scripts/archiver.js', ['--once']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(plotFiles(disk2), [plot.name]);
    assert.ok(fs.readFileSync(path.join(disk2, plot.name)).equals(plot.bytes));
    assert.deepEqual(fs.readdirSync(disk1).sort(), ['filler.bin']);
    assert.ok(
      logMessages(home, 'archiver.log').includes(`removed the older partial copy of ${plot.name} on here:${disk1}`),
      logMessages(home, 'archiver.log').join('\n'),
    );
  });
});
