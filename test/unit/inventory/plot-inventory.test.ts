import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { formatInventory } from '../../../lib/cli/format-inventory.js';
import { readPlotInventory } from '../../../lib/inventory/scan-farm-plots.js';
import { makeTempHome } from '../../helpers/temp-home.js';
import { writePlotFile } from '../../helpers/plot-files.js';

const GIB = 1024 ** 3;
const home = makeTempHome('goplot-inventory-');
after(() => home.cleanup());
home.set('farm_root', home.farmRoot);
const plots = (farm: string, disk: string) => path.join(home.farmRoot, farm, disk, 'plots');
const day = (d: number) => new Date(2023, 0, d);

// farm1/disk1: 2 solo C0 and 1 pool C5; farm1/disk2: 1 pool C0 k33 and a truncated file; farm2/disk1: 1 pool C7
const oldest = writePlotFile(plots('farm1', 'disk1'), { kind: 'solo', sizeBytes: 101 * GIB, mtime: day(1) });
writePlotFile(plots('farm1', 'disk1'), { kind: 'solo', sizeBytes: 101 * GIB, mtime: day(2) });
writePlotFile(plots('farm1', 'disk1'), { kind: 'pool', compression: 5, sizeBytes: 81 * GIB, mtime: day(3) });
writePlotFile(plots('farm1', 'disk2'), { kind: 'pool', k: 33, sizeBytes: 208 * GIB, mtime: day(4) });
fs.writeFileSync(path.join(plots('farm1', 'disk2'), 'half.plot'), 'Proof of Space Plot');
fs.writeFileSync(path.join(plots('farm1', 'disk2'), 'plot-k32-2026-01-01-00-00-abc.plot.tmp'), 'being copied');
const newest = writePlotFile(plots('farm2', 'disk1'), {
  kind: 'pool',
  compression: 7,
  sizeBytes: 78 * GIB,
  mtime: day(5),
});
for (const [farm, disk] of [
  ['farm1', 'disk1'],
  ['farm1', 'disk2'],
  ['farm2', 'disk1'],
])
  fs.mkdirSync(path.join(home.farmRoot, farm!, disk!, 'logs'));
// folders changed in the last seconds are listed again on every run (see RACY_MS): these are older
for (const [farm, disk] of [
  ['farm1', 'disk1'],
  ['farm1', 'disk2'],
  ['farm2', 'disk1'],
])
  fs.utimesSync(plots(farm!, disk!), day(6), day(6));

describe('the plot inventory', () => {
  it('counts plots and bytes per disk, farm and in all by k, compression and kind, with oldest, newest and invalid files', async () => {
    const config = new ConfigReader(home);
    const { inventory } = await readPlotInventory({ config });
    assert.deepEqual([inventory.count, inventory.bytes], [5, (101 + 101 + 81 + 208 + 78) * GIB]);
    assert.deepEqual(
      inventory.groups.map((g) => [g.k, g.compression, g.kind, g.count, g.bytes / GIB]),
      [
        [32, 0, 'solo', 2, 202],
        [32, 5, 'pool', 1, 81],
        [32, 7, 'pool', 1, 78],
        [33, 0, 'pool', 1, 208],
      ],
    );
    assert.deepEqual([inventory.oldest?.path, inventory.newest?.path], [oldest, newest]);
    assert.deepEqual(inventory.invalid, [
      {
        path: path.join(plots('farm1', 'disk2'), 'half.plot'),
        problem: 'truncated',
        message: 'truncated: plot id, k and format description needs bytes 0..60, file has 19',
      },
    ]);
    assert.deepEqual(
      inventory.farms.map((f) => [f.farm, f.count, f.disks.map((d) => `${d.disk}:${d.count}:${d.invalid.length}`)]),
      [
        ['farm1', 4, ['disk1:3:0', 'disk2:1:1']],
        ['farm2', 1, ['disk1:1:0']],
      ],
    );
    assert.deepEqual([inventory.replot, inventory.rule, inventory.toReplot], ['off', 'none', { count: 0, bytes: 0 }]);
  });

  it('says how much is left to replot under the current rule, per disk', async () => {
    home.set('replot_match', 'compression<5');
    const { inventory } = await readPlotInventory({ config: new ConfigReader(home) });
    assert.deepEqual(inventory.toReplot, { count: 3, bytes: (101 + 101 + 208) * GIB });
    assert.deepEqual(
      inventory.farms[0]!.disks.map((d) => d.toReplot.count),
      [2, 1],
    );
    home.set('replot_match', 'kind=solo before=2023-01-02');
    const second = await readPlotInventory({ config: new ConfigReader(home) });
    assert.deepEqual(second.inventory.toReplot, { count: 1, bytes: 101 * GIB });
    const text = formatInventory(second.inventory);
    assert.match(
      text,
      /^replot: off; replot_match: kind=solo before=2023-01-02; left to replot: 1 plots \(101\.0 GiB\); plots not matching the rule: 80\.0 %$/m,
    );
    assert.match(text, /^farm1 +disk1 +3 +283\.0 GiB +3 +0 +2023-01-01 00:00 +2023-01-03 00:00 +0 +1 \(101\.0 GiB\)$/m);
    assert.match(
      text,
      /^ {2}.*half\.plot: truncated: plot id, k and format description needs bytes 0\.\.60, file has 19$/m,
    );
  });

  it("takes one disk with --disk, and that disk's unchanged folder from its summary without reading a file", async () => {
    const config = new ConfigReader(home);
    const { inventory, cache } = await readPlotInventory({ config, disk: 'farm1/disk2' });
    assert.deepEqual(
      inventory.farms.map((f) => f.disks.map((d) => `${f.farm}/${d.disk}`)),
      [['farm1/disk2']],
    );
    assert.deepEqual(cache, { read: 0, cached: 0, disksReused: 1, disksRead: 0 });
  });
});
