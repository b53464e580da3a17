import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeDisks, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';
import { writePlotFile } from '../helpers/plot-files.js';

const GIB = 1024 ** 3;
const homes: TempHome[] = [];
after(() => {
  for (const home of homes) home.cleanup();
});

function farm(): TempHome {
  const home = makeTempHome();
  homes.push(home);
  makeDisks(home, { farm1: ['disk1', 'disk2'] });
  home.set('farm_root', home.farmRoot);
  const plots = (disk: string) => path.join(home.farmRoot, 'farm1', disk, 'plots');
  for (let n = 0; n < 3; n++) writePlotFile(plots('disk1'), { kind: 'solo', sizeBytes: 101 * GIB });
  writePlotFile(plots('disk2'), { kind: 'pool', compression: 5, sizeBytes: 81 * GIB });
  fs.writeFileSync(path.join(plots('disk2'), 'notes.plot'), 'hello');
  return home;
}

const goplot = (home: TempHome, args: string[]) => runScript(home, 'scripts/goplot-cli.js', args);

interface PlotsJson {
  count: number;
  bytes: number;
  rule: string;
  toReplot: { count: number };
  invalid: { path: string; message: string }[];
  farms: { farm: string; disks: { disk: string; count: number }[] }[];
  headers: { read: number; cached: number };
}

describe('goplot plots', () => {
  it('lists the inventory as JSON, reading every header once and from the cache after', async () => {
    const home = farm();
    home.set('replot_match', 'kind=solo');
    const first = await goplot(home, ['plots', '--json']);
    assert.equal(first.exitCode, 0, first.stderr);
    const inventory = JSON.parse(first.stdout) as PlotsJson;
    assert.deepEqual([inventory.count, inventory.bytes, inventory.rule, inventory.toReplot.count], [4, (3 * 101 + 81) * GIB, 'kind=solo', 3]);
    assert.deepEqual(inventory.invalid.map((file) => [path.basename(file.path), file.message]), [['notes.plot', 'not a plot: bad magic 68656c6c6f']]);
    assert.deepEqual(inventory.farms[0]!.disks.map((d) => [d.disk, d.count]), [['disk1', 3], ['disk2', 1]]);
    assert.deepEqual(inventory.headers, { read: 5, cached: 0 });
    const second = JSON.parse((await goplot(home, ['plots', '--json'])).stdout) as PlotsJson;
    assert.deepEqual(second.headers, { read: 0, cached: 5 });
  });

  it('prints a table per disk and one disk with --disk; refuses a bad --disk', async () => {
    const home = farm();
    const text = await goplot(home, ['plots', '--disk', 'farm1/disk2']);
    assert.equal(text.exitCode, 0, text.stderr);
    assert.match(text.stdout, /^farm1 +disk2 +1 +81\.0 GiB .* 1 +0$/m);
    assert.doesNotMatch(text.stdout, /disk1/);
    const bad = await goplot(home, ['plots', '--disk', 'disk2']);
    assert.deepEqual([bad.exitCode, bad.stderr], [2, 'goplot plots: --disk "disk2" is not FARM/DISK (e.g. farm1/disk3)']);
    const unknown = await goplot(home, ['plots', '--disk', 'farm9/disk1']);
    assert.deepEqual([unknown.exitCode, unknown.stderr], [2, `goplot plots: --disk farm9/disk1: no such disk under ${home.farmRoot}`]);
    const help = await goplot(home, ['--help']);
    assert.match(help.stdout, /^ {2}plots\b/m);
  });
});
