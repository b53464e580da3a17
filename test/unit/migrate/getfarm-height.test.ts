import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { GETFARM_HEIGHT_MAX_AGE_MS, readGetfarmHeight } from '../../../lib/migrate/getfarm-height.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const GOOD = 'farm_fullnode_peak_height 9700000\ngetfarm_collector_success 1\n';

/** A prom dir whose getfarm.prom holds text and was written at mtimeMs. */
function promDir(text: string | null, mtimeMs = Date.now()): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-getfarm-height-'));
  dirs.push(dir);
  if (text !== null) {
    const file = path.join(dir, 'getfarm.prom');
    fs.writeFileSync(file, text);
    fs.utimesSync(file, mtimeMs / 1000, mtimeMs / 1000);
  }
  return dir;
}

describe("the farm collector's height from getfarm.prom", () => {
  it('is the peak of a fresh file from a run that worked', () => {
    const now = Date.UTC(2026, 11, 6, 12);
    const read = readGetfarmHeight(promDir(GOOD, now - 60_000), now);
    assert.deepEqual('height' in read && [read.height, read.where.endsWith('written 60 s ago')], [9_700_000, true]);
  });

  it('is refused from a file older than the limit or from the future, by the clock passed in', () => {
    const written = Date.UTC(2026, 11, 6, 12);
    const dir = promDir(GOOD, written);
    for (const now of [written + GETFARM_HEIGHT_MAX_AGE_MS + 1000, written - GETFARM_HEIGHT_MAX_AGE_MS - 1000]) {
      const read = readGetfarmHeight(dir, now);
      assert.ok('problem' in read && /not within 180 s/.test(read.problem), JSON.stringify(read));
    }
  });

  it('is refused, naming the file and the value, when the file is missing, failed or says no single whole height', () => {
    const cases: [string | null, RegExp][] = [
      [null, /cannot read .*getfarm\.prom/],
      ['farm_fullnode_peak_height 9700000\ngetfarm_collector_success 0\n', /getfarm_collector_success 1/],
      ['getfarm_collector_success 1\n', /0 farm_fullnode_peak_height samples/],
      [GOOD + 'farm_fullnode_peak_height 9700001\n', /2 farm_fullnode_peak_height samples/],
      [
        'farm_fullnode_peak_height 9.7e6\ngetfarm_collector_success 1\n',
        /getfarm\.prom: farm_fullnode_peak_height 9\.7e6 is not/,
      ],
      ['farm_fullnode_peak_height -1\ngetfarm_collector_success 1\n', /-1 is not a height/],
      ['farm_fullnode_peak_height{x="1"} 5\ngetfarm_collector_success 1\n', /\{x="1"\} 5 is not a height/],
      ['farm_fullnode_peak_height NaN\ngetfarm_collector_success 1\n', /NaN is not a height/],
    ];
    for (const [text, problem] of cases) {
      const read = readGetfarmHeight(promDir(text), Date.now());
      assert.ok('problem' in read && problem.test(read.problem), `${text}: ${JSON.stringify(read)}`);
    }
  });

  it('does not take farm_fullnode_peak_height_x for the peak', () => {
    const read = readGetfarmHeight(promDir('farm_fullnode_peak_height_x 5\ngetfarm_collector_success 1\n'), Date.now());
    assert.ok('problem' in read && /0 farm_fullnode_peak_height samples/.test(read.problem), JSON.stringify(read));
  });
});
