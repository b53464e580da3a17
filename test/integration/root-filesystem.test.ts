import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { IS_ROOT, NOT_ROOT, smallFilesystems } from '../helpers/small-filesystems.js';
import { logMessages, runScript, type TempHome } from '../helpers/temp-home.js';

// registered first, so the mounts are gone before the farms' folders are removed
const mounts = smallFilesystems();
after(() => mounts.cleanup());
const { farm } = simFarmsOfThisFile();

const plotsIn = (dir: string) =>
  fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.plot')) : [];
const tractor = (home: TempHome, env: Record<string, string> = {}) =>
  runScript(home, 'scripts/tractor.js', [], { env: simEnv(0.3, env) });

/** A declared mount table: `/` from 8:1, and each dir a mount of a device of its own. */
function declareMounts(home: TempHome, dirs: string[]): string {
  const lines = [
    '22 1 8:1 / / rw - ext4 /dev/sda1 rw',
    ...dirs.map((dir, at) => `${40 + at} 22 8:${16 * (at + 1)} / ${dir} rw - ext4 /dev/sd${'bcdefg'[at]}1 rw`),
  ];
  const file = path.join(home.root, 'mountinfo');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('require_mount=yes with a declared mount table', () => {
  test('a mounted disk whose plots/ is a link into the root filesystem gets no plot; diskhand marks it unmounted', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    home.set('require_mount', 'yes');
    const disk1 = path.join(home.farmRoot, 'farm1', 'disk1');
    const elsewhere = path.join(home.root, 'on-root');
    fs.mkdirSync(elsewhere);
    fs.rmdirSync(path.join(disk1, 'plots'));
    fs.symlinkSync(elsewhere, path.join(disk1, 'plots'));
    const env = { GOPLOT_MOUNTINFO: declareMounts(home, [disk1, home.tempRoot]) };
    const refused = await tractor(home, env);
    const why = `${disk1}/plots is on the root filesystem (it leads to ${elsewhere})`;
    assert.deepEqual(
      [refused.exitCode, refused.stderr],
      [2, `tractor: no usable disk under ${home.farmRoot}: farm1: disk1 on the root filesystem`],
    );
    assert.ok(
      logMessages(home).includes(`farm1/disk1: ${why}; skipped (require_mount=yes)`),
      logMessages(home).join('\n'),
    );
    assert.deepEqual(plotsIn(elsewhere), []);
    const diskhand = await runScript(home, 'scripts/diskhand.js', [], { env });
    assert.equal(diskhand.exitCode, 0, diskhand.stderr);
    assert.equal(logMessages(home, 'diskhand.log')[0], `farm1/disk1: unmounted (${why}; require_mount=yes)`);
    assert.equal(home.read('disks/farm1/disk1.goplot'), 'unmounted\n');
  });

  test('a temp dir that is a link into the root filesystem is refused, one on the mounted NVMe is used', async () => {
    const home = farm({ farm1: ['disk1'] }, ['2']);
    home.set('require_mount', 'yes');
    const disk1 = path.join(home.farmRoot, 'farm1', 'disk1');
    const elsewhere = path.join(home.root, 'root-temp');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(home.tempRoot, '1'));
    const env = { GOPLOT_MOUNTINFO: declareMounts(home, [disk1, home.tempRoot]) };
    const result = await tractor(home, env);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(
      logMessages(home).find((line) => line.startsWith('plot 1 started')) ?? '',
      new RegExp(`temp ${home.tempRoot}/2,`),
    );
    fs.rmSync(path.join(home.tempRoot, '2'), { recursive: true });
    const refused = await tractor(home, env);
    assert.deepEqual(
      [refused.exitCode, refused.stderr],
      [
        2,
        `tractor: no temp dir can take a plot: 1: on the root filesystem (it leads to ${elsewhere}) (require_mount=yes)`,
      ],
    );
  });
});

describe('require_mount=yes on real mounts', { skip: IS_ROOT ? false : NOT_ROOT }, () => {
  async function mountedFarm(): Promise<{ home: TempHome; disk1: string }> {
    const home = farm({ farm1: ['disk1'] }, []);
    home.set('require_mount', 'yes');
    const disk1 = path.join(home.farmRoot, 'farm1', 'disk1');
    await mounts.tmpfs(disk1, 1400); // room for one k25 plot (643 MiB committed)
    await mounts.tmpfs(home.tempRoot, 4096);
    for (const dir of [path.join(disk1, 'plots'), path.join(disk1, 'logs'), path.join(home.tempRoot, '1')])
      fs.mkdirSync(dir);
    return { home, disk1 };
  }

  test('a tmpfs disk takes the plot; with its plots/ a link into the root filesystem it does not', async () => {
    const { home, disk1 } = await mountedFarm();
    const plotted = await tractor(home);
    assert.equal(plotted.exitCode, 0, plotted.stderr);
    assert.equal(plotsIn(path.join(disk1, 'plots')).length, 1);
    const onRoot = path.join(home.root, 'on-root');
    fs.mkdirSync(onRoot);
    fs.renameSync(path.join(disk1, 'plots'), path.join(disk1, 'plots.real'));
    fs.symlinkSync(onRoot, path.join(disk1, 'plots'));
    const refused = await tractor(home);
    assert.deepEqual(
      [refused.exitCode, refused.stderr],
      [2, `tractor: no usable disk under ${home.farmRoot}: farm1: disk1 on the root filesystem`],
    );
    assert.ok(
      logMessages(home).includes(
        `farm1/disk1: ${disk1}/plots is on the root filesystem (it leads to ${onRoot}); skipped (require_mount=yes)`,
      ),
      logMessages(home).join('\n'),
    );
    assert.deepEqual(plotsIn(onRoot), []);
  });

  test('a bind mount of a root-filesystem folder is refused as a disk and as a temp dir', async () => {
    const { home, disk1 } = await mountedFarm();
    const rootFolder = path.join(home.root, 'root-folder');
    for (const sub of ['plots', 'logs']) fs.mkdirSync(path.join(rootFolder, sub), { recursive: true });
    const disk2 = path.join(home.farmRoot, 'farm1', 'disk2');
    await mounts.bind(rootFolder, disk2);
    // disk1 is full: only the bind mount is left
    fs.mkdirSync(path.join(home.disksDir, 'farm1'), { recursive: true });
    fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk1.goplot'), 'full\n');
    const refused = await tractor(home);
    assert.deepEqual(
      [refused.exitCode, refused.stderr],
      [2, `tractor: no usable disk under ${home.farmRoot}: farm1: disk1 full, disk2 on the root filesystem`],
    );
    assert.deepEqual(plotsIn(path.join(rootFolder, 'plots')), []);
    fs.rmSync(path.join(home.disksDir, 'farm1', 'disk1.goplot'));
    const tempFolder = path.join(home.root, 'root-temp');
    fs.mkdirSync(tempFolder);
    await mounts.bind(tempFolder, path.join(home.tempRoot, '0'));
    fs.rmdirSync(path.join(home.tempRoot, '1'));
    const noTemp = await tractor(home);
    assert.equal(noTemp.exitCode, 2);
    assert.match(
      noTemp.stderr,
      new RegExp(
        `^tractor: no temp dir can take a plot: 0: on the root filesystem: ${home.tempRoot}/0 is mounted from the root's device \\d+:\\d+ \\(a bind mount\\?\\) \\(require_mount=yes\\)$`,
      ),
    );
    assert.deepEqual(plotsIn(path.join(disk1, 'plots')), []);
  });
});
