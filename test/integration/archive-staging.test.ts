import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { findTractorPids } from '../../lib/farm/find-tractors.js';
import {
  count,
  has,
  makeSchedulingFarm,
  plotLogFile,
  STARTING,
  startLoop,
  stopEverything,
  stopLoop,
} from '../helpers/scheduling.js';
import { logMessages, waitFor, type TempHome } from '../helpers/temp-home.js';

describe('plotting to a staging farm (dest_farms) that the archiver empties', () => {
  let home: TempHome;
  after(() => home?.cleanup());

  it('fills only the dest_farms disks, and the loop waits, saying why, while they are full', async () => {
    home = makeSchedulingFarm(
      { plot_poll: 1, plot_gap: 0, max_plots: 1, dest_farms: 'staging' },
      { farm1: ['disk1'], staging: ['ssd1'] },
      ['1'],
    );
    fs.mkdirSync(path.join(home.disksDir, 'staging'), { recursive: true });
    fs.writeFileSync(path.join(home.disksDir, 'staging', 'ssd1.goplot'), 'full\n');
    const goplot = startLoop(home, 2);
    try {
      const waiting = `not started: no usable disk under ${home.farmRoot}: staging: ssd1 full`;
      await waitFor(`the line "${waiting}"\n${logMessages(home).join('\n')}`, has(home, waiting), 10_000);
      assert.equal(count(home, STARTING), 0, 'farm1/disk1 has room but is not a dest_farms farm');
      assert.deepEqual(findTractorPids(home.home), []);
      // the archiver moved plots away: diskhand (here, by hand) finds room again
      fs.writeFileSync(path.join(home.disksDir, 'staging', 'ssd1.goplot'), '0\n');
      await waitFor(
        `plot 1 on the staging disk\n${logMessages(home).join('\n')}`,
        () => plotLogFile(home, 1) === path.join(home.farmRoot, 'staging', 'ssd1', 'logs', 'plot.1.log'),
        10_000,
      );
      assert.equal(plotLogFile(home, 1), path.join(home.farmRoot, 'staging', 'ssd1', 'logs', 'plot.1.log'));
      assert.equal(await stopLoop(goplot), 0);
    } finally {
      await stopEverything(home, [goplot]);
    }
  });
});
