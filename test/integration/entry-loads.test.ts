import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { recordedRun } from '../helpers/record-loads.js';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import type { TempHome } from '../helpers/temp-home.js';

const { farm } = simFarmsOfThisFile();

/** What a script loads in one run, its TypeScript source unless said (the built entry). */
const loadsOf = (
  home: TempHome,
  script: string,
  args: string[],
  env: Record<string, string> = {},
  from: 'built' | 'source' = 'source',
) => recordedRun(home, script, args, { env, from });

/** goplot's own files a run loaded (not packages, not node's builtins), relative to the package root. */
function ownFiles(loaded: string[]): string[] {
  const root = pathToFileURL(PACKAGE_ROOT).href + '/';
  return loaded
    .filter((url) => url.startsWith(root) && !url.includes('/node_modules/'))
    .map((url) => url.slice(root.length));
}

// what a pos1 plot needs only once it starts, or only with replot on or a pos2 plotter
const NOT_FOR_A_POS1_DRY_RUN =
  /\/lib\/replot\/|\/lib\/plot-log\/|\/lib\/plan\/(pos2-command|choose-meta-group)\.ts$|\/lib\/plot-file\/pos2-headers-in\.ts$|\/lib\/tractor\/(run-group|run-group-plotter|land-pos2-plots|group-landing|replot-guard|conclude-plot|spawn-plotter)\.ts$/;

// what diskhand needs only with a replot rule in force (the room it can make) or a group file (a dead group's sweep)
const NOT_FOR_A_PLAIN_DISKHAND_RUN =
  /\/lib\/plot-file\/(read-plot-file|plot-header|pos2-header|header-checks|header-cache)\.ts$|\/lib\/replot\/(replot-candidates|replot-credit|removal-order)\.ts$|\/lib\/farm\/group-leftovers\.ts$/;

describe('entry scripts load only what their run needs (issue 21 item 7)', () => {
  it('a pos1 tractor --dry-run with replot off loads no replot, pos2 group or plot log code', async () => {
    const home = farm({ farm1: ['disk1'] });
    home.set('replot', 'off');
    const { result, loaded } = await loadsOf(home, 'scripts/tractor.js', ['--dry-run'], simEnv(0.3));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^command: +\S+ plots create -k 25 /m);
    // the hook saw the run: the tractor and its start plan loaded
    assert.ok(
      loaded.some((url) => url.endsWith('/lib/plan/start-plan.ts')),
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
      ['replot/removal-order.ts', 'replot/replot-candidates.ts', 'replot/replot-rule.ts'],
    );
  });

  it("the loop's --help answers before the loop loads: no chokidar, nothing of lib/loop/", async () => {
    const home = farm({ farm1: ['disk1'] });
    const { result, loaded } = await loadsOf(home, 'scripts/goplot.js', ['--help']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^Usage: goplot \[options\]$/m);
    assert.ok(
      loaded.some((url) => url.endsWith('/scripts/goplot.ts')),
      loaded.join('\n'),
    );
    assert.deepEqual(
      loaded.filter((url) => /\/node_modules\/(chokidar|readdirp)\/|\/lib\/loop\//.test(url)),
      [],
    );
  });

  it("the built loop's --help loads no chokidar either: the bundle keeps a lazy part's packages in that part's chunk", async () => {
    const home = farm({ farm1: ['disk1'] });
    const { result, loaded } = await loadsOf(home, 'scripts/goplot.js', ['--help'], {}, 'built');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^Usage: goplot \[options\]$/m);
    assert.ok(
      loaded.some((url) => url.includes('/node_modules/commander/')),
      loaded.join('\n'),
    );
    assert.deepEqual(
      loaded.filter((url) => /\/node_modules\/(chokidar|readdirp)\//.test(url)),
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
      loaded.some((url) => url.endsWith('/lib/diskhand/diskhand.ts')),
      loaded.join('\n'),
    );
    assert.deepEqual(
      loaded.filter((url) => NOT_FOR_A_PLAIN_DISKHAND_RUN.test(url)),
      [],
    );
  });

  // one build of the bundle per entry: the files a run opens are its entry and chunks of its own
  for (const [script, args] of [
    ['collectors/goplot_collector.js', []],
    ['scripts/tractor.js', ['--dry-run']],
    ['scripts/diskhand.js', []],
  ] as const) {
    it(`the built ${script} loads goplot's code from itself and its own chunks only, none of lib/'s modules`, async () => {
      const home = farm({ farm1: ['disk1'] });
      home.set('replot', 'off');
      const { result, loaded } = await loadsOf(home, script, [...args], simEnv(0.3), 'built');
      assert.equal(result.exitCode, 0, result.stderr);
      // the simulated farm's chia is a node script too, and the hook sees its loads as well
      const own = ownFiles(loaded).filter((file) => !/^(scripts\/|lib\/chunks\/scripts-)simplotter\b/.test(file));
      const chunks = `lib/chunks/${script.replace(/\.js$/, '').replace('/', '-')}/`;
      assert.equal(own[0], script);
      assert.deepEqual(
        own.filter((file) => file !== script && !file.startsWith(chunks)),
        [],
      );
    });
  }
});
