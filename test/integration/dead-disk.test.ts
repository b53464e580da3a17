import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { IS_ROOT, NOT_ROOT, smallFilesystems } from '../helpers/small-filesystems.js';
import { logMessages, runScript } from '../helpers/temp-home.js';

// registered first: the dead mounts are closed and gone before the farms' folders are removed
const mounts = smallFilesystems();
after(() => mounts.cleanup());
const { farm } = simFarmsOfThisFile();

const canFuse = IS_ROOT && fs.existsSync('/dev/fuse');

describe(
  'a dead disk (a FUSE mount that never answers)',
  { skip: canFuse ? false : `${NOT_ROOT}, and /dev/fuse` },
  () => {
    test('diskhand ends, writes the healthy disk and says which one does not answer', { timeout: 90_000 }, async () => {
      const home = farm({ farm1: ['disk1'] }, ['1']);
      home.set('disk_timeout', 2);
      const dead = path.join(home.farmRoot, 'farm1', 'disk0');
      mounts.hungFuse(dead);
      const diskhand = await runScript(home, 'scripts/diskhand.js', [], { timeout: 40_000 });
      assert.equal(diskhand.timedOut, false, 'diskhand must end although a disk never answers');
      // its work is done; a normal exit would wait for the stuck thread for ever
      assert.equal(diskhand.signal, 'SIGKILL');
      assert.equal(
        diskhand.stderr,
        `diskhand: ending with SIGKILL: 2 disk calls are still stuck (stat on ${dead}/plots, stat on ${dead}/logs), and a normal exit would wait for them`,
      );
      const lines = logMessages(home, 'diskhand.log').filter((line) => !line.includes(': missing, using the default'));
      assert.equal(
        lines[0],
        'farm1/disk0: cannot look into it (no answer from stat within 2 s (a hung disk or mount?)); no state file written',
      );
      assert.match(lines[1], /^farm1\/disk1: \d+ KiB \(free /);
      assert.match(lines[2], /^2 disks in 1 farm: 1 with room, .* 1 error; /);
      assert.match(home.read('disks/farm1/disk1.goplot'), /^\d+\n$/);
    });

    test(
      'a tractor skips the dead disk, plots on the healthy one, and ends after its plot',
      { timeout: 90_000 },
      async () => {
        const home = farm({ farm1: ['disk1'] }, ['1']);
        home.set('disk_timeout', 2);
        const dead = path.join(home.farmRoot, 'farm1', 'disk0');
        mounts.hungFuse(dead);
        const tractor = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(0.3), timeout: 40_000 });
        assert.equal(tractor.timedOut, false, 'the tractor must end although a disk never answers');
        assert.equal(tractor.signal, 'SIGKILL', tractor.stderr);
        const lines = logMessages(home);
        assert.ok(
          lines.includes(
            'farm1/disk0: cannot look into it (no answer from stat within 2 s (a hung disk or mount?)); trying the next disk',
          ),
          lines.join('\n'),
        );
        assert.match(lines.find((line) => line.startsWith('plot 1 started')) ?? '', /dest farm1\/disk1,/);
        assert.match(lines.find((line) => line.startsWith('plot 1 finished')) ?? '', /\(farm1\/disk1\)$/);
        assert.equal(
          lines.at(-1),
          `ending with SIGKILL: 2 disk calls are still stuck (stat on ${dead}/plots, stat on ${dead}/logs), and a normal exit would wait for them (exit code 0 otherwise)`,
        );
      },
    );
  },
);
