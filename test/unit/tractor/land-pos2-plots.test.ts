import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildPos2Plot } from '../../../lib/plot-file/build-plot-header.js';
import { landFinishedPlots, startLandingWatch } from '../../../lib/tractor/land-pos2-plots.js';

/** A whole k18 pos2 plot of this meta group in dir, under chia's v2 name. */
function plot(dir: string, metaGroup: number, plotIndex: number): string {
  const plotId = crypto.randomBytes(32).toString('hex');
  const built = buildPos2Plot({
    plotId,
    k: 18,
    strength: 2,
    plotIndex,
    metaGroup,
    memo: 'solo',
    chunkCount: 4,
    chunkBytes: 1000,
  });
  const file = path.join(dir, `plot-k18-${plotId}.plot2`);
  fs.writeFileSync(file, built.header);
  fs.truncateSync(file, built.fileBytes);
  return file;
}

describe('landing the plots of a pos2 group', () => {
  it("counts its own plots in plots/ and never another group's on the same disk (another meta group)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-land-'));
    const plotsDir = path.join(root, 'plots');
    const tempDir = path.join(root, 'temp');
    fs.mkdirSync(plotsDir);
    fs.mkdirSync(tempDir);
    const before = plot(plotsDir, 16, 0);
    const watch = startLandingWatch({ plotsDir, tempDir, k: 18 });
    const mine = [plot(plotsDir, 16, 1), plot(plotsDir, 16, 2)];
    const theirs = [plot(plotsDir, 48, 0), plot(plotsDir, 48, 1)];
    const landed = landFinishedPlots(watch, true, 16).map((entry) => entry.file);
    assert.deepEqual(landed.sort(), mine.sort());
    assert.ok(!landed.includes(before));
    // the other group's plots are passed over for good, its later ones too
    theirs.push(plot(plotsDir, 48, 2));
    assert.deepEqual(landFinishedPlots(watch, true, 16), []);
    // until the meta group is known, any pos2 plot of the k is taken for the group's
    const open = startLandingWatch({ plotsDir, tempDir, k: 18 });
    const next = plot(plotsDir, 48, 3);
    assert.deepEqual(
      landFinishedPlots(open, true, null).map((entry) => entry.file),
      [next],
    );
    fs.rmSync(root, { recursive: true, force: true });
  });
});
