import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHIA_PHASEOUT,
  heightWeightBelow,
  heightWeightZero,
  plotEffectiveBytes,
  pos1Weight,
  pos2Weight,
} from '../../../lib/migrate/phaseout.js';

/** Equal to a thousandth of a byte: the products are floating point. */
function near(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-3, `${actual} is not ${expected}`);
}

// By hand, with F = 9,562,000 and E = 4,608: c = max(0, floor((F + 255 E - h) / E)), weight c/256.
// A pos1 k32 plot: (2*32 + 1) * 2^31 * 0.78 = 65 * 2,147,483,648 * 0.78 = 108,877,420,953.6 bytes.
// A pos2 k28 plot: 1,717,986,918 * 0.78 = 1,340,029,796.04 bytes; k18 is 1/1024 of it, 1,308,622.8476953125.
const cases = [
  // height, what it is, pos1 weight, pos1 k32 effective bytes, pos2 weight
  [9_561_999, 'the block before the fork', 1, 108_877_420_953.6, 0],
  [9_562_000, 'the fork height (c = 255)', 0.99609375, 108_452_118_528.0, 1],
  [9_562_001, 'the block after the fork (c = floor(1,175,039 / 4,608) = 254)', 0.9921875, 108_026_816_102.4, 1],
  [9_566_608, 'F + E (c = 254)', 0.9921875, 108_026_816_102.4, 1],
  [9_566_609, 'F + E + 1 (c = 253)', 0.98828125, 107_601_513_676.8, 1],
  [10_147_216, 'mid-way, F + 127 E (c = 128)', 0.5, 54_438_710_476.8, 1],
  [10_147_217, 'mid-way, F + 127 E + 1 (c = 127)', 0.49609375, 54_013_408_051.2, 1],
  [10_732_432, 'the last epoch, F + 254 E (c = 1)', 0.00390625, 425_302_425.6, 1],
  [10_732_433, 'F + 254 E + 1 (c = 0)', 0, 0, 1],
  [10_737_040, 'F + 255 E, where chia refuses every pos1 proof', 0, 0, 1],
  [12_000_000, 'long after', 0, 0, 1],
] as const;

describe('the pos1 phase-out by chain height, with chia’s values', () => {
  for (const [height, what, weight, k32Bytes, pos2] of cases) {
    it(`at ${height}, ${what}, a pos1 plot weighs ${weight} and a k32 counts ${k32Bytes} bytes`, () => {
      assert.equal(pos1Weight(height, CHIA_PHASEOUT), weight);
      near(plotEffectiveBytes(1, 32) * pos1Weight(height, CHIA_PHASEOUT), k32Bytes);
      assert.equal(pos2Weight(height, CHIA_PHASEOUT), pos2);
      near(plotEffectiveBytes(2, 28) * pos2Weight(height, CHIA_PHASEOUT), pos2 * 1_340_029_796.04);
    });
  }

  it('counts a pos2 plot by chia’s k28 table, scaled by 2^(k-28) for the test sizes, and a k33 pos1 plot by the formula', () => {
    near(plotEffectiveBytes(2, 28), 1_340_029_796.04);
    near(plotEffectiveBytes(2, 18), 1_308_622.8476953125);
    // (2*33 + 1) * 2^32 * 0.78 = 67 * 4,294,967,296 * 0.78
    near(plotEffectiveBytes(1, 33), 224_454_990_888.96);
  });

  it('finds the first height under a target weight and the first of weight 0', () => {
    // under 0.5: c <= 127, first at F + (255 - 127 - 1) E + 1 = 9,562,000 + 585,216 + 1
    assert.equal(heightWeightBelow(0.5, CHIA_PHASEOUT), 10_147_217);
    // under 0.3: c <= 76 (76/256 = 0.297), first at F + 178 E + 1 = 9,562,000 + 820,224 + 1
    assert.equal(heightWeightBelow(0.3, CHIA_PHASEOUT), 10_382_225);
    // any target above 255/256 is missed at the fork itself
    assert.equal(heightWeightBelow(1, CHIA_PHASEOUT), 9_562_000);
    assert.equal(heightWeightZero(CHIA_PHASEOUT), 10_732_433);
  });

  it('follows other values: a fork at 1,000, epochs of 10 blocks, 3 epochs (steps of 1/4)', () => {
    const small = { forkHeight: 1000, epochBlocks: 10, phaseoutEpochs: 3 };
    assert.deepEqual(
      [999, 1000, 1009, 1010, 1020, 1021, 1030].map((h) => pos1Weight(h, small)),
      [1, 0.75, 0.5, 0.5, 0.25, 0, 0],
    );
    assert.equal(heightWeightZero(small), 1021);
    assert.equal(heightWeightBelow(0.5, small), 1011);
  });
});
