import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { chooseConfiguredTempDir } from '../../lib/plan/choose-configured-temp-dir.js';
import { chooseDestination, type ChooseDestinationOptions } from '../../lib/plan/choose-destination.js';
import { chooseTempDir, type TempChoiceOptions } from '../../lib/plan/choose-temp-dir.js';
import { ConfigReader } from '../../lib/config/config-reader.js';
import { readDiskState } from '../../lib/farm/disk-state.js';
import { readDiskSpace, withTimeout } from '../../lib/farm/disk-space.js';
import { runDiskhand } from '../../lib/diskhand/diskhand.js';
import { readMountPoints } from '../../lib/farm/mount-points.js';
import { StateLockTimeout, stateLockPath, withStateLock } from '../../lib/farm/state-lock.js';
import { initValueFiles } from '../../lib/config/write-value.js';
import { makeSimFarm, simEnv } from '../helpers/sim-farm.js';
import {
  logMessages,
  makeDisks,
  makeTempDirs,
  makeTempHome,
  runScript,
  waitFor,
  type TempHome,
} from '../helpers/temp-home.js';
import { FAKE_BIN } from '../helpers/fake-df.js';

const GIB_KIB = 1024 * 1024;
const GIB = 1024 ** 3;
const SUMMARY_TIME = / \(\d+\.\d\d s\)$/;
const never = <T>() => new Promise<T>(() => {});
const erofs = async (dir: string) => {
  throw Object.assign(new Error(`EROFS: read-only file system, access '${dir}'`), { code: 'EROFS' });
};

let home: TempHome;
const hungPids: number[] = [];

beforeEach(() => {
  home = makeTempHome('goplot-safety-');
  initValueFiles(home);
});

afterEach(() => home.cleanup());

after(() => {
  for (const pid of hungPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A mountinfo file where each given dir is a mount point, `ro` for those listed as read-only. */
function writeMountinfo(dirs: string[], readOnly: string[] = []): string {
  const lines = ['22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro'];
  dirs.forEach((dir, at) => {
    const ro = readOnly.includes(dir) ? 'ro' : 'rw';
    lines.push(
      `${40 + at} 22 8:${16 * (at + 1)} / ${dir.replaceAll(' ', '\\040')} ${ro},noatime shared:${30 + at} - ext4 /dev/sd${'bcdefgh'[at]}1 ${ro},errors=remount-ro`,
    );
  });
  const file = path.join(home.root, 'mountinfo');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('a hung disk', () => {
  test('readDiskSpace gives up on a statfs that never answers, naming the method and the time', async () => {
    const hung = path.join(home.root, 'hung');
    fs.mkdirSync(hung);
    await assert.rejects(readDiskSpace(hung, 'statfs', { timeoutMs: 50, statfs: never }), {
      message: 'no answer from statfs within 0.05 s (a hung disk or mount?)',
    });
    // its call is still out: it is not asked again (it would take one more thread)
    await assert.rejects(readDiskSpace(hung, 'statfs', { timeoutMs: 5000 }), {
      message: 'its earlier statfs call has not answered yet (a hung disk or mount?); not asked again until it does',
    });
    const space = await readDiskSpace(home.farmRoot, 'statfs', { timeoutMs: 5000 });
    assert.ok(space.totalBytes > 0 && space.freeBytes >= 0);
  });

  test('withTimeout passes an answer or an error through unchanged when it comes in time', async () => {
    assert.equal(await withTimeout(Promise.resolve(7), 1000, 'x'), 7);
    await assert.rejects(withTimeout(Promise.reject(new Error('EIO')), 1000, 'x'), { message: 'EIO' });
  });

  test('diskhand with disk_space=df logs a disk whose df hangs as unreadable, writes the others, and exits', async () => {
    makeDisks(home, { f1: ['d1', 'hung'] });
    home.set('disk_space', 'df');
    home.set('require_mount', 'no');
    home.set('disk_timeout', 1);
    fs.mkdirSync(path.join(home.disksDir, 'f1'), { recursive: true });
    fs.writeFileSync(path.join(home.disksDir, 'f1', 'hung.goplot'), '123\n');
    const table = path.join(home.root, 'df-table');
    fs.writeFileSync(table, `${path.join(home.farmRoot, 'f1', 'd1')} ${1000 * GIB_KIB} ${10 * GIB_KIB}\n`);
    // a df stuck on a dead mount: it never answers (the test kills it afterwards)
    const bin = path.join(home.root, 'bin');
    const pids = path.join(home.root, 'df-pids');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'df'),
      `#!/usr/bin/env bash\ncase "$*" in *hung*) echo $$ >> '${pids}'; exec sleep 30;; esac\nexec '${FAKE_BIN}/df' "$@"\n`,
      { mode: 0o755 },
    );
    try {
      const result = await runScript(home, 'scripts/diskhand.js', [], {
        env: { PATH: `${bin}:${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table },
        timeout: 20_000,
      });
      assert.equal(result.timedOut, false, 'diskhand must end although a df never answers');
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(
        logMessages(home, 'diskhand.log').map((line) => line.replace(SUMMARY_TIME, '')),
        [
          'f1/d1: 10485760 KiB (free 990.0 GiB, committed 0 B to 0 plots)',
          'f1/hung: cannot read its space with df (no answer from df within 1 s (a hung disk or mount?)); state left at 123',
          '2 disks in 1 farm: 1 with room, 0 full, 0 read-only, 0 off, 0 unmounted, 0 skipped, 1 error; 0 plots running; 1 state file written',
        ],
      );
      assert.equal(fs.readFileSync(path.join(home.disksDir, 'f1', 'hung.goplot'), 'utf8'), '123\n');
    } finally {
      if (fs.existsSync(pids)) hungPids.push(...fs.readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number));
    }
  });

  test('chooseDestination goes on to the next disk when one does not answer', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    for (const [disk, kib] of [
      ['d1', 5],
      ['d2', 10],
    ] as const) {
      fs.mkdirSync(path.join(home.disksDir, 'f1'), { recursive: true });
      fs.writeFileSync(path.join(home.disksDir, 'f1', `${disk}.goplot`), `${kib}\n`);
    }
    const messages: string[] = [];
    const hungDir = path.join(home.farmRoot, 'f1', 'd1', 'plots');
    const result = await chooseDestination({
      paths: home,
      farmRoot: home.farmRoot,
      lastFarm: '0',
      requireMount: false,
      mounts: new Set(),
      spaceMethod: 'statfs',
      plotKiB: 1,
      timeoutMs: 50,
      access: (dir) => (dir === hungDir ? never<void>() : Promise.resolve()),
      log: (message) => messages.push(message),
    });
    assert.equal(result.ok && result.choice.disk, 'd2');
    assert.deepEqual(messages, [
      'f1/d1: cannot read its space with statfs (no answer from access within 0.05 s (a hung disk or mount?)); trying the next disk',
    ]);
  });
});

describe('a read-only disk', () => {
  function destinationOptions(overrides: Partial<ChooseDestinationOptions>): ChooseDestinationOptions {
    return {
      paths: home,
      farmRoot: home.farmRoot,
      lastFarm: '0',
      requireMount: true,
      mounts: new Set(),
      spaceMethod: 'statfs',
      plotKiB: 1,
      ...overrides,
    };
  }

  function setStates(states: Record<string, number>): void {
    fs.mkdirSync(path.join(home.disksDir, 'f1'), { recursive: true });
    for (const [disk, kib] of Object.entries(states))
      fs.writeFileSync(path.join(home.disksDir, 'f1', `${disk}.goplot`), `${kib}\n`);
  }

  test('is skipped by chooseDestination when its mount is ro in mountinfo, although its number is the lowest', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    setStates({ d1: 5, d2: 500 });
    const [d1, d2] = ['d1', 'd2'].map((disk) => path.join(home.farmRoot, 'f1', disk));
    const messages: string[] = [];
    const mounts = readMountPoints(writeMountinfo([d1, d2], [d1]));
    const result = await chooseDestination(destinationOptions({ mounts, log: (message) => messages.push(message) }));
    assert.equal(result.ok && result.choice.disk, 'd2');
    assert.deepEqual(messages, [`f1/d1: read-only (mounted read-only at ${d1}); trying the next disk`]);
    assert.equal(readDiskState(home, 'f1', 'd1').kind, 'number', 'diskhand, not the tractor, marks it');
  });

  test('is skipped when plots/ is not writable (EROFS), and a farm of them gives no disk', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    setStates({ d1: 5, d2: 500 });
    const mounts = readMountPoints(writeMountinfo(['d1', 'd2'].map((disk) => path.join(home.farmRoot, 'f1', disk))));
    const messages: string[] = [];
    const result = await chooseDestination(
      destinationOptions({ mounts, access: erofs, log: (message) => messages.push(message) }),
    );
    assert.deepEqual(result, {
      ok: false,
      message: `no usable disk under ${home.farmRoot}: f1: 2 disks read-only`,
      skipped: ['f1: 2 disks read-only'],
      writes: [],
    });
    assert.equal(
      messages[0],
      `f1/d1: read-only (${path.join(home.farmRoot, 'f1', 'd1', 'plots')} is not writable (EROFS: read-only file system)); trying the next disk`,
    );
  });

  test('diskhand writes full for a disk mounted read-only and warns about it', async () => {
    makeDisks(home, { f1: ['d1', 'd2'] });
    const [d1, d2] = ['d1', 'd2'].map((disk) => path.join(home.farmRoot, 'f1', disk));
    const mountinfo = writeMountinfo([d1, d2], [d2]);
    home.set('k', 25); // d1 is the test machine's own disk: a small plot fits
    const result = await runScript(home, 'scripts/diskhand.js', [], { env: { GOPLOT_MOUNTINFO: mountinfo } });
    assert.equal(result.exitCode, 0, result.stderr);
    const lines = logMessages(home, 'diskhand.log');
    assert.match(lines[0], /^f1\/d1: \d+ KiB \(free /);
    assert.equal(lines[1], `f1/d2: full (read-only: mounted read-only at ${d2}; no plot can be written there)`);
    assert.match(
      lines[2],
      /^2 disks in 1 farm: 1 with room, 0 full, 1 read-only, 0 off, 0 unmounted, 0 skipped, 0 errors; /,
    );
    assert.match(
      fs.readFileSync(path.join(home.logsDir, 'diskhand.log'), 'utf8'),
      /\] WARN: diskhand\[\d+\] f1\/d2: full \(read-only/,
    );
    assert.deepEqual(readDiskState(home, 'f1', 'd2'), { kind: 'full' });
  });

  test('diskhand finds an EROFS plots/ without require_mount, and reports it as read-only', async () => {
    makeDisks(home, { f1: ['d1'] });
    home.set('require_mount', 'no');
    const lines: string[] = [];
    const report = await runDiskhand({
      paths: home,
      config: new ConfigReader(home),
      log: (_, message) => lines.push(message),
      access: erofs,
      mountinfoPath: path.join(home.root, 'no-mountinfo'),
      lock: (work) => work(),
    });
    assert.deepEqual(
      report.disks.map((disk) => [disk.outcome, disk.state, disk.written]),
      [['read-only', 'full', true]],
    );
    assert.equal(
      lines[0],
      `f1/d1: full (read-only: ${path.join(home.farmRoot, 'f1', 'd1', 'plots')} is not writable (EROFS: read-only file system); no plot can be written there)`,
    );
  });
});

describe('temp dir choice', () => {
  const NEEDED = 100 * GIB;
  function tempOptions(overrides: Partial<TempChoiceOptions>): TempChoiceOptions {
    return {
      tempRoot: '/plot_temp',
      names: ['1', '2'],
      lastTemp: '0',
      runningTempDirs: [],
      maxPerTemp: 0,
      neededBytes: NEEDED,
      readSpace: async () => ({ totalBytes: 250 * GIB, freeBytes: 200 * GIB }),
      deviceOf: () => 1,
      ...overrides,
    };
  }

  test('a filesystem too small for the plots growing in it and one more is skipped, though it has free space now', async () => {
    // two plots just started in 1: 200 GiB free now, but three at their peak need 300 GiB of 250
    const result = await chooseTempDir(
      tempOptions({
        runningTempDirs: ['/plot_temp/1', '/plot_temp/1'],
        readSpace: async (dir) =>
          dir === '/plot_temp/1'
            ? { totalBytes: 250 * GIB, freeBytes: 200 * GIB }
            : { totalBytes: 1000 * GIB, freeBytes: 1000 * GIB },
        deviceOf: (dir) => (dir.startsWith('/plot_temp/1') ? 1 : 2),
      }),
    );
    assert.deepEqual(result, {
      ok: true,
      name: '2',
      dir: '/plot_temp/2',
      skipped: ['1: 250.0 GiB in all, too small for 3 plots at their peak (300.0 GiB)'],
    });
  });

  test('plots in another temp dir on the same filesystem count too (one NVMe holds 1 and 2)', async () => {
    const tooSmall = 'too small for 3 plots at their peak (300.0 GiB)';
    const result = await chooseTempDir(tempOptions({ runningTempDirs: ['/plot_temp/2/sub', '/plot_temp/2', null] }));
    assert.deepEqual(result, {
      ok: false,
      message: `no temp dir can take a plot: 1: 250.0 GiB in all, ${tooSmall}; 2: 250.0 GiB in all, ${tooSmall}`,
      skipped: [`1: 250.0 GiB in all, ${tooSmall}`, `2: 250.0 GiB in all, ${tooSmall}`],
    });
  });

  test('too little free space is said first, as before', async () => {
    const result = await chooseTempDir(
      tempOptions({ names: ['1'], readSpace: async () => ({ totalBytes: 250 * GIB, freeBytes: 50 * GIB }) }),
    );
    assert.deepEqual(result.skipped, ['1: 50.0 GiB free, a plot needs 100.0 GiB']);
  });

  describe('with require_mount=yes', () => {
    beforeEach(() => {
      makeTempDirs(home, ['1', '2']);
      home.set('require_mount', 'yes');
      home.set('plotter', 'bladebit-ram'); // needs no temp space: only the mount decides
    });

    test('a temp dir on the root filesystem is refused: its disk is not mounted?', async () => {
      const result = await chooseConfiguredTempDir(new ConfigReader(home), [], { mounts: new Set(['/']) });
      const why = 'on the root filesystem: its disk is not mounted? (require_mount=yes)';
      assert.deepEqual(result, {
        ok: false,
        message: `no temp dir can take a plot: 1: ${why}; 2: ${why}`,
        skipped: [`1: ${why}`, `2: ${why}`],
      });
    });

    test('temp dirs under one mounted NVMe are fine, and a mounted temp dir of its own is too', async () => {
      const underMountedRoot = await chooseConfiguredTempDir(new ConfigReader(home), [], {
        mounts: new Set(['/', home.tempRoot]),
      });
      assert.deepEqual(underMountedRoot, { ok: true, name: '1', dir: path.join(home.tempRoot, '1'), skipped: [] });
      const ownMount = await chooseConfiguredTempDir(new ConfigReader(home), [], {
        mounts: new Set(['/', path.join(home.tempRoot, '2')]),
      });
      assert.deepEqual(ownMount.skipped, ['1: on the root filesystem: its disk is not mounted? (require_mount=yes)']);
      assert.equal(ownMount.ok && ownMount.name, '2');
    });

    test('the mount table comes from GOPLOT_MOUNTINFO, and an unreadable one refuses the dir, saying why', async () => {
      const env = { GOPLOT_MOUNTINFO: writeMountinfo([home.tempRoot]) };
      assert.equal((await chooseConfiguredTempDir(new ConfigReader(home), [], { env })).ok, true);
      const missing = path.join(home.root, 'no-mountinfo');
      const result = await chooseConfiguredTempDir(new ConfigReader(home), [], { env: { GOPLOT_MOUNTINFO: missing } });
      assert.deepEqual(
        result.skipped[0],
        `1: cannot tell its filesystem (ENOENT: no such file or directory, open '${missing}')`,
      );
    });

    test('a tractor refuses an unmounted temp dir and plots once temp_root is a mount point', async () => {
      const sim = makeSimFarm({ farm1: ['disk1'] }, ['1']);
      try {
        sim.set('require_mount', 'yes');
        const disk1 = path.join(sim.farmRoot, 'farm1', 'disk1');
        const mountinfo = path.join(sim.root, 'mountinfo');
        const run = () =>
          runScript(sim, 'scripts/tractor.js', [], { env: simEnv(0.3, { GOPLOT_MOUNTINFO: mountinfo }) });
        fs.writeFileSync(
          mountinfo,
          `22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 8:17 / ${disk1} rw - ext4 /dev/sdb1 rw\n`,
        );
        const refused = await run();
        assert.deepEqual(
          [refused.exitCode, refused.stderr],
          [
            2,
            'tractor: no temp dir can take a plot: 1: on the root filesystem: its disk is not mounted? (require_mount=yes)',
          ],
        );
        fs.appendFileSync(mountinfo, `41 22 259:1 / ${sim.tempRoot} rw - ext4 /dev/nvme0n1 rw\n`);
        const plotted = await run();
        assert.equal(plotted.exitCode, 0, plotted.stderr);
        assert.equal(fs.readdirSync(path.join(disk1, 'plots')).length, 1);
      } finally {
        sim.cleanup();
      }
    });

    test('with require_mount=no the root filesystem is fine (folders as disks, as the demo has them)', async () => {
      home.set('require_mount', 'no');
      assert.equal((await chooseConfiguredTempDir(new ConfigReader(home), [], { mounts: new Set(['/']) })).ok, true);
    });
  });
});

describe('the state lock', () => {
  test('a lock lost while held is reported, not thrown from a timer, and the work finishes', async () => {
    const compromised: string[] = [];
    const result = await withStateLock(
      home,
      async () => {
        fs.rmSync(stateLockPath(home), { recursive: true, force: true });
        await waitFor('the lock to be found lost', () => compromised.length > 0);
        return 'done';
      },
      { stale: 2000, update: 1000, onCompromised: (error) => compromised.push(error.message) },
    );
    assert.equal(result, 'done');
    assert.equal(compromised.length, 1);
    assert.match(compromised[0], /ENOENT/);
    // the next holder gets it at once
    assert.equal(await withStateLock(home, async () => 'again'), 'again');
  });

  test('diskhand gives up a run when others hold the lock for its whole wait, and writes nothing', async () => {
    const lockHome = makeTempHome('goplot-lock-wait-');
    try {
      initValueFiles(lockHome);
      makeDisks(lockHome, { farm1: ['disk1'] });
      lockHome.set('require_mount', 'no');
      let release!: () => void;
      let held = false;
      const holder = withStateLock(lockHome, async () => {
        held = true;
        await new Promise<void>((resolve) => (release = resolve));
      });
      await waitFor('the lock held', () => held);
      await assert.rejects(
        runDiskhand({ paths: lockHome, config: new ConfigReader(lockHome), log: () => {}, lockWaitMs: 800 }),
        (error: unknown) => {
          assert.ok(error instanceof StateLockTimeout, String(error));
          assert.equal(
            error.message,
            `waited 1 s for the state lock ${stateLockPath(lockHome)}, held all that time by other live goplot processes; gave up`,
          );
          return true;
        },
      );
      assert.equal(fs.existsSync(path.join(lockHome.disksDir, 'farm1', 'disk1.goplot')), false, 'no state written');
      release();
      await holder;
    } finally {
      lockHome.cleanup();
    }
  });
});
