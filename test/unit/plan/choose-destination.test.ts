import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  chooseDestination as decideDestination,
  type ChooseDestinationOptions,
  type DestinationResult,
} from '../../../lib/plan/choose-destination.js';
import { commitStartWrites } from '../../../lib/plan/start-writes.js';
import { diskStateFile, readDiskState } from '../../../lib/farm/disk-state.js';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { readMountPoints } from '../../../lib/farm/mount-points.js';
import { committedKiB } from '../../../lib/farm/plot-size.js';
import { useFakeDf } from '../../helpers/fake-df.js';
import { makeDisks, makeTempHome, type TempHome } from '../../helpers/temp-home.js';

const MOUNTINFO_FIXTURE = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'diskhand', 'mountinfo');
const GIB = 1024 * 1024; // in KiB
const PLOT_KIB = committedKiB(32, 0);

let home: TempHome;
let table: string;
const fakeDf = useFakeDf();

/** df's view of disks (check-disk-space runs `df` from PATH, which finds test/fake-bin/df first). */
function setDf(rows: Record<string, [number, number]>): void {
  const lines = Object.entries(rows).map(
    ([disk, [total, used]]) => `${path.join(home.farmRoot, disk)} ${total} ${used}`,
  );
  fs.writeFileSync(table, `${lines.join('\n')}\n`);
}

function setState(disk: string, value: string | number): void {
  const [farm, name] = disk.split('/');
  fs.mkdirSync(path.join(home.disksDir, farm), { recursive: true });
  fs.writeFileSync(diskStateFile(home, farm, name), `${value}\n`);
}

function state(disk: string): string {
  const [farm, name] = disk.split('/');
  return fs.readFileSync(diskStateFile(home, farm, name), 'utf8').trim();
}

function options(overrides: Partial<ChooseDestinationOptions> = {}): ChooseDestinationOptions {
  return {
    paths: home,
    farmRoot: home.farmRoot,
    lastFarm: '0',
    requireMount: false,
    mounts: new Set(),
    spaceMethod: 'df',
    plotKiB: PLOT_KIB,
    ...overrides,
  };
}

/** The choice as the tractor makes it: decided, then its writes committed (the result without them, as before). */
async function chooseDestination(
  opts: ChooseDestinationOptions,
  commit = true,
): Promise<Omit<DestinationResult, 'writes'> & DestinationResult> {
  const result = await decideDestination(opts);
  if (commit) commitStartWrites({ disks: result.writes, values: [] }, opts.paths);
  const { writes: _writes, ...rest } = result;
  return rest as DestinationResult;
}

beforeEach(() => {
  home = makeTempHome('goplot-choose-');
  table = path.join(home.root, 'df-table');
  fakeDf.setTable(table);
});

afterEach(() => home.cleanup());

describe('chooseDestination', () => {
  test('farms go round robin in natural order after the last one, and in a farm the lowest number wins', async () => {
    makeDisks(home, { f1: ['d1'], f2: ['d1', 'd2', 'd3'], f10: ['d1'] });
    setDf({ f1: [1000 * GIB, 0], f2: [1000 * GIB, 0], f10: [1000 * GIB, 0] });
    for (const [disk, kib] of Object.entries({ 'f1/d1': 5, 'f2/d1': 300, 'f2/d2': 100, 'f2/d3': 200, 'f10/d1': 7 }))
      setState(disk, kib);

    const result = await chooseDestination(options({ lastFarm: 'f1' }));
    assert.deepEqual(result, {
      ok: true,
      skipped: [],
      choice: {
        farm: 'f2',
        disk: 'd2',
        diskDir: path.join(home.farmRoot, 'f2', 'd2'),
        plotsDir: path.join(home.farmRoot, 'f2', 'd2', 'plots'),
        logsDir: path.join(home.farmRoot, 'f2', 'd2', 'logs'),
        kibBefore: 100,
      },
    });
    assert.equal(state('f2/d2'), String(100 + PLOT_KIB));
    const after10 = await chooseDestination(options({ lastFarm: 'f10' }));
    assert.deepEqual(after10.ok && [after10.choice.farm, after10.choice.disk], ['f1', 'd1']);
    const after2 = await chooseDestination(options({ lastFarm: 'f2' }));
    assert.deepEqual(after2.ok && [after2.choice.farm, after2.choice.disk], ['f10', 'd1']);
  });

  test('reservations spread plots started one after another over the disks of a farm', async () => {
    makeDisks(home, { f1: ['d1', 'd2', 'd3'] });
    setDf({ f1: [10_000 * GIB, 0] });
    for (const disk of ['f1/d1', 'f1/d2', 'f1/d3']) setState(disk, 1000);
    const chosen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await chooseDestination(options({ lastFarm: 'f1' }));
      assert.ok(result.ok);
      chosen.push(result.choice.disk);
    }
    assert.deepEqual(chosen, ['d1', 'd2', 'd3', 'd1', 'd2', 'd3']);
    assert.equal(state('f1/d1'), String(1000 + 2 * PLOT_KIB));
  });

  test('a farm with no usable disk is skipped and says why', async () => {
    makeDisks(home, { f1: ['d1', 'd2', 'd3'], f2: ['d1'] });
    setDf({ f1: [1000 * GIB, 0], f2: [1000 * GIB, 0] });
    for (const disk of ['f1/d1', 'f1/d2', 'f1/d3']) setState(disk, 'full');
    setState('f2/d1', 50);
    const messages: string[] = [];
    const result = await chooseDestination(options({ log: (message) => messages.push(message) }));
    assert.ok(result.ok);
    assert.deepEqual([result.choice.farm, result.skipped], ['f2', ['f1: 3 disks full']]);
    assert.deepEqual(messages, ['farm f1: 3 disks full; skipped']);
  });

  test('an unmounted disk is never chosen, even with the lowest number', async () => {
    // the mountinfo fixture lists f1/d3 and f2/* as mount points, not f1/d1 or f1/d2
    makeDisks(home, { f1: ['d1', 'd3'] });
    setDf({ f1: [1000 * GIB, 0] });
    setState('f1/d1', 10);
    setState('f1/d3', 900);
    const mountinfo = path.join(home.root, 'mountinfo');
    fs.writeFileSync(mountinfo, fs.readFileSync(MOUNTINFO_FIXTURE, 'utf8').replaceAll('@FARM@', home.farmRoot));
    const result = await chooseDestination(options({ requireMount: true, mounts: readMountPoints(mountinfo) }));
    assert.ok(result.ok);
    assert.equal(result.choice.disk, 'd3');
    assert.deepEqual(readDiskState(home, 'f1', 'd1'), { kind: 'unmounted' });
  });

  test('the room is checked again before choosing: a disk without room for the plot becomes full and the next one is chosen', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    // d1's number is old: the disk has since been filled from elsewhere
    setDf({ 'f1/d1': [1000 * GIB, 950 * GIB], 'f1/d2': [1000 * GIB, 500 * GIB] });
    setState('f1/d1', 100 * GIB);
    setState('f1/d2', 500 * GIB);
    const messages: string[] = [];
    const result = await chooseDestination(options({ log: (message) => messages.push(message) }));
    assert.ok(result.ok);
    assert.equal(result.choice.disk, 'd2');
    assert.equal(state('f1/d1'), 'full');
    assert.deepEqual(messages, ['f1/d1: full on the re-check (50.0 GiB left, a plot needs 102.4 GiB)']);
  });

  test('a disk without a state file is measured now, written, and can be chosen', async () => {
    makeDisks(home, { f1: ['d1'] });
    setDf({ 'f1/d1': [1000 * GIB, 10 * GIB] });
    const result = await chooseDestination(options());
    assert.ok(result.ok);
    assert.equal(result.choice.kibBefore, 10 * GIB);
    assert.equal(state('f1/d1'), String(10 * GIB + PLOT_KIB));
  });

  test('with no usable disk anywhere the refusal is one line naming each farm and why', async () => {
    makeDisks(home, { f1: ['d1', 'd2', 'd3'], f2: ['d1', 'd2', 'd4'], f3: [] });
    fs.mkdirSync(path.join(home.farmRoot, 'f3'));
    fs.rmSync(path.join(home.farmRoot, 'f2', 'd4', 'logs'), { recursive: true });
    setDf({ f1: [1000 * GIB, 0], f2: [1000 * GIB, 0] });
    for (const disk of ['f1/d1', 'f1/d2', 'f1/d3']) setState(disk, 'full');
    setState('f2/d1', 'unmounted');
    setState('f2/d2', 'off');
    const result = await chooseDestination(options());
    assert.deepEqual(result, {
      ok: false,
      message: `no usable disk under ${home.farmRoot}: f1: 3 disks full; f2: d1 unmounted, d2 off, d4 missing plots/ or logs/; f3: no disks`,
      skipped: ['f1: 3 disks full', 'f2: d1 unmounted, d2 off, d4 missing plots/ or logs/', 'f3: no disks'],
    });
    const nowhere = await chooseDestination(options({ farmRoot: path.join(home.root, 'nowhere') }));
    assert.deepEqual(nowhere, {
      ok: false,
      message: `no usable disk under ${path.join(home.root, 'nowhere')}: it does not exist`,
      skipped: [],
    });
  });

  test('the decision alone writes nothing: the reservation is data until committed', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    setDf({ 'f1/d1': [1000 * GIB, 990 * GIB], 'f1/d2': [1000 * GIB, 10 * GIB] });
    setState('f1/d1', 5);
    const result = await decideDestination(options());
    assert.ok(result.ok);
    assert.equal(result.choice.disk, 'd2');
    assert.equal(state('f1/d1'), '5');
    assert.equal(fs.existsSync(diskStateFile(home, 'f1', 'd2')), false);
    // d2 has no state file: measured now, then d1 found full on its re-check, then d2's reservation
    assert.deepEqual(result.writes, [
      { farm: 'f1', disk: 'd2', state: { kind: 'number', kib: 10 * GIB } },
      { farm: 'f1', disk: 'd1', state: { kind: 'full' } },
      { farm: 'f1', disk: 'd2', state: { kind: 'number', kib: 10 * GIB + PLOT_KIB } },
    ]);
  });
});

describe('chooseDestination with replot credit', () => {
  test('a full disk with credit is chosen after the disks with room, and marked full without it', async () => {
    makeDisks(home, { farm1: ['disk1', 'disk2'] });
    setDf({ 'farm1/disk1': [1000 * GIB, 990 * GIB], 'farm1/disk2': [1000 * GIB, 990 * GIB] });
    setState('farm1/disk1', 'full');
    setState('farm1/disk2', 'full');
    const asked: string[] = [];
    const replotCredit = (disk: { disk: string }, plotsInto: number) => {
      asked.push(`${disk.disk}:${plotsInto}`);
      return disk.disk === 'disk2' ? 110 * GIB : 0;
    };
    const lines: string[] = [];
    const result = await chooseDestination(options({ replotCredit, log: (line) => lines.push(line) }));
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.choice.disk, 'disk2');
    assert.equal(state('farm1/disk1'), 'full');
    assert.equal(state('farm1/disk2'), String(990 * GIB + PLOT_KIB));
    assert.ok(asked.includes('disk2:0'));
    assert.ok(
      lines.some((line) =>
        /^farm1\/disk2: room by replot \(10\.0 GiB free; its plots matching replot_match can free 110\.0 GiB\)$/.test(
          line,
        ),
      ),
      lines.join('\n'),
    );
    const without = await chooseDestination(options(), false);
    assert.equal(without.ok, false);
  });
});
