import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { committedKiB } from '../../lib/farm/plot-size.js';
import { FAKE_BIN, simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { logMessages, runScript } from '../helpers/temp-home.js';

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
