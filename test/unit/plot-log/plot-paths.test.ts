import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findPlotId } from '../../../lib/plot-file/find-plot-id.js';
import { findPlotName } from '../../../lib/plot-log/plot-paths.js';

const ID = '3c4e2b'.padEnd(64, '0');

describe('plot names in paths and logs', () => {
  it("reads bladebit's padded level and Gigahorse's unpadded one (c7, c31) alike", () => {
    for (const [name, level] of [
      [`plot-k32-c07-2023-02-26-16-58-${ID}`, 7],
      [`plot-k32-c7-2023-02-26-16-58-${ID}`, 7],
      [`plot-k32-c31-2024-04-23-04-32-${ID}`, 31],
      [`plot-k32-2023-02-26-16-58-${ID}`, null],
    ] as const) {
      const found = findPlotName(`/mnt/farm1/disk1/plots/${name}.plot`);
      assert.deepEqual(
        found && [found.name, found.k, found.compression, found.plotId, found.startedAt.getMinutes()],
        [name, 32, level, ID, name.includes('04-32') ? 32 : 58],
        name,
      );
    }
  });

  it("finds the plot id in a compressing chia_plot's Plot Name line", () => {
    assert.equal(findPlotId(`Plot Name: plot-k32-c5-2023-02-26-16-58-${ID}\n`), ID);
    assert.equal(findPlotId(`Started copy to /mnt/d/plot-k32-c31-2024-04-23-04-32-${ID}.plot\n`), ID);
  });
});
