import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { chooseMetaGroup, metaGroupsInUse } from '../../../lib/plan/choose-meta-group.js';
import { buildPos2Plot } from '../../../lib/plot-file/build-plot-header.js';
import type { PlotGroupState } from '../../../lib/farm/plot-groups.js';

/** The meta groups a disk gets when `n` groups are placed on it one after another. */
function placeGroups(n: number): number[] {
  const placed: number[] = [];
  for (let i = 0; i < n; i++) placed.push(chooseMetaGroup(placed));
  return placed;
}

function smallestGap(groups: number[]): number {
  const sorted = [...groups].sort((a, b) => a - b);
  return Math.min(...sorted.slice(1).map((group, i) => group - sorted[i]!));
}

describe('the meta group of a new plot group', () => {
  it('is 0 on an empty disk, then as far as possible from the ones in use', () => {
    assert.deepEqual(placeGroups(4), [0, 255, 127, 191]);
  });

  it('keeps every group on a disk at least 16 from the others while 16 apart is possible (16 groups)', () => {
    const groups = placeGroups(16);
    assert.equal(new Set(groups).size, 16);
    assert.ok(smallestGap(groups) >= 16, `smallest gap ${smallestGap(groups)} in ${groups.join(' ')}`);
  });

  it('spreads as far as possible after that, each group still its own meta group up to 256', () => {
    const groups = placeGroups(256);
    assert.equal(new Set(groups).size, 256);
    // the 17th group can no longer be 16 from all 16 before it: it takes the farthest free one
    const sixteen = placeGroups(16);
    const distance = (group: number) => Math.min(...sixteen.map((other) => Math.abs(other - group)));
    const free = [...Array(256).keys()].filter((group) => !sixteen.includes(group));
    const farthest = Math.max(...free.map(distance));
    assert.ok(farthest < 16);
    assert.equal(distance(chooseMetaGroup(sixteen)), farthest);
  });

  it('reuses the least used meta group once all 256 are taken', () => {
    const inUse = [...Array(256).keys(), ...Array(40).keys()];
    assert.equal(chooseMetaGroup(inUse), 40);
  });

  it('ignores values no meta group can be', () => {
    assert.equal(chooseMetaGroup([-1, 256, 3.5]), 0);
  });
});

describe('the meta groups in use on a disk', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-meta-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function writePlot(dir: string, name: string, metaGroup: number, chunkCount = 4): void {
    const plot = buildPos2Plot({
      plotId: 'cd'.repeat(32),
      k: 18,
      strength: 2,
      plotIndex: 0,
      metaGroup,
      memo: 'pool',
      chunkCount,
      chunkBytes: 1000,
    });
    fs.writeFileSync(path.join(dir, name), plot.header);
    fs.truncateSync(path.join(dir, name), plot.fileBytes);
  }

  it("are read from the headers of the disk's .plot2 files and from the groups running into it", () => {
    const plots = path.join(root, 'd1', 'plots');
    fs.mkdirSync(plots, { recursive: true });
    writePlot(plots, 'plot-k18-a.plot2', 33);
    writePlot(plots, 'plot-k18-b.plot2', 33);
    writePlot(plots, 'plot-k18-c.plot2', 200);
    // a pos1 plot, a cut pos2 plot and a file of another kind say nothing
    fs.writeFileSync(path.join(plots, 'plot-k32-old.plot'), Buffer.alloc(600));
    fs.writeFileSync(
      path.join(plots, 'plot-k18-cut.plot2'),
      buildPos2Plot({
        plotId: 'ef'.repeat(32),
        k: 18,
        strength: 2,
        plotIndex: 0,
        metaGroup: 99,
        memo: 'pool',
        chunkCount: 4,
        chunkBytes: 1000,
      }).header,
    );
    fs.writeFileSync(path.join(plots, 'notes.txt'), 'meta group 7');
    const running = [
      { plotsDir: plots, metaGroup: 120 },
      { plotsDir: path.join(root, 'd2', 'plots'), metaGroup: 5 },
      { plotsDir: plots, metaGroup: null },
    ] as PlotGroupState[];
    assert.deepEqual(
      [...metaGroupsInUse(plots, running)].sort((a, b) => a - b),
      [33, 120, 200],
    );
  });

  it('are none for a disk whose plots/ cannot be read', () => {
    assert.deepEqual([...metaGroupsInUse(path.join(root, 'missing', 'plots'), [])], []);
  });
});
