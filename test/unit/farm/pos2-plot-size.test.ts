import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { plotCommittedKiB, pos2GroupKiB, pos2PlotBytes, POS2_SIZE_TABLE } from '../../../lib/farm/plot-size.js';

const GIB = 1024 ** 3;

describe('the size of a pos2 plot', () => {
  it("is the reference plotter's own size at k18, as its plot fixture is", () => {
    const fixture = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'plot-headers', 'pos2-k18-s2-i7-m33.plot2');
    assert.equal(pos2PlotBytes(18), fs.statSync(fixture).size);
  });

  it('is 2^k entries of about k + 1.46 bits: about 0.92 GiB at k28, as chia says', () => {
    assert.equal(pos2PlotBytes(28), Math.round((2 ** 28 * 29.46) / 8));
    assert.equal((pos2PlotBytes(28) / GIB).toFixed(2), '0.92');
  });

  it('grows about fourfold each step of two in k through the table', () => {
    for (let i = 1; i < POS2_SIZE_TABLE.length; i++) {
      const ratio = POS2_SIZE_TABLE[i]!.bytes / POS2_SIZE_TABLE[i - 1]!.bytes;
      assert.ok(ratio > 4 && ratio < 4.6, `k${POS2_SIZE_TABLE[i]!.k}: ${ratio}`);
    }
  });

  it("makes a group's room group_size plots and a 1 % margin: 128 k28 plots about 119 GiB", () => {
    assert.equal(pos2GroupKiB(28, 128), Math.ceil((pos2PlotBytes(28) * 128 * 1.01) / 1024));
    assert.equal(Math.round((pos2GroupKiB(28, 128) * 1024) / GIB), 119);
  });

  it("takes a running group's own committed room over one plot's final size", () => {
    assert.equal(plotCommittedKiB({ k: 18, compression: 0, committedKiB: 1234 }), 1234);
    assert.ok(plotCommittedKiB({ k: 32, compression: 0 }) > 100 * 1024 * 1024);
  });
});
