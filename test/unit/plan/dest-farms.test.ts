import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { chooseDestination } from '../../../lib/plan/choose-destination.js';
import { committedKiB } from '../../../lib/farm/plot-size.js';
import { makeDisks, makeTempHome } from '../../helpers/temp-home.js';

describe('dest_farms (a staging farm the archiver empties)', () => {
  const home = makeTempHome();
  after(() => home.cleanup());
  makeDisks(home, { farm1: ['disk1'], staging: ['ssd1'] });
  const choose = (onlyFarms: string[], lastFarm = '0') =>
    chooseDestination({
      paths: home,
      farmRoot: home.farmRoot,
      lastFarm,
      requireMount: false,
      mounts: new Set(),
      spaceMethod: 'statfs',
      plotKiB: committedKiB(18, 0),
      onlyFarms,
    });

  test('only the named farms are filled, whatever the round robin says', async () => {
    for (const lastFarm of ['0', 'farm1', 'staging']) {
      const result = await choose(['staging'], lastFarm);
      assert.ok(result.ok);
      assert.deepEqual([result.choice.farm, result.choice.disk], ['staging', 'ssd1']);
    }
    const all = await choose([], 'staging');
    assert.ok(all.ok);
    assert.equal(all.choice.farm, 'farm1', 'empty: every farm, in turn');
  });

  test('names a dest_farms value that matches no farm', async () => {
    assert.deepEqual(await choose(['ssd']), {
      ok: false,
      message: `no usable disk under ${home.farmRoot}: none of dest_farms (ssd) is there`,
      skipped: [],
      writes: [],
    });
  });
});
