import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { committedKiB } from '../../lib/farm/plot-size.js';
import { FAKE_BIN, simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { IS_ROOT, smallFilesystems } from '../helpers/small-filesystems.js';
import { logMessages, runScript } from '../helpers/temp-home.js';

// registered first, so the mounts are gone before the farms' folders are removed
const mounts = smallFilesystems();
after(() => mounts.cleanup());
const { farm } = simFarmsOfThisFile();

describe('a failed plot', () => {
  test(
    "gives its disk's room back at once, without diskhand: quick failures never mark the disk full",
    { timeout: 90_000 },
    async () => {
      const home = farm({ farm1: ['disk1'] }, ['1']);
      home.set('disk_space', 'df');
      home.set('backoff_base', 0);
      const perPlot = committedKiB(25, 0);
      const table = path.join(home.root, 'df-table');
      // room for two plots; 128 KiB used
      fs.writeFileSync(table, `${path.join(home.farmRoot, 'farm1', 'disk1')} ${perPlot * 2 + 1024} 128\n`);
      const env = simEnv(0.3, {
        PATH: `${FAKE_BIN}:${process.env.PATH}`,
        FAKE_DF_TABLE: table,
        SIMPLOTTER_FAIL_PHASE: '1',
      });
      for (const index of [1, 2, 3, 4]) {
        const result = await runScript(home, 'scripts/tractor.js', [], { env });
        assert.equal(result.exitCode, 1, `plot ${index} fails: ${result.stderr}`);
        assert.equal(home.read('disks/farm1/disk1.goplot'), '128\n', `after plot ${index} failed`);
        assert.ok(
          logMessages(home).includes(
            `plot ${index}: released its reservation on farm1/disk1: ${128 + perPlot} -> 128 KiB (measured again, 0 other plots running there)`,
          ),
          logMessages(home).join('\n'),
        );
      }
    },
  );
});

describe('a finished plot', () => {
  test(
    'gives its reservation back, measured with its file on the disk: tractors run by hand without diskhand plot on while there is room',
    { timeout: 180_000 },
    async () => {
      assert.ok(IS_ROOT, 'this test mounts a tmpfs, which takes root');
      const home = farm({ farm1: ['disk1'] }, ['1']);
      const disk = path.join(home.farmRoot, 'farm1', 'disk1');
      // 3 GiB: room for 4 k25 plots at once, and for any number one after another (a sim plot is small)
      await mounts.tmpfs(disk, 3072);
      fs.mkdirSync(path.join(disk, 'plots'));
      fs.mkdirSync(path.join(disk, 'logs'));
      for (const index of [1, 2, 3, 4, 5, 6]) {
        const result = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(0.3) });
        assert.equal(result.exitCode, 0, `plot ${index}: ${result.stderr}`);
        const usedKiB = Math.ceil(
          (fs.statfsSync(disk).blocks - fs.statfsSync(disk).bfree) * (fs.statfsSync(disk).bsize / 1024),
        );
        assert.equal(home.read('disks/farm1/disk1.goplot'), `${usedKiB}\n`, `after plot ${index}`);
        assert.ok(
          logMessages(home).some(
            (line) =>
              line.startsWith(`plot ${index}: released its reservation on farm1/disk1: `) &&
              line.endsWith(` -> ${usedKiB} KiB (measured again, 0 other plots running there)`),
          ),
          logMessages(home).join('\n'),
        );
      }
      assert.equal(fs.readdirSync(path.join(disk, 'plots')).filter((name) => name.endsWith('.plot')).length, 6);
    },
  );
});
