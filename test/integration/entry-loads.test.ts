import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { recordLoads } from '../helpers/record-loads.js';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { runScript, type TempHome } from '../helpers/temp-home.js';

const { farm } = simFarmsOfThisFile();

/** What a built script loads in one run (a fresh record each time), with its result. */
async function loadsOf(home: TempHome, script: string, args: string[], env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(home.root, 'loads-'));
  const recorder = recordLoads(dir);
  const result = await runScript(home, script, args, { env: { ...env, ...recorder.env } });
  return { result, loaded: recorder.loaded() };
}

// what a pos1 plot needs only once it starts, or only with replot on or a pos2 plotter
const NOT_FOR_A_POS1_DRY_RUN =
  /\/lib\/replot\/|\/lib\/plot-log\/|\/lib\/plan\/(pos2-command|choose-meta-group)\.js$|\/lib\/plot-file\/pos2-headers-in\.js$|\/lib\/tractor\/(run-group|run-group-plotter|land-pos2-plots|group-landing|replot-guard|conclude-plot|spawn-plotter)\.js$/;

// what diskhand needs only with a replot rule in force (the room it can make) or a group file (a dead group's sweep)
const NOT_FOR_A_PLAIN_DISKHAND_RUN =
  /\/lib\/plot-file\/(read-plot-file|plot-header|pos2-header|header-checks|header-cache)\.js$|\/lib\/replot\/(replot-candidates|replot-credit|removal-order)\.js$|\/lib\/farm\/group-leftovers\.js$/;

describe('entry scripts load only what their run needs (issue 21 item 7)', () => {
  it('a pos1 tractor --dry-run with replot off loads no replot, pos2 group or plot log code', async () => {
    const home = farm({ farm1: ['disk1'] });
    home.set('replot', 'off');
    const { result, loaded } = await loadsOf(home, 'scripts/tractor.js', ['--dry-run'], simEnv(0.3));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^command: +\S+ plots create -k 25 /m);
    // the hook saw the run: the tractor and its start plan loaded
    assert.ok(
      loaded.some((url) => url.endsWith('/lib/plan/start-plan.js')),
      loaded.join('\n'),
    );
    assert.deepEqual(
      loaded.filter((url) => NOT_FOR_A_POS1_DRY_RUN.test(url)),
      [],
    );
  });

  it("with replot on, the dry run loads replot's candidates: the room it can make counts in the disk choice", async () => {
    const home = farm({ farm1: ['disk1'] });
    home.set('replot', 'on');
    home.set('replot_match', 'kind=solo');
    const { result, loaded } = await loadsOf(home, 'scripts/tractor.js', ['--dry-run'], simEnv(0.3));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(
      loaded
        .filter((url) => /\/lib\/replot\//.test(url))
        .map((url) => url.replace(/^.*\/lib\//, ''))
        .sort(),
      ['replot/removal-order.js', 'replot/replot-candidates.js', 'replot/replot-rule.js'],
    );
  });

  it("the loop's --help answers before the loop loads: no chokidar, nothing of lib/loop/", async () => {
    const home = farm({ farm1: ['disk1'] });
    const { result, loaded } = await loadsOf(home, 'scripts/goplot.js', ['--help']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^Usage: goplot \[options\]$/m);
    assert.ok(
      loaded.some((url) => url.endsWith('/scripts/goplot.js')),
      loaded.join('\n'),
    );
    assert.deepEqual(
      loaded.filter((url) => /\/node_modules\/(chokidar|readdirp)\/|\/lib\/loop\//.test(url)),
      [],
    );
  });

  it("diskhand with replot off and no plot group loads neither the plot header readers nor replot's candidates", async () => {
    const home = farm({ farm1: ['disk1'] });
    home.set('replot', 'off');
    const { result, loaded } = await loadsOf(home, 'scripts/diskhand.js', []);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(home.read('disks/farm1/disk1.goplot'), /^\d+\n$/);
    assert.ok(
      loaded.some((url) => url.endsWith('/lib/diskhand/diskhand.js')),
      loaded.join('\n'),
    );
    assert.deepEqual(
      loaded.filter((url) => NOT_FOR_A_PLAIN_DISKHAND_RUN.test(url)),
      [],
    );
  });
});
