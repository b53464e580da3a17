// goplot job list|add|show and goplot set --job, run as a user would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { runScript, type TempHome } from '../helpers/temp-home.js';

const { farm } = simFarmsOfThisFile();
const goplot = (home: TempHome, args: string[]) => runScript(home, 'scripts/goplot-cli.js', args);

describe('goplot job', () => {
  it(
    'adds a job, sets its values with validation, shows where each comes from, and lists it with its running plots',
    { timeout: 60_000 },
    async () => {
      const home = farm({ farm1: ['disk1'], farm2: ['disk1'] }, ['1']);
      assert.match((await goplot(home, ['job', 'list'])).stdout, /^no jobs: the global files in \S+ are the one job/);
      const bad = await goplot(home, ['job', 'add', 'no good']);
      assert.equal(bad.exitCode, 2);
      assert.equal(bad.stderr, 'goplot job add: job name "no good" is refused: only letters, digits, - and _');
      const added = await goplot(home, ['job', 'add', 'fast']);
      assert.equal(added.exitCode, 0, added.stderr);
      assert.match(added.stdout, /^created job fast in \S+\/config\/jobs\/fast: it uses the global values/);
      assert.match(added.stdout, /config\/jobs\/ has a job now: the loop starts plots for the jobs there only/);

      const set = await goplot(home, ['set', '--job', 'fast', 'threads', '6']);
      assert.equal(set.exitCode, 0, set.stderr);
      assert.equal(set.stdout, `${path.join(home.configDir, 'jobs', 'fast', 'threads.goplot')} = 6`);
      assert.equal(fs.readFileSync(path.join(home.configDir, 'jobs', 'fast', 'threads.goplot'), 'utf8'), '6\n');
      const refused = await goplot(home, ['set', '--job', 'fast', 'threads', 'many']);
      assert.equal(refused.exitCode, 2);
      assert.equal(
        refused.stderr,
        `goplot set: ${path.join(home.configDir, 'jobs', 'fast', 'threads.goplot')}: refusing "many" (expected a whole number from 1 to 1024)`,
      );
      const global = await goplot(home, ['set', '--job', 'fast', 'load_max', '3']);
      assert.equal(global.exitCode, 2);
      assert.match(global.stderr, /^goplot set: load_max is not a job value \(a job has: dest_farms, temp_root, /);
      const missing = await goplot(home, ['set', '--job', 'slow', 'k', '32']);
      assert.match(
        missing.stderr,
        /^goplot set: no job slow: \S+\/config\/jobs\/slow does not exist \(goplot job add slow\)$/,
      );
      await goplot(home, ['set', '--job', 'fast', 'dest_farms', 'farm2']);
      await goplot(home, ['set', '--job', 'fast', 'max_plots', '2']);

      const show = JSON.parse((await goplot(home, ['job', 'show', 'fast', '--json'])).stdout) as {
        values: { name: string; value: string; source: string }[];
      };
      const byName = Object.fromEntries(show.values.map((row) => [row.name, [row.value, row.source]]));
      assert.deepEqual(byName.threads, ['6', 'job']);
      assert.deepEqual(byName.k, ['25', 'global']);
      assert.deepEqual(byName.dest_farms, ['farm2', 'job']);
      assert.deepEqual(byName.max_plots, ['2', 'job']);
      assert.deepEqual(byName.max_phase1, ['(none of its own)', 'global limit only']);

      const tractor = await runScript(home, 'scripts/tractor.js', ['--job', 'fast', '--dry-run'], { env: simEnv(1) });
      assert.equal(tractor.exitCode, 0, tractor.stderr);
      assert.match(tractor.stdout, /^job: {9}fast\nindex: {7}1\nfarm: {8}farm2\n/);
      assert.match(tractor.stdout, / -r 6 /);
      const list = await goplot(home, ['job', 'list']);
      assert.equal(list.exitCode, 0, list.stderr);
      assert.match(list.stdout, /^job +on_toggle +plotter +k +temp_root +dest_farms +running$/m);
      assert.match(list.stdout, new RegExp(`^fast +run +chia +25 +${home.tempRoot} +farm2 +0$`, 'm'));
    },
  );
});
