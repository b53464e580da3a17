import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { diskStateFile, readDiskState } from '../../lib/farm/disk-state.js';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { formatBytes } from '../../lib/farm/disk-space.js';
import { writeGroupState, type PlotGroupState } from '../../lib/farm/plot-groups.js';
import { committedKiB, pos2GroupKiB, pos2PlotBytes } from '../../lib/farm/plot-size.js';
import { initValueFiles } from '../../lib/config/write-value.js';
import {
  logMessages,
  makeDisks,
  makeTempDirs,
  makeTempHome,
  runScript,
  waitFor,
  type TempHome,
} from '../helpers/temp-home.js';

const FAKE_BIN = path.join(PACKAGE_ROOT, 'test', 'fake-bin');
const MOUNTINFO_FIXTURE = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'diskhand', 'mountinfo');
const GIB = 1024 * 1024; // in KiB
const PLOT_KIB = committedKiB(32, 0);
const SUMMARY_TIME = / \(\d+\.\d\d s\)$/;

let home: TempHome;
let table: string;
const children: ChildProcess[] = [];

/** df's view of each disk: `<farm_root>/<farm>/<disk>` -> [total KiB, used KiB] (or 'fail'). */
function setDf(rows: Record<string, [number | 'fail', number]>): void {
  const lines = Object.entries(rows).map(
    ([disk, [total, used]]) => `${path.join(home.farmRoot, disk)} ${total} ${used}`,
  );
  fs.writeFileSync(table, `${lines.join('\n')}\n`);
}

function setState(disk: string, value: string): void {
  const [farm, name] = disk.split('/');
  fs.mkdirSync(path.join(home.disksDir, farm), { recursive: true });
  fs.writeFileSync(diskStateFile(home, farm, name), `${value}\n`);
}

function state(disk: string): string {
  const [farm, name] = disk.split('/');
  return fs.readFileSync(diskStateFile(home, farm, name), 'utf8');
}

async function diskhand(env: Record<string, string> = {}, expectedExitCode = 0) {
  fs.rmSync(path.join(home.logsDir, 'diskhand.log'), { force: true });
  const result = await runScript(home, 'scripts/diskhand.js', [], {
    env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table, ...env },
  });
  assert.equal(result.exitCode, expectedExitCode, `diskhand's stderr: ${String(result.stderr)}`);
  return { result, lines: logMessages(home, 'diskhand.log') };
}

function withoutTime(lines: string[]): string[] {
  return lines.map((line) => line.replace(SUMMARY_TIME, ''));
}

beforeEach(() => {
  home = makeTempHome('goplot-diskhand-');
  initValueFiles(home);
  home.set('disk_space', 'df');
  home.set('require_mount', 'no');
  table = path.join(home.root, 'df-table');
});

afterEach(() => home.cleanup());

after(() => {
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('diskhand', () => {
  test('writes used KiB for a disk with room, full without room, keeps off and the old sentinel, replaces an invalid file, skips an incomplete disk', async () => {
    home.set('diskhand_log', 'all');
    makeDisks(home, { f1: ['d1', 'd2', 'd3', 'd4', 'd5'] });
    fs.mkdirSync(path.join(home.farmRoot, 'f1', 'd6', 'plots'), { recursive: true });
    setDf({
      'f1/d1': [1000 * GIB, 100 * GIB],
      'f1/d2': [1000 * GIB, 950 * GIB],
      'f1/d3': [1000 * GIB, 0],
      'f1/d4': [1000 * GIB, 0],
      'f1/d5': [1000 * GIB, 200 * GIB],
    });
    setState('f1/d3', 'off');
    setState('f1/d4', '9999999999999');
    setState('f1/d5', 'lots');
    const { result, lines } = await diskhand();
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.deepEqual(withoutTime(lines), [
      'f1/d1: 104857600 KiB (free 900.0 GiB, committed 0 B to 0 plots)',
      'f1/d2: full (free 50.0 GiB, committed 0 B to 0 plots; one more k32 C0 plot needs 102.4 GiB)',
      'f1/d3: off (set by hand; kept)',
      'f1/d4: off (set by hand; kept)',
      'f1/d5: 209715200 KiB (free 800.0 GiB, committed 0 B to 0 plots; replaced the invalid state "lots")',
      `f1/d6: skipped, no logs/ in ${path.join(home.farmRoot, 'f1', 'd6')}; no state file written`,
      '6 disks in 1 farm: 2 with room, 1 full, 0 read-only, 2 off, 0 unmounted, 1 skipped, 0 errors; 0 plots running; 3 state files written',
    ]);
    assert.match(lines.at(-1) ?? '', SUMMARY_TIME);
    assert.deepEqual(['f1/d1', 'f1/d2', 'f1/d3', 'f1/d4', 'f1/d5'].map(state), [
      '104857600\n',
      'full\n',
      'off\n',
      '9999999999999\n',
      '209715200\n',
    ]);
    assert.equal(fs.existsSync(diskStateFile(home, 'f1', 'd6')), false);
    const raw = fs.readFileSync(path.join(home.logsDir, 'diskhand.log'), 'utf8');
    assert.match(raw, /\] WARN: diskhand\[\d+\] f1\/d5: /);
  });

  test('a full disk becomes usable again by itself when space is freed', async () => {
    makeDisks(home, { f1: ['d1'] });
    setDf({ 'f1/d1': [1000 * GIB, 950 * GIB] });
    await diskhand();
    assert.equal(state('f1/d1'), 'full\n');
    setDf({ 'f1/d1': [1000 * GIB, 500 * GIB] });
    const { lines } = await diskhand();
    assert.equal(state('f1/d1'), `${500 * GIB}\n`);
    assert.equal(lines[0], 'f1/d1: 524288000 KiB (free 500.0 GiB, committed 0 B to 0 plots)');
  });

  test('a running plot commits its final size on its disk, and can make the disk full', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    makeTempDirs(home, ['1']);
    setDf({ 'f1/d1': [1000 * GIB, 100 * GIB], 'f1/d2': [1000 * GIB, 850 * GIB] });
    const bin = path.join(home.root, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'chia'), '#!/usr/bin/env bash\nsleep 60 & wait $!\n', { mode: 0o755 });
    for (const disk of ['d1', 'd2']) {
      const args = [
        'plots',
        'create',
        '-k',
        '32',
        '-t',
        `${home.tempRoot}/1`,
        '-d',
        `${home.farmRoot}/f1/${disk}/plots`,
      ];
      const child = spawn(path.join(bin, 'chia'), args, { stdio: 'ignore', detached: true });
      children.push(child);
      await waitFor('the fake plotter to start', () =>
        fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').includes('create'),
      );
    }
    const { lines } = await diskhand();
    assert.deepEqual(withoutTime(lines), [
      `f1/d1: ${100 * GIB + PLOT_KIB} KiB (free 900.0 GiB, committed 102.4 GiB to 1 plot)`,
      'f1/d2: full (free 150.0 GiB, committed 102.4 GiB to 1 plot; one more k32 C0 plot needs 102.4 GiB)',
      '2 disks in 1 farm: 1 with room, 1 full, 0 read-only, 0 off, 0 unmounted, 0 skipped, 0 errors; 2 plots running; 2 state files written',
    ]);
    assert.equal(state('f1/d1'), `${100 * GIB + PLOT_KIB}\n`);
  });

  test('with require_mount=yes a disk that is not a mount point is unmounted (paths with spaces decoded from mountinfo)', async () => {
    home.set('require_mount', 'yes');
    makeDisks(home, { f1: ['disk 1', 'd2'] });
    // an unmounted disk usually leaves an empty mount point dir behind
    fs.mkdirSync(path.join(home.farmRoot, 'f1', 'empty'));
    setDf({ 'f1/disk 1': [1000 * GIB, 10 * GIB], 'f1/d2': [1000 * GIB, 10 * GIB] });
    const mountinfo = path.join(home.root, 'mountinfo');
    fs.writeFileSync(mountinfo, fs.readFileSync(MOUNTINFO_FIXTURE, 'utf8').replaceAll('@FARM@', home.farmRoot));
    const { lines } = await diskhand({ GOPLOT_MOUNTINFO: mountinfo });
    assert.deepEqual(withoutTime(lines), [
      'f1/d2: unmounted (not a mount point and require_mount=yes)',
      'f1/disk 1: 10485760 KiB (free 990.0 GiB, committed 0 B to 0 plots)',
      'f1/empty: unmounted (not a mount point and require_mount=yes)',
      '3 disks in 1 farm: 1 with room, 0 full, 0 read-only, 0 off, 2 unmounted, 0 skipped, 0 errors; 0 plots running; 3 state files written',
    ]);
    assert.deepEqual(readDiskState(home, 'f1', 'd2'), { kind: 'unmounted' });
    assert.deepEqual(readDiskState(home, 'f1', 'empty'), { kind: 'unmounted' });
  });

  test('an unreadable mountinfo with require_mount=yes changes nothing and fails the run', async () => {
    home.set('require_mount', 'yes');
    makeDisks(home, { f1: ['d1'] });
    setState('f1/d1', '123');
    const missing = path.join(home.root, 'no-mountinfo');
    const { result, lines } = await diskhand({ GOPLOT_MOUNTINFO: missing }, 1);
    const message = `cannot read mount points from ${missing} (ENOENT: no such file or directory, open '${missing}'); require_mount=yes needs them, so no disk state was changed`;
    assert.equal(result.exitCode, 1);
    assert.equal(String(result.stderr).trim(), `diskhand: ${message}`);
    assert.deepEqual(lines, [message]);
    assert.equal(state('f1/d1'), '123\n');
  });

  test('a disk whose space cannot be read is logged and the others still get their state', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    setDf({ 'f1/d1': ['fail', 0], 'f1/d2': [1000 * GIB, 10 * GIB] });
    setState('f1/d1', '123');
    const { result, lines } = await diskhand();
    assert.equal(result.exitCode, 0);
    assert.deepEqual(withoutTime(lines), [
      `f1/d1: cannot read its space with df (df: ${home.farmRoot}/f1/d1: Input/output error); state left at 123`,
      'f1/d2: 10485760 KiB (free 990.0 GiB, committed 0 B to 0 plots)',
      '2 disks in 1 farm: 1 with room, 0 full, 0 read-only, 0 off, 0 unmounted, 0 skipped, 1 error; 0 plots running; 1 state file written',
    ]);
    assert.equal(state('f1/d1'), '123\n');
  });

  test('writes are atomic (no temp files left) and an unchanged value keeps the file and its mtime', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    setDf({ 'f1/d1': [1000 * GIB, 10 * GIB], 'f1/d2': [1000 * GIB, 20 * GIB] });
    await diskhand();
    const file = diskStateFile(home, 'f1', 'd1');
    const first = fs.statSync(file);
    const { lines } = await diskhand();
    assert.equal(fs.statSync(file).mtimeMs, first.mtimeMs);
    assert.equal(fs.statSync(file).ino, first.ino);
    assert.match(lines.at(-1) ?? '', /; 0 state files written \(/);
    assert.deepEqual(fs.readdirSync(path.join(home.disksDir, 'f1')), ['d1.goplot', 'd2.goplot']);
  });

  test("a tractor's fresh reservation is kept until the next minute, then the measurement wins", async () => {
    home.set('diskhand_log', 'all');
    makeDisks(home, { f1: ['d1'] });
    setDf({ 'f1/d1': [1000 * GIB, 10 * GIB] });
    setState('f1/d1', String(10 * GIB + PLOT_KIB));
    const { lines } = await diskhand();
    assert.match(
      lines[0],
      new RegExp(
        `^f1/d1: ${10 * GIB + PLOT_KIB} KiB kept, written \\d+ s ago \\(a tractor's reservation\\?\\); measured 10485760 KiB \\(free 990\\.0 GiB, committed 0 B to 0 plots\\)$`,
      ),
    );
    assert.equal(state('f1/d1'), `${10 * GIB + PLOT_KIB}\n`);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    fs.utimesSync(diskStateFile(home, 'f1', 'd1'), twoMinutesAgo, twoMinutesAgo);
    await diskhand();
    assert.equal(state('f1/d1'), `${10 * GIB}\n`);
  });

  test('diskhand_log=all logs every disk on every run', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    home.set('diskhand_log', 'all');
    setDf({ 'f1/d1': [1000 * GIB, 10 * GIB], 'f1/d2': [1000 * GIB, 20 * GIB] });
    await diskhand();
    const { lines } = await diskhand();
    assert.deepEqual(withoutTime(lines), [
      'f1/d1: 10485760 KiB (free 990.0 GiB, committed 0 B to 0 plots)',
      'f1/d2: 20971520 KiB (free 980.0 GiB, committed 0 B to 0 plots)',
      '2 disks in 1 farm: 2 with room, 0 full, 0 read-only, 0 off, 0 unmounted, 0 skipped, 0 errors; 0 plots running; 0 state files written',
    ]);
  });

  test('diskhand_log is changes by default: an unchanged disk is not logged again', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    setDf({ 'f1/d1': [1000 * GIB, 10 * GIB], 'f1/d2': [1000 * GIB, 20 * GIB] });
    const first = await diskhand();
    assert.equal(withoutTime(first.lines).length, 3);
    const { lines } = await diskhand();
    assert.deepEqual(withoutTime(lines), [
      '2 disks in 1 farm: 2 with room, 0 full, 0 read-only, 0 off, 0 unmounted, 0 skipped, 0 errors; 0 plots running; 0 state files written',
    ]);
  });

  test('diskhand_log=changes logs only the disks whose state changed or that have a problem, and the summary', async () => {
    makeDisks(home, { f1: ['d1', 'd2', 'd3', 'd4'] });
    fs.mkdirSync(path.join(home.farmRoot, 'f1', 'd5', 'plots'), { recursive: true });
    setDf({
      'f1/d1': [1000 * GIB, 10 * GIB],
      'f1/d2': [1000 * GIB, 20 * GIB],
      'f1/d3': ['fail', 0],
      'f1/d4': [1000 * GIB, 0],
    });
    setState('f1/d4', 'off');
    home.set('diskhand_log', 'changes');
    const first = await diskhand();
    assert.deepEqual(withoutTime(first.lines), [
      'f1/d1: 10485760 KiB (free 990.0 GiB, committed 0 B to 0 plots)',
      'f1/d2: 20971520 KiB (free 980.0 GiB, committed 0 B to 0 plots)',
      `f1/d3: cannot read its space with df (df: ${home.farmRoot}/f1/d3: Input/output error); no state file written`,
      `f1/d5: skipped, no logs/ in ${path.join(home.farmRoot, 'f1', 'd5')}; no state file written`,
      '5 disks in 1 farm: 2 with room, 0 full, 0 read-only, 1 off, 0 unmounted, 1 skipped, 1 error; 0 plots running; 2 state files written',
    ]);
    setDf({
      'f1/d1': [1000 * GIB, 10 * GIB],
      'f1/d2': [1000 * GIB, 990 * GIB],
      'f1/d3': ['fail', 0],
      'f1/d4': [1000 * GIB, 0],
    });
    const second = await diskhand();
    assert.deepEqual(withoutTime(second.lines), [
      'f1/d2: full (free 10.0 GiB, committed 0 B to 0 plots; one more k32 C0 plot needs 102.4 GiB)',
      `f1/d3: cannot read its space with df (df: ${home.farmRoot}/f1/d3: Input/output error); no state file written`,
      `f1/d5: skipped, no logs/ in ${path.join(home.farmRoot, 'f1', 'd5')}; no state file written`,
      '5 disks in 1 farm: 1 with room, 1 full, 0 read-only, 1 off, 0 unmounted, 1 skipped, 1 error; 0 plots running; 1 state file written',
    ]);
  });

  test('with a pos2 plotter a disk is full when a whole group (group_size plots) does not fit beside the groups running into it; jobs go by the smallest group', async () => {
    home.set('diskhand_log', 'all');
    home.set('plotter', 'chia-v2');
    home.set('k', 28);
    home.set('group_size', 128);
    makeDisks(home, { f1: ['d1', 'd2', 'd3'] });
    const group = pos2GroupKiB(28, 128);
    const bytes = (kib: number) => formatBytes(kib * 1024);
    // d2 has room for many single pos2 plots (and for a k28 pos1 plot), not for a group of 128
    setDf({
      'f1/d1': [1000 * GIB, 700 * GIB],
      'f1/d2': [1000 * GIB, 890 * GIB],
      'f1/d3': [1000 * GIB, 830 * GIB],
    });
    // judged by one plot (pos1 k28 or pos2 k28), d2 would have room
    assert.ok(committedKiB(28, 0) < 110 * GIB && pos2PlotBytes(28) < 110 * GIB * 1024);
    // a group of 128 running into d3 (its tractor alive, no plot landed yet) holds a group's room there
    const tractor = path.join(home.root, 'tractor.js');
    fs.writeFileSync(tractor, 'setInterval(() => {}, 1e9);\n');
    const child = spawn(process.execPath, [tractor], { stdio: 'ignore', detached: true });
    children.push(child);
    await waitFor('the stand-in tractor to run', () =>
      fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').includes('tractor.js'),
    );
    const plotsDir = path.join(home.farmRoot, 'f1', 'd3', 'plots');
    const running: PlotGroupState = {
      index: 7,
      job: null,
      plotter: 'chia-v2',
      tractorPid: child.pid!,
      plotterPid: null,
      plotterArgv: null,
      farm: 'f1',
      disk: 'd3',
      plotsDir,
      tempDir: path.join(home.tempRoot, '1', 'goplot-group-7-1'),
      logFile: path.join(home.farmRoot, 'f1', 'd3', 'logs', 'plot.7.log'),
      k: 28,
      strength: 2,
      metaGroup: 0,
      groupSize: 128,
      done: 0,
      plotBytes: pos2PlotBytes(28),
      startedMs: Date.now(),
      plotFraction: 0,
    };
    writeGroupState(home, running);
    const needs = `a group of 128 k28 pos2 plots needs ${bytes(group)}`;
    const { lines } = await diskhand();
    assert.deepEqual(withoutTime(lines), [
      `f1/d1: ${700 * GIB} KiB (free 300.0 GiB, committed 0 B to 0 plots)`,
      `f1/d2: full (free 110.0 GiB, committed 0 B to 0 plots; ${needs})`,
      `f1/d3: full (free 170.0 GiB, committed ${bytes(group)} to 1 plot; ${needs})`,
      '3 disks in 1 farm: 1 with room, 2 full, 0 read-only, 0 off, 0 unmounted, 0 skipped, 0 errors; 1 plot running; 3 state files written',
    ]);
    assert.deepEqual(['f1/d1', 'f1/d2', 'f1/d3'].map(state), [`${700 * GIB}\n`, 'full\n', 'full\n']);

    // two jobs: one makes groups of 128, the other of 16; a disk is full only for the smaller
    for (const [job, size] of [
      ['big', '128'],
      ['small', '16'],
    ]) {
      fs.mkdirSync(path.join(home.configDir, 'jobs', job), { recursive: true });
      fs.writeFileSync(path.join(home.configDir, 'jobs', job, 'group_size.goplot'), `${size}\n`);
    }
    const small = pos2GroupKiB(28, 16);
    const again = await diskhand();
    assert.deepEqual(withoutTime(again.lines).slice(0, 3), [
      `f1/d1: ${700 * GIB} KiB (free 300.0 GiB, committed 0 B to 0 plots)`,
      `f1/d2: ${890 * GIB} KiB (free 110.0 GiB, committed 0 B to 0 plots)`,
      `f1/d3: ${830 * GIB + group} KiB (free 170.0 GiB, committed ${bytes(group)} to 1 plot)`,
    ]);
    assert.ok(small < 110 * GIB);
  });

  test('a missing farm_root is said in the summary', async () => {
    home.set('farm_root', path.join(home.root, 'nowhere'));
    const { result, lines } = await diskhand();
    assert.equal(result.exitCode, 0);
    assert.deepEqual(withoutTime(lines), [
      `no disks under ${path.join(home.root, 'nowhere')} (it does not exist); 0 plots running`,
    ]);
  });
});
