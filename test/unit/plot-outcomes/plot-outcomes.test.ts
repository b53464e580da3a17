import assert from 'node:assert/strict';
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveHome } from '../../../lib/config/home.js';
import {
  addPlotOutcome,
  emptyPlotOutcomes,
  PLOT_DURATION_BUCKETS,
  plotOutcomesPath,
  readPlotOutcomes,
  recordPlotOutcome,
} from '../../../lib/plot-outcomes/plot-outcomes.js';
import { builtScript } from '../../helpers/temp-home.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-outcomes-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let homes = 0;
const freshHome = () => resolveHome({ home: path.join(root, `home${++homes}`) });

describe('plot outcomes', () => {
  it('counts finished plots into cumulative buckets, phase sums and counts, failed ones only as failed, per job and plotter', () => {
    const empty = emptyPlotOutcomes();
    let outcomes = addPlotOutcome(empty, {
      job: 'default',
      plotter: 'chia',
      outcome: 'finished',
      seconds: 700,
      phaseSeconds: [100, 200, 300, null],
    });
    outcomes = addPlotOutcome(outcomes, {
      job: 'default',
      plotter: 'chia',
      outcome: 'finished',
      seconds: 3600,
      phaseSeconds: [1000, 800, 1500, 300],
    });
    outcomes = addPlotOutcome(outcomes, { job: 'default', plotter: 'chia', outcome: 'failed', seconds: 50 });
    outcomes = addPlotOutcome(outcomes, { job: 'default', plotter: 'madmax', outcome: 'failed', seconds: 10 });
    assert.deepEqual(empty.series, [], 'the outcomes given are left as they were');
    const chia = outcomes.series[0]!;
    assert.deepEqual(
      { ...chia, durationBuckets: undefined },
      {
        job: 'default',
        plotter: 'chia',
        finished: 2,
        failed: 1,
        durationBuckets: undefined,
        durationSum: 4300,
        phaseSums: [1100, 1000, 1800, 300],
        phaseCounts: [2, 2, 2, 1],
      },
    );
    // 700 s: from the 1200 s bucket on; 3600 s: from the 3600 s bucket on
    assert.deepEqual(
      chia.durationBuckets,
      PLOT_DURATION_BUCKETS.map((bound) => (bound >= 3600 ? 2 : bound >= 700 ? 1 : 0)),
    );
    assert.deepEqual(
      outcomes.series.map(({ plotter, finished, failed }) => [plotter, finished, failed]),
      [
        ['chia', 2, 1],
        ['madmax', 0, 1],
      ],
    );
  });

  it('reads no file as no plots yet, and names the file and its start when it is not an outcomes file', () => {
    const paths = freshHome();
    assert.deepEqual(readPlotOutcomes(paths), emptyPlotOutcomes());
    fs.mkdirSync(path.dirname(plotOutcomesPath(paths)), { recursive: true });
    fs.writeFileSync(plotOutcomesPath(paths), 'finished=3\n');
    assert.throws(() => readPlotOutcomes(paths), { message: `${plotOutcomesPath(paths)}: not JSON ("finished=3\\n")` });
    fs.writeFileSync(
      plotOutcomesPath(paths),
      '{"version":1,"buckets":[60],"series":[{"job":"default","plotter":"chia","finished":-1}]}',
    );
    assert.throws(
      () => readPlotOutcomes(paths),
      /: not a plot outcomes file \("\{\\"version\\":1,\\"buckets\\":\[60\],\\"series\\":\[\{\\""\)$/,
    );
  });

  it('sets a bad file aside, says so, and counts afresh', async () => {
    const paths = freshHome();
    const file = plotOutcomesPath(paths);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'garbage');
    const problem = await recordPlotOutcome(
      paths,
      { job: 'default', plotter: 'chia', outcome: 'failed', seconds: 5 },
      () => 1_800_000_000_000,
    );
    assert.equal(
      problem,
      `${file}: not JSON ("garbage"); moved it to ${file}.bad-1800000000 and started counting plot outcomes again`,
    );
    assert.equal(fs.readFileSync(`${file}.bad-1800000000`, 'utf8'), 'garbage');
    assert.deepEqual(
      readPlotOutcomes(paths).series.map(({ finished, failed }) => [finished, failed]),
      [[0, 1]],
    );
  });

  it(
    'loses no count when tractors in separate processes end their plots at once (the state lock)',
    { timeout: 120_000 },
    async () => {
      const paths = freshHome();
      const module = builtScript('lib/plot-outcomes/plot-outcomes.js');
      const script = `const { recordPlotOutcome } = await import(${JSON.stringify(module)});
      for (let i = 0; i < 5; i++) await recordPlotOutcome({ home: ${JSON.stringify(paths.home)}, configDir: ${JSON.stringify(paths.configDir)} },
        { job: 'default', plotter: 'chia', outcome: i % 2 ? 'failed' : 'finished', seconds: 100 }, Date.now);`;
      const runs = await Promise.all(
        Array.from({ length: 8 }, () =>
          execa('node', ['--input-type=module', '-e', script], { reject: false, timeout: 100_000 }),
        ),
      );
      for (const run of runs) assert.equal(run.exitCode, 0, String(run.stderr));
      assert.deepEqual(
        readPlotOutcomes(paths).series.map(({ finished, failed }) => [finished, failed]),
        [[24, 16]],
      );
      assert.equal(readPlotOutcomes(paths).series[0]!.durationSum, 2400);
    },
  );
});
