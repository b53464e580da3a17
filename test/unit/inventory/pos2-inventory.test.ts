import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { formatInventory } from '../../../lib/cli/format-inventory.js';
import { readPlotInventory } from '../../../lib/inventory/scan-farm-plots.js';
import { summaryStoreFile } from '../../../lib/inventory/summary-store.js';
import { buildPos2Plot, type Pos2Spec } from '../../../lib/plot-file/build-plot-header.js';
import { makeTempHome } from '../../helpers/temp-home.js';
import { writePlotFile } from '../../helpers/plot-files.js';

const GIB = 1024 ** 3;
const DAY = 86_400_000;
/** The fixed clock of every run here: 2026-12-06 12:00 UTC. */
const NOW = Date.UTC(2026, 11, 6, 12);
const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY);

let serial = 0;
/** A sparse pos2 plot named as chia names them, its header built by the project's pos2 builder. */
function writePos2(dir: string, spec: Partial<Pos2Spec> & { mtime: Date }): { file: string; bytes: number } {
  const plotId = (++serial).toString(16).padStart(64, 'c');
  const plot = buildPos2Plot({
    plotId,
    k: 28,
    strength: 2,
    plotIndex: 0,
    metaGroup: 0,
    memo: 'solo',
    chunkCount: 4,
    chunkBytes: 4096,
    ...spec,
  });
  const file = path.join(dir, `plot-k${spec.k ?? 28}-${plotId}.plot2`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, plot.header);
  fs.truncateSync(file, plot.fileBytes);
  fs.utimesSync(file, spec.mtime, spec.mtime);
  return { file, bytes: plot.fileBytes };
}

const home = makeTempHome('goplot-pos2-inventory-');
after(() => home.cleanup());
const plotsOf = (farm: string, disk: string) => path.join(home.farmRoot, farm, disk, 'plots');
const diskA = plotsOf('farm1', 'diskA');
const diskB = plotsOf('farm1', 'diskB');
const loop = plotsOf('farm1', 'diskC');

// diskA: pos1 v1 solo k32 x2 and bladebit C5 pool; pos2 k28 strength 2 solo in meta group 16 (x3),
// strength 0 pool in meta group 48 (x2); a group file, a pos2 file of version 9 and a cut file.
// diskB: one pos2 plot 40 days old (outside the landed window). diskC: plots/ is a symlink to itself.
writePlotFile(diskA, { kind: 'solo', sizeBytes: 101 * GIB, mtime: at(3) });
writePlotFile(diskA, { kind: 'solo', sizeBytes: 101 * GIB, mtime: at(3) });
writePlotFile(diskA, { kind: 'pool', compression: 5, sizeBytes: 81 * GIB, mtime: at(1) });
const strong = [0, 1, 2].map((i) => writePos2(diskA, { plotIndex: i, metaGroup: 16, mtime: at(1) }));
const weak = [0, 1].map((i) =>
  writePos2(diskA, { plotIndex: i, metaGroup: 48, strength: 0, memo: 'pool', mtime: at(0.25) }),
);
fs.writeFileSync(path.join(diskA, 'group-m99.gplot'), 'g');
fs.truncateSync(path.join(diskA, 'group-m99.gplot'), 118 * GIB);
const newer = writePos2(diskA, { formatVersion: 9, mtime: at(2) });
fs.writeFileSync(
  path.join(diskA, 'cut.plot2'),
  Buffer.concat([Buffer.from('pos2'), Buffer.from([1]), Buffer.alloc(10)]),
);
const old = writePos2(diskB, { metaGroup: 0, mtime: at(40) });
fs.mkdirSync(path.dirname(loop), { recursive: true });
fs.symlinkSync('plots', loop);
for (const disk of ['diskA', 'diskB', 'diskC']) fs.mkdirSync(path.join(home.farmRoot, 'farm1', disk, 'logs'));
for (const dir of [diskA, diskB]) fs.utimesSync(dir, at(5), at(5));

const run = () => readPlotInventory({ config: new ConfigReader(home), now: () => NOW });
const sum = (files: { bytes: number }[]) => files.reduce((total, f) => total + f.bytes, 0);

describe('the inventory of pos1 and pos2 plots side by side', () => {
  it('counts plots and bytes by pos, k, compression or strength and kind; group files, files not read and cut files apart', async () => {
    const { inventory } = await run();
    const [a, b, c] = inventory.farms[0]!.disks;
    assert.deepEqual(inventory.pos1, { count: 3, bytes: 283 * GIB });
    assert.deepEqual(inventory.pos2, { count: 6, bytes: sum([...strong, ...weak, old]) });
    assert.deepEqual([inventory.count, inventory.bytes], [9, 283 * GIB + sum([...strong, ...weak, old])]);
    assert.deepEqual(inventory.groups, [
      { pos: 1, k: 32, compression: 0, kind: 'solo', count: 2, bytes: 202 * GIB },
      { pos: 1, k: 32, compression: 5, kind: 'pool', count: 1, bytes: 81 * GIB },
      { pos: 2, k: 28, strength: 0, kind: 'pool', count: 2, bytes: sum(weak) },
      { pos: 2, k: 28, strength: 2, kind: 'solo', count: 4, bytes: sum([...strong, old]) },
    ]);
    assert.deepEqual(a!.groupFiles, { count: 1, bytes: 118 * GIB });
    assert.deepEqual(a!.notRead, [{ pos: 2, message: 'pos2, version 9, not read', count: 1, bytes: newer.bytes }]);
    assert.deepEqual(
      a!.invalid.map((file) => [path.basename(file.path), file.message]),
      [
        [
          'cut.plot2',
          'truncated: pos2 plot id, k, strength, index, meta group and memo length needs bytes 0..43, file has 15',
        ],
      ],
    );
    assert.deepEqual([a!.invalidCount, b!.invalidCount, inventory.invalidCount], [1, 0, 1]);
    assert.deepEqual([a!.metaGroups, b!.metaGroups, c!.metaGroups], [[16, 48], [0], []]);
    assert.deepEqual([a!.unreadable, b!.unreadable], [undefined, undefined]);
    assert.equal(c!.unreadable, `cannot read ${loop}: ELOOP: too many symbolic links encountered, stat '${loop}'`);
  });

  it('counts the plots of each pos landed per UTC day by mtime over the last 35 days', async () => {
    const { inventory } = await run();
    assert.deepEqual(inventory.farms[0]!.disks[0]!.landed, [
      { day: '2026-12-03', pos1: 2, pos2: 0 },
      { day: '2026-12-05', pos1: 1, pos2: 3 },
      { day: '2026-12-06', pos1: 0, pos2: 2 },
    ]);
    assert.deepEqual(inventory.farms[0]!.disks[1]!.landed, [], 'the 40-day-old plot is outside the window');
    assert.deepEqual(inventory.landed, inventory.farms[0]!.disks[0]!.landed);
  });

  it('shows it all to a farmer: pos columns, strength, group files, files not read, meta groups and the unreadable folder', async () => {
    const text = formatInventory((await run()).inventory);
    assert.match(text, /^pos1: 3 plots \(283\.0 GiB\); pos2: 6 plots \(\d+\.\d MiB\)$/m);
    assert.match(text, /^farm1 +diskA +8 +283\.0 GiB +3 +5 /m);
    assert.match(text, /^farm1 +diskC +unreadable +- +- +- +- +- +- +-$/m);
    assert.match(text, /^pos2 +k28 +- +2 +solo +4 /m);
    assert.match(text, /^pos1 +k32 +C5 +- +pool +1 +81\.0 GiB$/m);
    assert.match(text, /^pos2 plot group files \(\.gplot, counted by their size\): 1 \(118\.0 GiB\)$/m);
    assert.match(text, /^pos2 files not read: 1 \(0\.0 MiB\): pos2, version 9, not read$/m);
    assert.ok(
      text.includes(
        `plots/ folders not read, their plots not counted (1):\n  cannot read ${loop}: ELOOP: too many symbolic links encountered, stat '${loop}'`,
      ),
      text,
    );
    assert.match(text, /^ {2}farm1\/diskA: 16 48 \(2\)$/m);
    assert.doesNotMatch(text, /\bv2\b/);
  });
});

describe('the inventory is incremental', () => {
  it("takes an unchanged folder's summary without reading a file, and reads it again once the folder changed", async () => {
    await run();
    const unchanged = await run();
    assert.deepEqual(unchanged.cache, { read: 0, cached: 0, disksReused: 2, disksRead: 0 });
    // a header rewritten in place does not touch the folder: the summary it had stays
    const plot = buildPos2Plot({
      plotId: path.basename(strong[0]!.file).slice(9, 73),
      k: 28,
      strength: 7,
      plotIndex: 0,
      metaGroup: 16,
      memo: 'solo',
      chunkCount: 4,
      chunkBytes: 4096,
    });
    const fd = fs.openSync(strong[0]!.file, 'r+');
    fs.writeSync(fd, plot.header, 0, plot.header.length, 0);
    fs.closeSync(fd);
    const kept = await run();
    assert.deepEqual(kept.cache, { read: 0, cached: 0, disksReused: 2, disksRead: 0 });
    assert.equal(
      kept.inventory.groups.find((g) => g.strength === 7),
      undefined,
    );
    // the folder touched (as a new plot landing would): listed again, the changed file's header read
    fs.utimesSync(diskA, at(4), at(4));
    const touched = await run();
    assert.deepEqual(touched.cache, { read: 1, cached: 10, disksReused: 1, disksRead: 1 });
    assert.deepEqual(
      touched.inventory.groups.find((g) => g.strength === 7),
      { pos: 2, k: 28, strength: 7, kind: 'solo', count: 1, bytes: strong[0]!.bytes },
    );
  });

  it('lists a folder changed in the last seconds again on the next run: a change in the same clock tick would not move its mtime', async () => {
    const fresh = writePos2(diskB, { metaGroup: 64, mtime: at(0) });
    // the clock of these runs: one second after the folder changed
    const now = () => fs.statSync(diskB).mtimeMs + 1000;
    const first = await readPlotInventory({ config: new ConfigReader(home), now });
    assert.deepEqual(first.inventory.farms[0]!.disks[1]!.metaGroups, [0, 64]);
    assert.deepEqual(first.cache, { read: 1, cached: 1, disksReused: 1, disksRead: 1 });
    const second = await readPlotInventory({ config: new ConfigReader(home), now });
    assert.deepEqual(second.cache, { read: 0, cached: 2, disksReused: 1, disksRead: 1 }, 'diskB is listed again');
    fs.rmSync(fresh.file);
    fs.utimesSync(diskB, at(5), at(5));
  });

  it('rebuilds a damaged cache, says so once, and writes a good one', async () => {
    const file = summaryStoreFile(home);
    fs.writeFileSync(file, JSON.stringify({ version: 1, disks: { [diskA]: { sig: 7 } } }));
    const damaged = await run();
    assert.equal(
      damaged.cache.cacheProblem,
      `${file} was damaged (the entry of ${diskA} is not a disk summary): rebuilt from the plot files`,
    );
    assert.deepEqual([damaged.cache.disksRead, damaged.cache.read], [2, 0]);
    assert.equal(damaged.inventory.count, 9);
    const next = await run();
    assert.equal(next.cache.cacheProblem, undefined);
    assert.equal(next.cache.disksReused, 2);
    fs.writeFileSync(file, '{"version": 1, "disks": {"/x');
    const cut = await run();
    assert.match(
      cut.cache.cacheProblem ?? '',
      new RegExp(`^${file} was damaged \\(.*JSON.*\\): rebuilt from the plot files$`),
    );
    assert.equal(cut.inventory.count, 9);
  });
});
