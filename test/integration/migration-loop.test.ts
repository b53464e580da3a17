import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { writePos1Plot } from '../../lib/demo/pos1-plots.js';
import { readPlotFileSync } from '../../lib/plot-file/read-plot-file.js';
import { effectivePerByte } from '../../lib/replot/removal-order.js';
import { liveStart, readDuties } from '../../lib/replot/room-duty.js';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { IS_ROOT, NOT_ROOT, smallFilesystems } from '../helpers/small-filesystems.js';
import { builtScript, logMessages, waitFor, type TempHome } from '../helpers/temp-home.js';

/*
 * The migration end to end: real small filesystems (tmpfs) full of pos1 plots, the plot loop
 * (scripts/goplot.js) starting tractors that run the simulated plotter's pos2 groups, replot on
 * with the rule pos=1. A sampler reads every disk all along and records each break of the
 * promise (docs/replot.md): effective space more than one old plot below what the disk had, a
 * link or a tiny plot removed, a compressed plot removed while an uncompressed one is left.
 */

const MIB = 1024 ** 2;
const OLD_BYTES = 4 * MIB;
/** The most effective space one old plot holds: a C5 one (uncompressed ones hold less). */
const ONE_OLD_PLOT = OLD_BYTES * effectivePerByte({ pos: 1, k: 32, compression: 5 });
// unmounted before the homes under them are removed
const mounts = smallFilesystems();
after(() => mounts.cleanup());
const { farm, started } = simFarmsOfThisFile();

interface Disk {
  name: string;
  plotsDir: string;
  compressed: string;
  link: string;
  tiny: string;
  /** Oldest first. */
  uncompressed: string[];
}

/**
 * A 24 MiB tmpfs full of pos1 k32 plots, oldest first: a C5 plot of 4 MiB (day 1), a link to an
 * uncompressed plot elsewhere (day 2), a tiny uncompressed plot of 256 KiB (day 3), three
 * uncompressed plots of 4 MiB (days 4-6), then a filler: 256 KiB left, less than one pos2 plot.
 */
async function fullDisk(home: TempHome, name: string): Promise<Disk> {
  const diskDir = path.join(home.farmRoot, 'farm1', name);
  fs.rmSync(diskDir, { recursive: true, force: true });
  await mounts.tmpfs(diskDir, 24);
  const plotsDir = path.join(diskDir, 'plots');
  for (const dir of ['plots', 'logs']) fs.mkdirSync(path.join(diskDir, dir));
  const plot = (day: number, compression: number, bytes: number, dir = plotsDir) =>
    writePos1Plot(dir, { k: 32, compression, kind: 'solo', bytes, made: new Date(2022, 0, day), solid: true });
  const compressed = plot(1, 5, OLD_BYTES);
  const elsewhere = path.join(home.root, `elsewhere-${name}`);
  fs.mkdirSync(elsewhere);
  const link = path.join(plotsDir, path.basename(plot(2, 0, OLD_BYTES, elsewhere)));
  fs.symlinkSync(path.join(elsewhere, path.basename(link)), link);
  const tiny = plot(3, 0, MIB / 4);
  const uncompressed = [4, 5, 6].map((day) => plot(day, 0, OLD_BYTES));
  const free = () => fs.statfsSync(diskDir).bavail * fs.statfsSync(diskDir).bsize;
  fs.writeFileSync(path.join(diskDir, 'filler'), Buffer.alloc(Math.max(0, free() - MIB / 4)));
  return { name, plotsDir, compressed, link, tiny, uncompressed };
}

/** A home whose loop makes pos2 groups of `group` k18 plots on full tmpfs disks, replacing pos1 plots. */
async function migratingFarm(disks: string[], group: number): Promise<{ home: TempHome; disks: Disk[] }> {
  const home = farm({ farm1: disks }, ['1', '2']);
  const made: Disk[] = [];
  for (const name of disks) made.push(await fullDisk(home, name));
  const values = {
    plotter: 'chia-v2',
    k: 18,
    group_size: group,
    plot_command_v2:
      '{chia_bin} plots create2 -k {k} --strength {strength} -n {count} --index {index} --meta-group {meta_group} -d {dest} -t {temp}',
    disk_space: 'statfs',
    replot: 'on',
    replot_match: 'pos=1',
    max_plots: 2,
    backoff_base: 1,
    backoff_max: 2,
  };
  for (const [name, value] of Object.entries(values)) home.set(name, value);
  return { home, disks: made };
}

/** Effective space on the disk as replot weighs it: each whole plot's bytes times its effective space per byte. */
function effective(plotsDir: string): number {
  let sum = 0;
  for (const name of fs.readdirSync(plotsDir)) {
    const file = path.join(plotsDir, name);
    try {
      if (!/\.plot2?$/.test(name) || fs.lstatSync(file).isSymbolicLink()) continue;
      const facts = readPlotFileSync(file);
      if (facts.ok) sum += facts.sizeBytes * effectivePerByte(facts.header);
    } catch {
      // removed between the listing and the read: it counts for nothing, as it does now
    }
  }
  return sum;
}

/**
 * Samples every disk until stopped, recording each break of the promise. A sample reads the
 * disk's plots, so it sees every state that lasts longer than one read.
 */
function sampleDisks(disks: Disk[]): { stop: () => Promise<string[]>; samples: () => number } {
  const breaks: string[] = [];
  const best = new Map(disks.map((disk) => [disk.name, effective(disk.plotsDir)]));
  let samples = 0;
  let running = true;
  const sampleOnce = () => {
    for (const disk of disks) {
      const now = effective(disk.plotsDir);
      const had = best.get(disk.name)!;
      if (now < had - ONE_OLD_PLOT)
        breaks.push(`${disk.name}: effective ${now} bytes, more than one old plot below the ${had} it had`);
      best.set(disk.name, Math.max(had, now));
      for (const unusable of [disk.link, disk.tiny])
        if (!fs.lstatSync(unusable, { throwIfNoEntry: false }))
          breaks.push(`${disk.name}: ${path.basename(unusable)} went`);
      const left = disk.uncompressed.filter((file) => fs.existsSync(file));
      if (!fs.existsSync(disk.compressed) && left.length > 0)
        breaks.push(`${disk.name}: the C5 plot went while ${left.length} uncompressed plots were left`);
    }
    samples += 1;
  };
  const done = (async () => {
    while (running) {
      sampleOnce();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    sampleOnce();
  })();
  return {
    samples: () => samples,
    stop: async () => {
      running = false;
      await done;
      return [...new Set(breaks)];
    },
  };
}

function startLoop(home: TempHome, extra: Record<string, string> = {}): ChildProcess {
  const loop = spawn('node', [builtScript('scripts/goplot.js')], {
    env: { ...simEnv(1, { SIMPLOTTER_SOLID: '1', ...extra }), GOPLOT_HOME: home.home },
    stdio: 'ignore',
  });
  started.push(loop.pid!);
  return loop;
}

const groupLines = (home: TempHome, what: RegExp) => logMessages(home).filter((line) => what.test(line));
const startedGroups = (home: TempHome) => groupLines(home, /^group \d+ started/).length;
const endedGroups = (home: TempHome) => groupLines(home, /^group \d+ (finished|cut short)/).length;

/** The tractors the loop started, by the pids its log gives. */
const tractorPids = (home: TempHome) =>
  logMessages(home)
    .flatMap((line) => /^starting a plot: .*; tractor pid (\d+)$/.exec(line)?.[1] ?? [])
    .map(Number);

/** on_toggle off, every group started has ended and its tractor exited, then the loop stopped. */
async function stopLoop(home: TempHome, loop: ChildProcess): Promise<void> {
  home.set('on_toggle', 'off');
  try {
    await waitFor('every group started to end', () => endedGroups(home) >= startedGroups(home), 120_000, 200);
    started.push(...tractorPids(home));
    // a tractor still writes its counts after its group's last line
    await waitFor(
      'every tractor gone',
      () => tractorPids(home).every((pid) => liveStart('/proc', pid) === null),
      60_000,
      100,
    );
  } finally {
    loop.kill('SIGTERM');
    if (loop.exitCode === null && loop.signalCode === null) await new Promise((resolve) => loop.once('exit', resolve));
  }
}

const gone = (files: string[]) => files.filter((file) => !fs.existsSync(file)).map((file) => path.basename(file));
const pos2On = (disk: Disk) => fs.readdirSync(disk.plotsDir).filter((name) => name.endsWith('.plot2')).length;

describe('the plot loop migrating full disks from pos1 to pos2', { skip: IS_ROOT ? false : NOT_ROOT }, () => {
  it(
    'replaces pos1 plots by whole pos2 groups: uncompressed first, a link and a tiny plot never in the way, effective space never more than one old plot down',
    { timeout: 300_000 },
    async () => {
      const { home, disks } = await migratingFarm(['disk1', 'disk2'], 6);
      const sampler = sampleDisks(disks);
      const loop = startLoop(home);
      try {
        await waitFor(
          '6 groups finished',
          () => groupLines(home, /^group \d+ finished/).length >= 6,
          240_000,
          200,
        ).catch((error: unknown) => {
          throw new Error(`${String(error)}\n${logMessages(home).join('\n')}`);
        });
      } finally {
        await stopLoop(home, loop).finally(() => sampler.stop());
      }
      const breaks = await sampler.stop();
      const log = logMessages(home).join('\n');
      assert.deepEqual(breaks, [], log);
      assert.ok(sampler.samples() > 10, `${sampler.samples()} samples`);
      const finished = groupLines(home, /^group \d+ finished/);
      assert.ok(
        finished.every((line) => / finished: 6\/6 plots/.test(line)),
        finished.join('\n'),
      );
      assert.deepEqual(groupLines(home, /^group \d+ cut short/), [], log);
      // 6 plots of 0.61 MiB each take one 4 MiB plot's room: one old plot went for each group
      let replaced = 0;
      for (const disk of disks) {
        const groups = finished.filter((line) => line.includes(`(farm1/${disk.name},`)).length;
        assert.equal(pos2On(disk), 6 * groups, disk.name);
        const went = gone([...disk.uncompressed, disk.compressed]);
        assert.deepEqual(
          went,
          [...disk.uncompressed, disk.compressed].slice(0, groups).map((file) => path.basename(file)),
          `${disk.name}: ${groups} groups landed; the oldest uncompressed plots go first, the C5 one last\n${log}`,
        );
        replaced += went.length;
      }
      assert.equal(replaced, finished.length);
    },
  );

  it(
    'a disk whose last usable pos1 plot went is full: no group is started there to fail on the link and the tiny plot left',
    { timeout: 300_000 },
    async () => {
      const { home, disks } = await migratingFarm(['disk1'], 6);
      home.set('max_plots', 1);
      const disk = disks[0]!;
      const sampler = sampleDisks(disks);
      const loop = startLoop(home);
      // 3 uncompressed plots and the C5 one make room for 4 groups; then only the link and the tiny plot are left
      const settled = () => {
        const lines = logMessages(home);
        const fourth = lines.flatMap((line, at) => (/^group \d+ finished/.test(line) ? [at] : []))[3];
        return (
          lines.some((line) => /^group \d+ cut short/.test(line)) ||
          (fourth !== undefined && lines.slice(fourth).some((line) => /^not started: no usable disk/.test(line)))
        );
      };
      try {
        await waitFor('the disk used up, or a group cut short', settled, 240_000, 200);
      } finally {
        await stopLoop(home, loop).finally(() => sampler.stop());
      }
      const breaks = await sampler.stop();
      const log = logMessages(home).join('\n');
      assert.deepEqual(breaks, [], log);
      assert.deepEqual(groupLines(home, /^group \d+ cut short/), [], log);
      assert.equal(groupLines(home, /^group \d+ finished: 6\/6 plots/).length, 4, log);
      assert.equal(pos2On(disk), 24);
      assert.deepEqual(gone([...disk.uncompressed, disk.compressed]).length, 4, log);
    },
  );

  it(
    'a tractor killed -9 mid-group: the loop makes the rest of its room, the group lands whole, no more than its room goes',
    { timeout: 300_000 },
    async () => {
      // 12 plots of 0.61 MiB need two old plots: the second goes after the tractor is gone
      const { home, disks } = await migratingFarm(['disk1'], 12);
      home.set('max_plots', 1);
      const disk = disks[0]!;
      const sampler = sampleDisks(disks);
      const loop = startLoop(home);
      let plotter = 0;
      try {
        const duty = await waitFor(
          'a first plot of the group landed',
          () => (pos2On(disk) >= 1 ? readDuties(home).duties[0] : undefined),
          120_000,
          100,
        );
        home.set('on_toggle', 'off');
        plotter = duty.plot.pid;
        started.push(plotter);
        process.kill(duty.tractorPid, 'SIGKILL');
        await waitFor('the plotter done', () => liveStart('/proc', plotter) === null, 120_000, 200);
        await waitFor('its duty dropped', () => readDuties(home).duties.length === 0, 30_000, 200);
      } finally {
        loop.kill('SIGTERM');
        await sampler.stop();
      }
      const breaks = await sampler.stop();
      const log = logMessages(home).join('\n');
      assert.deepEqual(breaks, [], log);
      assert.equal(pos2On(disk), 12, `the group landed whole\n${log}`);
      assert.deepEqual(
        gone([...disk.uncompressed, disk.compressed]),
        disk.uncompressed.slice(0, 2).map((file) => path.basename(file)),
        log,
      );
      assert.ok(
        logMessages(home).some((line) => /^group 1: replot \(loop pid \d+, its tractor pid \d+ is gone\)/.test(line)),
        `the loop made the room the dead tractor owed\n${log}`,
      );
    },
  );

  it(
    'a plotter that fails every time: at most one old plot goes, its room kept for the next group',
    { timeout: 300_000 },
    async () => {
      const { home, disks } = await migratingFarm(['disk1'], 6);
      home.set('max_plots', 1);
      const disk = disks[0]!;
      const sampler = sampleDisks(disks);
      const loop = startLoop(home, { SIMPLOTTER_FAIL_PLOT: '1' });
      try {
        await waitFor('3 groups failed', () => groupLines(home, /^group \d+ cut short/).length >= 3, 120_000, 200);
      } finally {
        await stopLoop(home, loop).finally(() => sampler.stop());
      }
      const breaks = await sampler.stop();
      const log = logMessages(home).join('\n');
      assert.deepEqual(breaks, [], log);
      assert.equal(pos2On(disk), 0);
      const went = gone([...disk.uncompressed, disk.compressed]);
      assert.ok(went.length <= 1, `${went.length} old plots went for groups that made nothing\n${log}`);
    },
  );
});
