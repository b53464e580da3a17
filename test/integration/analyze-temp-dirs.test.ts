import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { bladebitDiskWithDf } from '../helpers/fake-df.js';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { runScript } from '../helpers/temp-home.js';

const { farm } = simFarmsOfThisFile();

describe('goplot analyze by temp dir', () => {
  it('counts bladebit diskplots under the temp dir they ran in, not under each plot folder the tractor made in it', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const env = simEnv(0.3, bladebitDiskWithDf(home));
    for (const index of [1, 2, 3]) {
      const plot = await runScript(home, 'scripts/tractor.js', [], { env });
      assert.equal(plot.exitCode, 0, `plot ${index}: ${plot.stderr}`);
    }
    const analyze = await runScript(home, 'scripts/goplot-cli.js', ['analyze', '--json']);
    assert.equal(analyze.exitCode, 0, analyze.stderr);
    const result = JSON.parse(analyze.stdout) as { byTempDir: { key: string; plots: number }[] };
    assert.deepEqual(
      result.byTempDir.map((group) => [group.key, group.plots]),
      [[path.join(home.tempRoot, '1'), 3]],
    );
  });
});
