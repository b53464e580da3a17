import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { stateLockPath } from '../../lib/farm/state-lock.js';
import { initValueFiles } from '../../lib/config/write-value.js';
import { NOBODY, runScriptAs } from '../helpers/other-user.js';
import { IS_ROOT } from '../helpers/small-filesystems.js';
import { makeDisks, makeTempDirs, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';
import { FAKE_BIN } from '../helpers/fake-df.js';

const GIB = 1024 * 1024; // in KiB

let home: TempHome;
beforeEach(() => {
  home = makeTempHome('goplot-lock-faults-');
  initValueFiles(home);
  home.set('disk_space', 'df');
  home.set('require_mount', 'no');
  makeDisks(home, { f1: ['d1'] });
  makeTempDirs(home, ['1']);
  const table = path.join(home.root, 'df-table');
  fs.writeFileSync(table, `${path.join(home.farmRoot, 'f1', 'd1')} ${1000 * GIB} ${100 * GIB}\n`);
});
afterEach(() => home.cleanup());

const dfEnv = () => ({ PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: path.join(home.root, 'df-table') });

describe('the state lock', () => {
  test(
    'a lock left dated an hour ahead (the clock stepped back) is taken by diskhand once no holder refreshed it for 30 s',
    { timeout: 120_000 },
    async () => {
      fs.mkdirSync(stateLockPath(home));
      const hourAhead = new Date(Date.now() + 3600_000);
      fs.utimesSync(stateLockPath(home), hourAhead, hourAhead);
      const result = await runScript(home, 'scripts/diskhand.js', [], { env: dfEnv(), timeout: 110_000 });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `^goplot: removed ${stateLockPath(home)}: dated 3[56]\\d\\d s ahead of the clock \\(the clock stepped back\\?\\) and not refreshed by any holder, so stale$`,
          'm',
        ),
      );
      assert.equal(home.read('disks/f1/d1.goplot'), `${100 * GIB}\n`);
      assert.equal(fs.existsSync(stateLockPath(home)), false);
    },
  );

  for (const script of ['scripts/tractor.js --dry-run', 'scripts/diskhand.js']) {
    test(`a user who may not write the home runs ${script}: it fails at once, naming the folder and the permission`, async () => {
      assert.ok(IS_ROOT, 'this test runs a script as another user, which takes root');
      // readable by everyone, writable by root only, as a farmer's home seen by another account
      fs.chmodSync(home.root, 0o755);
      const [file, ...args] = script.split(' ');
      const result = await runScriptAs(NOBODY, home, file!, args, { env: dfEnv(), timeout: 60_000 });
      assert.equal(result.timedOut, false, 'it must not wait for a lock it can never take');
      const lock = stateLockPath(home);
      const name = path.basename(file!, '.js');
      assert.equal(
        result.stderr.split('\n').at(-1),
        `${name}: cannot take the state lock ${lock}: EACCES: permission denied, mkdir '${lock}'; this user (uid ${NOBODY.uid}) needs write permission on ${home.configDir}`,
      );
      assert.equal(result.exitCode, name === 'tractor' ? 3 : 1);
    });
  }
});
