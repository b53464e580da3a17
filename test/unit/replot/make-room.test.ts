import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { finalPlotBytes } from '../../../lib/farm/plot-size.js';
import { makeRoomLocked, type NewPlot } from '../../../lib/replot/make-room.js';
import { heldByClaims, writeClaim } from '../../../lib/replot/room-claims.js';
import { FAKE_BIN } from '../../helpers/sim-farm.js';
import { makeDisks, makeTempHome } from '../../helpers/temp-home.js';
import { writePlotFile } from '../../helpers/plot-files.js';

const OLD = finalPlotBytes(32, 0);
const home = makeTempHome('goplot-makeroom-');
after(() => home.cleanup());
makeDisks(home, { farm1: ['disk1'] });
const diskDir = path.join(home.farmRoot, 'farm1', 'disk1');
const plotsDir = path.join(diskDir, 'plots');
const table = path.join(home.root, 'df-table');
// disk_space=df reads the fake df: a folder with a declared size, used = its files' sizes
process.env.PATH = `${FAKE_BIN}:${process.env.PATH}`;
process.env.FAKE_DF_TABLE = table;
const plot: NewPlot = {
  index: 7,
  farm: 'farm1',
  disk: 'disk1',
  diskDir,
  plotsDir,
  plotter: 'bladebit-ram',
  k: 32,
  compression: 5,
  kind: 'pool',
};

function declare(freeGiB: number): void {
  const used = fs.readdirSync(plotsDir).reduce((sum, name) => sum + fs.statSync(path.join(plotsDir, name)).size, 0);
  fs.writeFileSync(table, `${diskDir} ${Math.ceil((used + freeGiB * 1024 ** 3) / 1024)} files\n`);
}

const config = () => new ConfigReader(home);

beforeEach(() => {
  for (const name of fs.readdirSync(plotsDir)) fs.rmSync(path.join(plotsDir, name));
  home.set('disk_space', 'df');
  home.set('replot', 'on');
  home.set('replot_match', 'kind=solo');
});

describe('just-in-time removal', () => {
  it('removes the oldest matching plot, only when the disk would not hold the new one, and counts it', async () => {
    const newer = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: OLD, mtime: new Date(2022, 5, 1) });
    const oldest = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: OLD, mtime: new Date(2022, 0, 1) });
    const pool = writePlotFile(plotsDir, { kind: 'pool', sizeBytes: OLD, mtime: new Date(2020, 0, 1) });
    declare(90);
    const roomy = await makeRoomLocked({ paths: home, config: config(), plot });
    assert.deepEqual(
      [roomy.removed, roomy.message],
      [
        null,
        'farm1/disk1 holds it without removing a plot (90.0 GiB free, 0 B held for 0 other plots writing to it, this one needs 82.1 GiB)',
      ],
    );
    declare(20);
    const told: string[] = [];
    const tight = await makeRoomLocked({
      paths: home,
      config: config(),
      plot,
      notify: (subject, text) => told.push(`${subject}: ${text}`),
    });
    assert.equal(tight.removed?.path, oldest);
    assert.deepEqual([fs.existsSync(oldest), fs.existsSync(newer), fs.existsSync(pool)], [false, true, true]);
    assert.equal(home.read('config/replot_removed.goplot'), '1\n');
    assert.equal(told.length, 1);
    assert.match(
      told[0]!,
      /^farm1\/disk1: replot removed plot-k32-2026-01-01-00-00-[0-9a-f]{64}\.plot \(v1 k32 C0 solo, id [0-9a-f]{12}…, 101\.4 GiB, made 2022-01-01 00:00 UTC\) from farm1\/disk1 for plot 7 \(bladebit-ram k32 C5 pool\): 20\.0 GiB free/,
    );
  });

  it('removes nothing when replot is off, the rule is none, or the rule matches the plots being made', async () => {
    const old = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: OLD });
    declare(1);
    home.set('replot', 'off');
    assert.equal((await makeRoomLocked({ paths: home, config: config(), plot })).message, 'replot is off');
    home.set('replot', 'on');
    home.set('replot_match', 'none');
    assert.equal((await makeRoomLocked({ paths: home, config: config(), plot })).message, 'replot_match is none');
    home.set('replot_match', 'k=32');
    assert.equal(
      (await makeRoomLocked({ paths: home, config: config(), plot })).message,
      'replot_match (k=32) also matches the plots being made (k32 C5 pool); nothing removed',
    );
    assert.ok(fs.existsSync(old));
  });

  it('never removes a plot that does not match, an invalid plot, a link or anything outside plots/', async () => {
    writePlotFile(plotsDir, { kind: 'pool', sizeBytes: OLD });
    fs.writeFileSync(path.join(plotsDir, 'broken.plot'), Buffer.alloc(300));
    const outside = writePlotFile(diskDir, { kind: 'solo', sizeBytes: OLD });
    try {
      fs.symlinkSync(outside, path.join(plotsDir, 'link.plot'));
      declare(1);
      const outcome = await makeRoomLocked({ paths: home, config: config(), plot });
      assert.equal(outcome.removed, null);
      assert.equal(
        outcome.message,
        'farm1/disk1 is short of room and its plots matching replot_match (kind=solo) cannot free enough; nothing removed (1.0 GiB free, 0 B held for 0 other plots writing to it, this one needs 82.1 GiB; 3 plots there may not go: see goplot replot --dry-run)',
      );
      assert.deepEqual(fs.readdirSync(plotsDir).length, 3);
      assert.ok(fs.existsSync(outside));
    } finally {
      fs.rmSync(outside);
    }
  });

  it('passes over a link to take the next plot: a link never blocks the disk', async () => {
    const outside = writePlotFile(diskDir, { kind: 'solo', sizeBytes: OLD, mtime: new Date(2020, 0, 1) });
    try {
      const link = path.join(plotsDir, 'plot-k32-link.plot');
      fs.symlinkSync(outside, link);
      const real = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: OLD, mtime: new Date(2023, 0, 1) });
      declare(1);
      const outcome = await makeRoomLocked({ paths: home, config: config(), plot });
      assert.equal(outcome.removed?.path, real, outcome.message);
      assert.deepEqual([fs.existsSync(link), fs.existsSync(outside), fs.existsSync(real)], [true, true, false]);
    } finally {
      fs.rmSync(outside);
    }
  });

  it('removes the fewest plots that free enough, passing over one too small alone to matter, and none when all would not do', async () => {
    const tiny = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: 10 * 1024 ** 3, mtime: new Date(2021, 0, 1) });
    declare(1);
    const short = await makeRoomLocked({ paths: home, config: config(), plot });
    assert.equal(short.removed, null);
    assert.match(
      short.message,
      /^farm1\/disk1 is short of room and its plots matching replot_match \(kind=solo\) cannot free enough; nothing removed /,
    );
    assert.ok(fs.existsSync(tiny));
    const fifty = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: 50 * 1024 ** 3, mtime: new Date(2022, 0, 1) });
    const forty = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: 40 * 1024 ** 3, mtime: new Date(2023, 0, 1) });
    declare(1);
    const before = config().get('replot_removed');
    const outcome = await makeRoomLocked({ paths: home, config: config(), plot });
    assert.ok(outcome.removed, outcome.message);
    assert.deepEqual(
      outcome.all.map((old) => old.path),
      [fifty, forty],
    );
    assert.deepEqual([fs.existsSync(tiny), fs.existsSync(fifty), fs.existsSync(forty)], [true, false, false]);
    assert.equal(config().get('replot_removed'), before + 2);
  });

  it('leaves the room claimed by another plot writing to the disk to that plot', async () => {
    const old = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: OLD });
    declare(90);
    writeClaim(home, 'farm1', 'disk1', { pid: process.pid, needKiB: Math.ceil(50 * 1024 ** 2), plotId: null });
    assert.deepEqual(heldByClaims(home, 'farm1', 'disk1', plotsDir, undefined), { kib: 50 * 1024 ** 2, plots: 1 });
    const outcome = await makeRoomLocked({ paths: home, config: config(), plot });
    assert.equal(outcome.removed?.path, old, outcome.message);
    writeClaim(home, 'farm1', 'disk1', { pid: 999_999_999, needKiB: 1, plotId: null });
    assert.equal(
      heldByClaims(home, 'farm1', 'disk1', plotsDir, process.pid).plots,
      0,
      "a dead plotter's claim and our own count for nothing",
    );
  });
});
