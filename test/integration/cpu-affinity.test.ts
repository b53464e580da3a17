import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { logMessages, runScript } from '../helpers/temp-home.js';

const { farm } = simFarmsOfThisFile();

/** The host's online CPUs as the kernel lists them (e.g. `0-1`), and the first CPU past them. */
const ONLINE = fs.readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
const PAST_LAST = Math.max(...ONLINE.split(/[,-]/).map(Number)) + 1;

describe('cpu_affinity', () => {
  for (const value of [String(PAST_LAST), '64', '99999999999999999999999', '1-0']) {
    test(`${value}, a CPU list this host cannot take, is refused when read: goplot config and set name it, no plot starts`, async () => {
      const home = farm({ farm1: ['disk1'] }, ['1']);
      home.set('cpu_affinity', value);
      const file = `${home.configDir}/cpu_affinity.goplot`;
      const expected = `(expected a CPU list of this host's CPUs (${ONLINE}) such as 0-1, or nothing)`;
      if (value !== '64' || PAST_LAST <= 64) {
        const config = await runScript(home, 'scripts/goplot-cli.js', ['config']);
        // 1: an invalid value file, as for any other value
        assert.equal(config.exitCode, 1, config.stderr);
        assert.ok(
          config.stdout.includes(`  ! ${file}: invalid value "${value}" ${expected}; using (empty) (the default)`),
          config.stdout,
        );
        const set = await runScript(home, 'scripts/goplot-cli.js', ['set', 'cpu_affinity', value]);
        assert.deepEqual([set.exitCode, set.stderr], [2, `goplot set: ${file}: refusing "${value}" ${expected}`]);
      }
      // the tractor refuses before any plotter starts, instead of every plot failing at taskset
      const tractor = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(0.3) });
      assert.deepEqual(
        [tractor.exitCode, tractor.stderr],
        [
          2,
          `tractor: ${file}: invalid value "${value}" ${expected}; no plot starts with a guessed value (fix it, see goplot config)`,
        ],
      );
      assert.equal(
        logMessages(home).some((line) => /^plot \d+ started/.test(line)),
        false,
      );
    });
  }

  test('a list of CPUs this host has still runs the plotter under taskset', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    home.set('cpu_affinity', ONLINE);
    const dry = await runScript(home, 'scripts/tractor.js', ['--dry-run'], { env: simEnv(0.3) });
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^command: +taskset -c ${ONLINE} `, 'm'));
  });
});
