import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { atLastPhase, followPlotLog, roomMoment } from '../../../lib/replot/final-write-watch.js';
import type { PlotLogInfo } from '../../../lib/plot-log/parse-plot-log.js';
import {
  bladebitRamLog,
  chiaposLog,
  fakePlotId,
  madmaxLog,
  type SyntheticPlot,
} from '../../fixtures/plot-logs/synthetic-logs.js';
import { makeTempHome, waitFor } from '../../helpers/temp-home.js';

const home = makeTempHome('goplot-watch-');
after(() => home.cleanup());

const plot: SyntheticPlot = {
  plotId: fakePlotId(3),
  start: new Date(2026, 0, 1),
  phaseSeconds: [100, 50, 90, 10],
  tempDir: '/plot_temp/1',
  destDir: '/farm/farm1/disk1/plots',
};

describe('the final-write moment', () => {
  it('is before the start for the bladebit plotters that write on the disk while plotting, the last phase for the others', () => {
    assert.deepEqual((['chia', 'madmax', 'bladebit-ram', 'bladebit-disk', 'bladebit-cuda'] as const).map(roomMoment), [
      'last-phase',
      'last-phase',
      'last-phase',
      'before-start',
      'before-start',
    ]);
  });

  for (const [name, lines] of [
    ['chiapos', chiaposLog(plot)],
    ['madmax', madmaxLog(plot)],
    ['bladebit ramplot', bladebitRamLog(plot)],
  ] as const) {
    it(`follows a growing ${name} log and reports the last phase once, not before`, async () => {
      const logFile = path.join(home.root, `${name}.log`);
      fs.writeFileSync(logFile, '');
      const seen: PlotLogInfo[] = [];
      let reached = 0;
      const follow = followPlotLog(
        logFile,
        (info) => {
          seen.push(info);
          if (!atLastPhase(info)) return false;
          reached += 1;
          return true;
        },
        20,
      );
      try {
        // the end of phase 3 is where each plotter's parser enters phase 4
        const phase3End = lines.findIndex((line) => /^(Time for phase 3 =|Phase 3 took|Finished Phase 3)/.test(line));
        assert.ok(phase3End > 0, 'the log has an end of phase 3');
        fs.appendFileSync(logFile, `${lines.slice(0, phase3End).join('\n')}\n`);
        await waitFor('the first lines read', () => seen.length > 0 && seen.at(-1)!.plotId === plot.plotId);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(reached, 0, `not at phase ${seen.at(-1)!.phase} yet`);
        fs.appendFileSync(logFile, `${lines.slice(phase3End).join('\n')}\n`);
        await waitFor('the last phase', () => reached === 1);
        fs.appendFileSync(logFile, 'more\n');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(reached, 1);
      } finally {
        follow.stop();
      }
    });
  }
});
