import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { buildPlotHeader } from '../../../lib/plot-file/build-plot-header.js';
import { parsePlotFileName } from '../../../lib/plot-file/plot-file-name.js';
import { parsePlotHeader } from '../../../lib/plot-file/plot-header.js';
import { readPlotFile, type PlotFileFacts } from '../../../lib/plot-file/read-plot-file.js';
import { makeTempHome } from '../../helpers/temp-home.js';

const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'plot-headers');
const home = makeTempHome('goplot-plotfile-');
after(() => home.cleanup());

/** Expected fields as SOURCES.md lists them for each valid sample. */
const VALID = [
  {
    file: 'v1-og-k32.plot',
    pos: 1,
    format: 'v1',
    k: 32,
    compression: 0,
    kind: 'solo',
    memoBytes: 128,
    headerBytes: 268,
    plotId: '94d831e8f78aec5b770ca980369a38ea497cb1c83654f870124131291671c589',
  },
  {
    file: 'v1-pool-k32.plot',
    pos: 1,
    format: 'v1',
    k: 32,
    compression: 0,
    kind: 'pool',
    memoBytes: 112,
    headerBytes: 252,
    plotId: '25ad9d5b2b8db6a99b2e624a9e6d90940bb9878b9ebf85e2e12fbcca60713a82',
  },
  {
    file: 'v1-pool-k33.plot',
    pos: 1,
    format: 'v1',
    k: 33,
    compression: 0,
    kind: 'pool',
    memoBytes: 112,
    headerBytes: 252,
    plotId: 'fab674efb8b2bcd137b013e99abd1fa76176e356dfac1e7d15213895d3f9060b',
  },
  {
    file: 'v2-pool-k32-c05.plot',
    pos: 1,
    format: 'bladebit',
    k: 32,
    compression: 5,
    kind: 'pool',
    memoBytes: 112,
    headerBytes: 320,
    plotId: 'f505df32bbc53a645401b620ced104e92a1ae5251e13a7c0545ea50fdc339441',
  },
  {
    file: 'v2-og-k32-c07.plot',
    pos: 1,
    format: 'bladebit',
    k: 32,
    compression: 7,
    kind: 'solo',
    memoBytes: 128,
    headerBytes: 336,
    plotId: 'e0975994ca1bf3004f86c492554a29d9592ac0e32519a86559ee2bd86e9d62d4',
  },
] as const;

function invalid(facts: PlotFileFacts): { problem: string; message: string } {
  assert.equal(facts.ok, false, `expected ${facts.path} to be refused`);
  if (facts.ok) throw new Error('unreachable');
  return { problem: facts.problem, message: facts.message };
}

describe('the plot header reader on the sample headers', () => {
  for (const sample of VALID) {
    it(`reads ${sample.file}`, async () => {
      const facts = await readPlotFile(path.join(FIXTURES, sample.file));
      assert.ok(facts.ok, facts.ok ? '' : facts.message);
      const { file, ...expected } = sample;
      assert.deepEqual(facts.header, expected);
      assert.equal(facts.sizeBytes, fs.statSync(path.join(FIXTURES, file)).size);
      assert.deepEqual(facts.nameMismatches, []);
    });
  }

  it('refuses the zeroed magic as not a plot', async () => {
    assert.deepEqual(invalid(await readPlotFile(path.join(FIXTURES, 'bad-magic-v1-og-k32.plot'))), {
      problem: 'not-a-plot',
      message: 'not a plot: bad magic 0000000000000000',
    });
  });

  it('refuses the header cut in its memo as truncated, naming the bytes', async () => {
    assert.deepEqual(invalid(await readPlotFile(path.join(FIXTURES, 'truncated-v1-og-k32-150of268.plot'))), {
      problem: 'truncated',
      message: 'truncated: memo needs bytes 60..188, file has 150',
    });
  });
});

describe('the plot header reader on bad files', () => {
  it('reports a missing file, a folder and an empty file as data', async () => {
    assert.deepEqual(invalid(await readPlotFile(path.join(home.root, 'nothing.plot'))), {
      problem: 'unreadable',
      message: 'cannot read: ENOENT',
    });
    fs.mkdirSync(path.join(home.root, 'dir.plot'));
    assert.deepEqual(invalid(await readPlotFile(path.join(home.root, 'dir.plot'))), {
      problem: 'unreadable',
      message: 'not a regular file',
    });
    fs.writeFileSync(path.join(home.root, 'empty.plot'), '');
    assert.deepEqual(invalid(await readPlotFile(path.join(home.root, 'empty.plot'))), {
      problem: 'truncated',
      message: 'truncated: empty file',
    });
  });

  it('refuses a text file, a Gigahorse header, an unknown memo length, a bad k and a future bladebit version', async () => {
    assert.equal(invalid(parsedAsFacts(Buffer.from('hello, this is not a plot file at all'))).problem, 'not-a-plot');
    const v1 = Buffer.from(fs.readFileSync(path.join(FIXTURES, 'v1-og-k32.plot')));
    const gigahorse = Buffer.from(v1);
    gigahorse.write('mmx-', 54, 'ascii');
    assert.deepEqual(invalid(parsedAsFacts(gigahorse)), {
      problem: 'unsupported',
      message: 'Gigahorse plot (format description "mmx-"): closed format, not read',
    });
    const oddMemo = Buffer.from(v1);
    oddMemo.writeUInt16BE(100, 58);
    assert.deepEqual(invalid(parsedAsFacts(oddMemo)), {
      problem: 'invalid',
      message: 'memo length 100 is neither 128 (solo) nor 112 (pool)',
    });
    const badK = Buffer.from(v1);
    badK[51] = 7;
    assert.deepEqual(invalid(parsedAsFacts(badK)), { problem: 'invalid', message: 'k 7 is outside 18..50' });
    const v2 = Buffer.from(fs.readFileSync(path.join(FIXTURES, 'v2-pool-k32-c05.plot')));
    v2.writeUInt32LE(3, 4);
    assert.deepEqual(invalid(parsedAsFacts(v2)), {
      problem: 'unsupported',
      message: 'bladebit "PLOT" header version 3 is not 2',
    });
  });

  it('never reports a header cut anywhere as valid', () => {
    for (const sample of VALID) {
      const bytes = fs.readFileSync(path.join(FIXTURES, sample.file));
      for (let length = 0; length < bytes.length; length++) {
        const parsed = parsePlotHeader(bytes.subarray(0, length));
        assert.equal(parsed.ok, false, `${sample.file} cut at ${length}`);
        if (!parsed.ok) assert.equal(parsed.problem, 'truncated', `${sample.file} cut at ${length}: ${parsed.message}`);
      }
    }
  });

  it('reads only the header of a large file', async () => {
    const file = path.join(
      home.root,
      'plot-k32-c05-2026-11-30-08-00-f505df32bbc53a645401b620ced104e92a1ae5251e13a7c0545ea50fdc339441.plot',
    );
    fs.writeFileSync(file, fs.readFileSync(path.join(FIXTURES, 'v2-pool-k32-c05.plot')));
    fs.truncateSync(file, 87 * 1024 ** 3);
    const facts = await readPlotFile(file);
    assert.ok(facts.ok);
    assert.equal(facts.sizeBytes, 87 * 1024 ** 3);
    assert.deepEqual(facts.nameMismatches, []);
  });
});

describe('the file name cross-check', () => {
  it('parses every plotter naming convention', () => {
    const id = 'ab'.repeat(32);
    assert.deepEqual(parsePlotFileName(`/f/plot-k32-2026-11-30-08-00-${id}.plot`), {
      k: 32,
      compression: undefined,
      plotId: id,
    });
    assert.deepEqual(parsePlotFileName(`plot-k32-c05-2026-11-30-08-00-${id}.plot`), {
      k: 32,
      compression: 5,
      plotId: id,
    });
    assert.deepEqual(parsePlotFileName(`plot-k32-c31-2024-04-23-04-32-${id}.plot`), {
      k: 32,
      compression: 31,
      plotId: id,
    });
    assert.deepEqual(parsePlotFileName(`plot-k33-${id}.plot`), { k: 33, compression: undefined, plotId: id });
    assert.equal(parsePlotFileName('farm.plot'), undefined);
  });

  it('names every disagreement with the header, which wins', async () => {
    const id = '12'.repeat(32);
    const file = path.join(home.root, `plot-k33-c03-2026-11-30-08-00-${'34'.repeat(32)}.plot`);
    fs.writeFileSync(file, buildPlotHeader({ format: 'bladebit', plotId: id, k: 32, compression: 5, kind: 'pool' }));
    const facts = await readPlotFile(file);
    assert.ok(facts.ok);
    assert.equal(facts.header.k, 32);
    assert.deepEqual(facts.nameMismatches, [
      'name says k33, header k32',
      'name says C3, header C5',
      `name says id ${'34'.repeat(32)}, header id ${id}`,
    ]);
  });
});

describe('the header builder', () => {
  it('writes the same bytes as the sample headers apart from the memo keys', () => {
    for (const sample of VALID) {
      const real = fs.readFileSync(path.join(FIXTURES, sample.file));
      const built = buildPlotHeader({
        format: sample.format,
        plotId: sample.plotId,
        k: sample.k,
        compression: sample.compression,
        kind: sample.kind,
      });
      assert.equal(built.length, real.length, sample.file);
      const memoStart = sample.format === 'v1' ? 60 : 43;
      assert.ok(
        built.subarray(0, memoStart).equals(real.subarray(0, memoStart)),
        `${sample.file}: bytes before the memo`,
      );
      const memoEnd = memoStart + sample.memoBytes;
      assert.ok(built.subarray(memoEnd).equals(real.subarray(memoEnd)), `${sample.file}: bytes after the memo`);
    }
  });

  it('writes a Gigahorse plot as the v1 magic, id and k with an mmx- description, which the reader names and goes no further', () => {
    const built = buildPlotHeader({
      format: 'gigahorse',
      plotId: 'ab'.repeat(32),
      k: 32,
      compression: 7,
      kind: 'pool',
    });
    assert.equal(built.subarray(0, 19).toString('ascii'), 'Proof of Space Plot');
    assert.equal(built[51], 32);
    const parsed = parsePlotHeader(built);
    assert.deepEqual(parsed.ok ? 'read' : [parsed.problem, parsed.message], [
      'unsupported',
      'Gigahorse plot (format description "mmx-v3.0"): closed format, not read',
    ]);
  });

  it('round-trips every format, kind and level the plotters make', () => {
    for (const format of ['v1', 'bladebit'] as const) {
      for (const kind of ['solo', 'pool'] as const) {
        for (const compression of format === 'v1' ? [0] : [0, 1, 5, 7, 9]) {
          const plotId = 'cd'.repeat(32);
          const parsed = parsePlotHeader(buildPlotHeader({ format, plotId, k: 32, compression, kind }));
          assert.ok(parsed.ok);
          assert.deepEqual(
            [parsed.header.format, parsed.header.kind, parsed.header.compression, parsed.header.plotId],
            [format, kind, compression, plotId],
          );
        }
      }
    }
  });
});

function parsedAsFacts(bytes: Buffer): PlotFileFacts {
  const parsed = parsePlotHeader(bytes);
  return parsed.ok
    ? { ok: true, path: 'x', sizeBytes: bytes.length, mtimeMs: 0, header: parsed.header, nameMismatches: [] }
    : { ok: false, path: 'x', problem: parsed.problem, message: parsed.message };
}
