import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { naturalSort, nextRoundRobin } from '../../../lib/util/natural-sort.js';

describe('natural order for farms and temp dirs', () => {
  it('puts farm10 after farm9', () => {
    assert.deepEqual(naturalSort(['farm10', 'farm9', 'farm1']), ['farm1', 'farm9', 'farm10']);
  });

  it('goes round after the last one used, and starts at the first for an unknown one', () => {
    assert.deepEqual(nextRoundRobin(['1', '2', '3'], '2'), ['3', '1', '2']);
    assert.deepEqual(nextRoundRobin(['1', '2', '3'], '0'), ['1', '2', '3']);
  });

  it('keeps folders that differ only by case or accent apart, so each gets its turn', () => {
    assert.deepEqual(nextRoundRobin(['farm1', 'Farm1', 'farm2'], 'farm1'), ['Farm1', 'farm2', 'farm1']);
    assert.deepEqual(nextRoundRobin(['farm1', 'Farm1', 'farm2'], 'Farm1'), ['farm2', 'farm1', 'Farm1']);
    assert.deepEqual(nextRoundRobin(['farme', 'farmé'], 'farme'), ['farmé', 'farme']);
  });
});
