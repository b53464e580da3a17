import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
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
  // folders changed in the last seconds are listed again on every run (RACY_MS): these are older
  for (const disk of ['disk1', 'disk2']) fs.utimesSync(plots(disk), new Date(2026, 0, 2), new Date(2026, 0, 2));
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
  headers: { read: number; cached: number; disksReused: number; disksRead: number };
}

describe('goplot plots', () => {
  it("lists the inventory as JSON, reading every header once, then each unchanged disk's summary", async () => {
    const home = farm();
    home.set('replot_match', 'kind=solo');
    const first = await goplot(home, ['plots', '--json']);
    assert.equal(first.exitCode, 0, first.stderr);
    const inventory = JSON.parse(first.stdout) as PlotsJson;
    assert.deepEqual(
      [inventory.count, inventory.bytes, inventory.rule, inventory.toReplot.count],
      [4, (3 * 101 + 81) * GIB, 'kind=solo', 3],
    );
    assert.deepEqual(
      inventory.invalid.map((file) => [path.basename(file.path), file.message]),
      [['notes.plot', 'not a plot: bad magic 68656c6c6f']],
    );
    assert.deepEqual(
      inventory.farms[0]!.disks.map((d) => [d.disk, d.count]),
      [
        ['disk1', 3],
        ['disk2', 1],
      ],
    );
    assert.deepEqual(inventory.headers, { read: 5, cached: 0, disksReused: 0, disksRead: 2 });
    const second = JSON.parse((await goplot(home, ['plots', '--json'])).stdout) as PlotsJson;
    assert.deepEqual(second.headers, { read: 0, cached: 0, disksReused: 2, disksRead: 0 });
  });

  it("counts pos1 and pos2 side by side as a user runs it: the reference plotter's plot, a group file and a newer pos2 version", async () => {
    const home = farm();
    const disk1 = path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
    const fixture = fs.readFileSync(
      path.join(PACKAGE_ROOT, 'test', 'fixtures', 'plot-headers', 'pos2-k18-s2-i7-m33.plot2'),
    );
    fs.writeFileSync(path.join(disk1, 'reference.plot2'), fixture);
    const newer = Buffer.from(fixture);
    newer[4] = 3;
    fs.writeFileSync(path.join(disk1, 'newer.plot2'), newer);
    fs.writeFileSync(path.join(disk1, 'group.gplot'), Buffer.alloc(1000));
    fs.utimesSync(disk1, new Date(2026, 0, 3), new Date(2026, 0, 3));
    const result = await goplot(home, ['plots', '--json']);
    assert.equal(result.exitCode, 0, result.stderr);
    const json = JSON.parse(result.stdout) as PlotsJson & {
      pos1: { count: number };
      pos2: { count: number; bytes: number };
      groups: { pos: number; k: number; strength?: number; compression?: number; kind: string; count: number }[];
      farms: { disks: { metaGroups: number[]; groupFiles: { count: number; bytes: number }; notRead: unknown[] }[] }[];
    };
    assert.deepEqual([json.pos1.count, json.pos2.count, json.pos2.bytes], [4, 1, fixture.length]);
    assert.deepEqual(
      json.groups.filter((g) => g.pos === 2),
      [{ pos: 2, k: 18, strength: 2, kind: 'pool', count: 1, bytes: fixture.length }],
    );
    const [disk] = json.farms[0]!.disks;
    assert.deepEqual(disk!.metaGroups, [33]);
    assert.deepEqual(disk!.groupFiles, { count: 1, bytes: 1000 });
    assert.deepEqual(disk!.notRead, [
      { pos: 2, message: 'pos2, version 3, not read', count: 1, bytes: fixture.length },
    ]);
    const text = await goplot(home, ['plots']);
    assert.match(text.stdout, /^pos2 +k18 +- +2 +pool +1 /m);
    assert.match(text.stdout, /^ {2}farm1\/disk1: 33 \(1\)$/m);
  });

  it('prints a table per disk and one disk with --disk; refuses a bad --disk', async () => {
    const home = farm();
    const text = await goplot(home, ['plots', '--disk', 'farm1/disk2']);
    assert.equal(text.exitCode, 0, text.stderr);
    assert.match(text.stdout, /^farm1 +disk2 +1 +81\.0 GiB +1 +0 .* 1 +0$/m);
    assert.doesNotMatch(text.stdout, /disk1/);
    const bad = await goplot(home, ['plots', '--disk', 'disk2']);
    assert.deepEqual(
      [bad.exitCode, bad.stderr],
      [2, 'goplot plots: --disk "disk2" is not FARM/DISK (e.g. farm1/disk3)'],
    );
    const unknown = await goplot(home, ['plots', '--disk', 'farm9/disk1']);
    assert.deepEqual(
      [unknown.exitCode, unknown.stderr],
      [2, `goplot plots: --disk farm9/disk1: no such disk under ${home.farmRoot}`],
    );
    const help = await goplot(home, ['--help']);
    assert.match(help.stdout, /^ {2}plots\b/m);
  });
});

describe('goplot replot --dry-run', () => {
  it('lists per disk the plots that would go, oldest first, the others and why, and refuses without --dry-run', async () => {
    const home = farm();
    home.set('replot', 'on');
    home.set('replot_match', 'kind=solo');
    home.set('plotter', 'bladebit-ram');
    home.set('compression', '5');
    home.set('pool_contract', `xch1${'q'.repeat(58)}`);
    const plotsDir = path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
    for (const name of fs.readdirSync(plotsDir)) fs.rmSync(path.join(plotsDir, name));
    const second = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: 101 * GIB, mtime: new Date(2023, 1, 1) });
    const first = writePlotFile(plotsDir, { kind: 'solo', sizeBytes: 101 * GIB, mtime: new Date(2023, 0, 1) });
    const result = await goplot(home, ['replot', '--dry-run']);
    assert.equal(result.exitCode, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.equal(
      lines[0],
      'replot: on; replot_match: kind=solo; new plots: bladebit-ram k32 C5 pool, 82.1 GiB with its margin',
    );
    assert.match(
      lines[1]!,
      /^farm1\/disk1: 2 old plots would go, in this order, each when the disk no longer holds the next new plot \(.* free\):$/,
    );
    assert.equal(lines[2], `  1. ${path.basename(first)}  pos1 v1 k32 C0 solo  101.0 GiB  made 2023-01-01 00:00`);
    assert.equal(lines[3], `  2. ${path.basename(second)}  pos1 v1 k32 C0 solo  101.0 GiB  made 2023-02-01 00:00`);
    assert.match(lines[4]!, /^farm1\/disk2: no plot would go \(.* free\)$/);
    assert.match(
      lines[6]!,
      /^ {2}left alone: plot-k32-c05-[-0-9a-f]+\.plot: replot_match \(kind=solo\) does not match it \(pos1 bladebit k32 C5 pool\)$/,
    );
    assert.equal(lines[5], '  left alone: notes.plot: not a valid plot (not a plot: bad magic 68656c6c6f)');
    assert.equal(lines[7], 'in all: 2 plots (202.0 GiB) left to replace');
    assert.deepEqual(
      fs.readdirSync(plotsDir).sort(),
      [path.basename(first), path.basename(second)].sort(),
      'a dry run removes nothing',
    );
    home.set('pool_contract', '');
    assert.equal(
      (await goplot(home, ['replot', '--dry-run'])).stdout.split('\n')[1],
      'warning: replot_match also matches the plots being made; the tractors remove nothing while it does',
    );
    const refused = await goplot(home, ['replot']);
    assert.deepEqual(
      [refused.exitCode, refused.stderr],
      [
        2,
        'goplot replot: only --dry-run exists: old plots are removed by the tractors and the archiver, just before a new plot needs their room (echo on > config/replot.goplot)',
      ],
    );
  });

  it("with --job, judges by the job's own replot values and only its dest_farms", async () => {
    const home = farm();
    makeDisks(home, { farm2: ['disk1'] });
    writePlotFile(path.join(home.farmRoot, 'farm2', 'disk1', 'plots'), { kind: 'solo', sizeBytes: 101 * GIB });
    home.set('replot_match', 'kind=solo');
    const jobDir = path.join(home.configDir, 'jobs', 'pool');
    fs.mkdirSync(jobDir, { recursive: true });
    fs.writeFileSync(path.join(jobDir, 'replot.goplot'), 'on\n');
    fs.writeFileSync(path.join(jobDir, 'replot_match.goplot'), 'kind=solo compression<1\n');
    fs.writeFileSync(path.join(jobDir, 'dest_farms.goplot'), 'farm1\n');
    fs.writeFileSync(path.join(jobDir, 'compression.goplot'), '5\n');
    const result = await goplot(home, ['replot', '--dry-run', '--job', 'pool']);
    assert.equal(result.exitCode, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.equal(
      lines[0],
      'job pool: replot: on; replot_match: kind=solo compression<1; new plots: chia k32 C5 solo, 82.1 GiB with its margin',
    );
    assert.match(lines[1]!, /^farm1\/disk1: 3 old plots would go, /);
    assert.match(lines[lines.length - 4]!, /^farm1\/disk2: no plot would go /);
    assert.match(
      lines[lines.length - 2]!,
      /^ {2}left alone: .*: replot_match \(kind=solo compression<1\) does not match it \(pos1 bladebit k32 C5 pool\)$/,
    );
    assert.equal(lines[lines.length - 1], 'in all: 3 plots (303.0 GiB) left to replace', "farm2 is not the job's");
    const global = await goplot(home, ['replot', '--dry-run']);
    assert.equal(
      global.stdout.split('\n')[0],
      'replot: off (nothing is removed until: echo on > config/replot.goplot); replot_match: kind=solo; new plots: chia k32 C0 solo, 102.4 GiB with its margin',
    );
    const missing = await goplot(home, ['replot', '--dry-run', '--job', 'nope']);
    assert.deepEqual(
      [missing.exitCode, missing.stderr],
      [2, `goplot replot: no job nope: ${path.join(home.configDir, 'jobs', 'nope')} does not exist`],
    );
  });
});
