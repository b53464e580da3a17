import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { xchplot2ProgressLine } from '../../../lib/sim/pos2-sim.js';
import { readXchplot2Progress } from '../../../lib/tractor/run-group-plotter.js';

const FIXTURE = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'plot-logs', 'xchplot2-progress-format.log');
const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);

function logOf(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-xchplot2-'));
  const file = path.join(dir, 'plot.1.log');
  fs.writeFileSync(file, text);
  return file;
}

describe("xchplot2's progress lines", () => {
  it('gives nothing before the first line, or for a log that is not there', () => {
    assert.equal(readXchplot2Progress(logOf('goplot job: default\n')), null);
    assert.equal(readXchplot2Progress('/nonexistent/plot.1.log'), null);
  });

  it('takes the last line: plots done of how many, its average and its ETA, a FAILED line between', () => {
    assert.deepEqual(readXchplot2Progress(logOf(`${lines.slice(0, 3).join('\n')}\n`)), {
      done: 2,
      total: 4,
      secondsPerPlot: 9.61,
      etaSeconds: 19,
    });
  });

  it('reads every device prefix and ETAs over an hour (printed as minutes)', () => {
    assert.deepEqual(readXchplot2Progress(logOf(`${lines[3]}\n`)), {
      done: 3,
      total: 128,
      secondsPerPlot: 12.07,
      etaSeconds: 25 * 60 + 9,
    });
    assert.deepEqual(readXchplot2Progress(logOf(`${lines.join('\n')}\n`)), {
      done: 4,
      total: 128,
      secondsPerPlot: 131.5,
      etaSeconds: 271 * 60 + 46,
    });
  });

  it('is what the simulated plotter prints, in the fixture format', () => {
    assert.equal(xchplot2ProgressLine(2, 4, 19.22), `${lines[1]}\n`);
    assert.equal(xchplot2ProgressLine(4, 128, 526), `${lines[4]!.replace('[batch:cpu]', '[batch]')}\n`);
  });

  it('ignores a line still being written', () => {
    const file = logOf(`${lines[0]}\n${lines[1]!.slice(0, 30)}`);
    assert.equal(readXchplot2Progress(file)?.done, 1);
  });
});
