import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { checkPlotFile, judgeHeader } from '../../../lib/archive/plot-check.js';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';

const fixture = (name: string) => fs.readFileSync(path.join(PACKAGE_ROOT, 'test', 'fixtures', 'plot-headers', name));

describe("plot check (the archiver's gate: lib/plot-file's header reader and chia's size rule)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-plotcheck-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts v1 solo, v1 pool and v2 compressed headers at their size', () => {
    for (const name of ['v1-og-k32.plot', 'v1-pool-k32.plot', 'v2-og-k32-c07.plot']) {
      const head = fixture(name);
      // the header alone is far too small for a finished k32 at level 0; compressed plots have no such rule
      const big = 110 * 1024 ** 3;
      const judged = judgeHeader(head, big);
      assert.equal(judged.ok, true, `${name}: ${JSON.stringify(judged)}`);
      assert.equal(judged.ok && judged.k, 32);
    }
  });

  it('refuses a bad magic, a truncated header and a k32 too small to be finished', () => {
    assert.deepEqual(judgeHeader(fixture('bad-magic-v1-og-k32.plot'), 268), {
      ok: false,
      problem: 'not a plot: bad magic 0000000000000000',
    });
    assert.deepEqual(judgeHeader(fixture('truncated-v1-og-k32-150of268.plot'), 150), {
      ok: false,
      problem: 'truncated: memo needs bytes 60..188, file has 150',
    });
    assert.deepEqual(judgeHeader(fixture('v1-og-k32.plot'), 1_000_000), {
      ok: false,
      problem: '1000000 bytes is too small for a finished k32 plot (still being written?)',
    });
    assert.equal(judgeHeader(fixture('v2-og-k32-c07.plot'), 336).ok, true, 'level 7: no size rule, as in chia');
  });

  it('reads the file it is given', () => {
    const file = path.join(dir, 'x.plot');
    fs.writeFileSync(file, Buffer.alloc(4096));
    assert.deepEqual(checkPlotFile(file), { ok: false, problem: 'not a plot: bad magic 0000000000000000' });
    assert.deepEqual(checkPlotFile(path.join(dir, 'missing.plot')), {
      ok: false,
      problem: 'cannot be opened (ENOENT)',
    });
  });
});
