import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { IS_ROOT, smallFilesystems } from '../helpers/small-filesystems.js';
import { NOBODY, reachableScript, runScriptAs } from '../helpers/other-user.js';
import { logMessages, runScript, type ScriptResult, type TempHome } from '../helpers/temp-home.js';

// registered first, so the mounts are gone before the farms' folders are removed
const mounts = smallFilesystems();
after(() => mounts.cleanup());
const { farm } = simFarmsOfThisFile();

/**
 * The tractor as a farmer without root runs it: root reads any folder whatever its mode, so as
 * root the test hands the home to `nobody` and runs the script as that user.
 */
async function tractorAsFarmer(home: TempHome): Promise<ScriptResult> {
  if (!IS_ROOT) return runScript(home, 'scripts/tractor.js', [], { env: simEnv(0.3) });
  // from a copy any user can reach, the plotter too: the checkout may lie under a folder only its
  // owner may enter
  home.set('chia_bin', reachableScript('scripts/simplotter.js'));
  execFileSync('chown', ['-R', `${NOBODY.uid}:${NOBODY.gid}`, home.root]);
  return runScriptAs(NOBODY, home, 'scripts/tractor.js', [], { env: simEnv(0.3) });
}

describe('the tractor refuses clearly, before any plot starts', () => {
  test('a temp dir that cannot be written is refused, naming the dir and why', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const temp = path.join(home.tempRoot, '1');
    if (IS_ROOT) await mounts.tmpfs(temp, 16).then(() => execFileSync('mount', ['-o', 'remount,ro', temp]));
    else fs.chmodSync(temp, 0o555);
    try {
      const result = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(0.3) });
      const why = IS_ROOT ? 'EROFS: read-only file system' : 'EACCES: permission denied';
      assert.deepEqual(
        [result.exitCode, result.stderr],
        [2, `tractor: no temp dir can take a plot: 1: ${temp} is not writable (${why})`],
      );
      assert.equal(
        logMessages(home).some((line) => /^plot \d+ started/.test(line)),
        false,
      );
    } finally {
      if (!IS_ROOT) fs.chmodSync(temp, 0o755);
    }
  });

  test('an unreadable farm_root is named as unreadable, not as having no farms', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    fs.chmodSync(home.farmRoot, 0o000);
    try {
      const result = await tractorAsFarmer(home);
      assert.deepEqual(
        [result.exitCode, result.stderr],
        [
          2,
          `tractor: no usable disk under ${home.farmRoot}: cannot read it (EACCES: permission denied, scandir '${home.farmRoot}')`,
        ],
      );
    } finally {
      fs.chmodSync(home.farmRoot, 0o755);
    }
  });

  test('an unreadable temp_root is named as unreadable, not as missing its temp dirs', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    fs.chmodSync(home.tempRoot, 0o000);
    try {
      const result = await tractorAsFarmer(home);
      assert.deepEqual(
        [result.exitCode, result.stderr],
        [
          2,
          `tractor: no temp dir can take a plot: cannot read temp_root ${home.tempRoot} (EACCES: permission denied, scandir '${home.tempRoot}')`,
        ],
      );
    } finally {
      fs.chmodSync(home.tempRoot, 0o755);
    }
  });

  test('a farm whose name holds a newline is refused by name and skipped; the others plot', async () => {
    const home = farm({ farm1: ['disk1'], 'farm\n2': ['disk1'] }, ['1']);
    for (const index of [1, 2]) {
      const result = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(0.3) });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(home.read('config/farm_dest.goplot'), 'farm1\n', `after plot ${index}`);
    }
    const refusal = `farm "farm\\n2" in ${home.farmRoot} has a control character (a newline?) in its name; skipped (rename it)`;
    assert.equal(logMessages(home).filter((line) => line === refusal).length, 2, logMessages(home).join('\n'));
    assert.equal(
      fs.readdirSync(path.join(home.farmRoot, 'farm1', 'disk1', 'plots')).filter((name) => name.endsWith('.plot'))
        .length,
      2,
    );
    const diskhand = await runScript(home, 'scripts/diskhand.js');
    assert.equal(diskhand.exitCode, 0, diskhand.stderr);
    assert.equal(logMessages(home, 'diskhand.log')[0], refusal);
  });
});
