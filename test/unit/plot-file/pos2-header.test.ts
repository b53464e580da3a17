import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { buildPos2Plot } from '../../../lib/plot-file/build-plot-header.js';
import { HEADER_READ_BYTES, parsePlotHeader } from '../../../lib/plot-file/plot-header.js';
import { readPlotFile, readPlotFileSync, type PlotFileFacts } from '../../../lib/plot-file/read-plot-file.js';
import { makeTempHome } from '../../helpers/temp-home.js';

const SAMPLE = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'plot-headers', 'pos2-k18-s2-i7-m33.plot2');
const SAMPLE_ID = '0123456789abcdef'.repeat(4);
const home = makeTempHome('goplot-pos2-');
after(() => home.cleanup());

function refusal(facts: PlotFileFacts): { problem: string; message: string; pos?: 1 | 2 } {
  assert.equal(facts.ok, false, `expected ${facts.path} to be refused`);
  if (facts.ok) throw new Error('unreachable');
  return facts.pos === undefined
    ? { problem: facts.problem, message: facts.message }
    : { problem: facts.problem, message: facts.message, pos: facts.pos };
}

/** A copy of the real sample with `edit` applied, under a name of its own. */
function variant(name: string, edit: (bytes: Buffer) => Buffer): string {
  const file = path.join(home.root, name);
  fs.writeFileSync(file, edit(Buffer.from(fs.readFileSync(SAMPLE))));
  return file;
}

describe("the pos2 header reader on the reference plotter's plot", () => {
  it('reads every field of pos2-k18-s2-i7-m33.plot2 exactly', async () => {
    const facts = await readPlotFile(SAMPLE);
    assert.ok(facts.ok, facts.ok ? '' : facts.message);
    assert.deepEqual(facts.header, {
      pos: 2,
      format: 'pos2',
      plotId: SAMPLE_ID,
      k: 18,
      compression: 0,
      kind: 'pool',
      memoBytes: 112,
      headerBytes: 195,
      pos2: { formatVersion: 1, strength: 2, plotIndex: 7, metaGroup: 33, chunkCount: 4 },
    });
    assert.equal(facts.sizeBytes, 638_669);
    assert.deepEqual(facts.nameMismatches, []);
  });

  it('reads the same facts synchronously', () => {
    const facts = readPlotFileSync(SAMPLE);
    assert.ok(facts.ok);
    assert.equal(facts.header.pos2?.metaGroup, 33);
  });

  it('names a plot cut inside its chunks as truncated or half-copied, with the chunk and the size', async () => {
    const file = variant('cut.plot2', (bytes) => bytes.subarray(0, 300_000));
    assert.deepEqual(refusal(await readPlotFile(file)), {
      problem: 'truncated',
      message: 'truncated or half-copied: pos2 chunk 2 starts at byte 319157, the file has 300000',
      pos: 2,
    });
  });

  it('names a plot cut inside its chunk offsets as truncated', async () => {
    const file = variant('cut-offsets.plot2', (bytes) => bytes.subarray(0, 180));
    assert.deepEqual(refusal(await readPlotFile(file)), {
      problem: 'truncated',
      message: 'truncated: pos2 chunk offsets need bytes 163..195, file has 180',
      pos: 2,
    });
  });

  it('never reports the header cut anywhere as valid', () => {
    const bytes = fs.readFileSync(SAMPLE);
    for (let length = 0; length < 195; length++) {
      const parsed = parsePlotHeader(bytes.subarray(0, length), { fileBytes: length });
      assert.equal(parsed.ok, false, `cut at ${length}`);
      if (!parsed.ok) assert.equal(parsed.problem, 'truncated', `cut at ${length}: ${parsed.message}`);
    }
  });

  it('refuses chunk offsets that do not ascend, naming both chunks', async () => {
    const file = variant('unordered.plot2', (bytes) => {
      bytes.writeBigUInt64LE(bytes.readBigUInt64LE(163 + 8), 163 + 16);
      return bytes;
    });
    const facts = refusal(await readPlotFile(file));
    assert.equal(facts.problem, 'invalid');
    assert.match(facts.message, /^pos2 chunk 2 starts at byte \d+, not after chunk 1 \(byte \d+\)$/);
  });

  it('refuses a first chunk inside the header', async () => {
    const file = variant('overlap.plot2', (bytes) => {
      bytes.writeBigUInt64LE(100n, 163);
      return bytes;
    });
    assert.deepEqual(refusal(await readPlotFile(file)), {
      problem: 'invalid',
      message: 'pos2 chunk 0 starts at byte 100, not after the header (195 bytes)',
      pos: 2,
    });
  });

  it('refuses a corrupt chunk count and a bad k', () => {
    const count = Buffer.from(fs.readFileSync(SAMPLE));
    count.writeBigUInt64LE(2n ** 40n, 155);
    const parsedCount = parsePlotHeader(count);
    assert.deepEqual(
      parsedCount.ok ? 'read' : parsedCount.message,
      'pos2 chunk count 1099511627776 is outside 1..16777216',
    );
    const k = Buffer.from(fs.readFileSync(SAMPLE));
    k[37] = 7;
    const parsedK = parsePlotHeader(k);
    assert.deepEqual(parsedK.ok ? 'read' : parsedK.message, 'k 7 is outside 18..50');
  });

  it('names an unknown format version as pos2 not read, not as an error', async () => {
    const file = variant('future.plot2', (bytes) => {
      bytes[4] = 3;
      return bytes;
    });
    assert.deepEqual(refusal(await readPlotFile(file)), {
      problem: 'unsupported',
      message: 'pos2, version 3, not read',
      pos: 2,
    });
  });

  it('counts a .gplot plot group file by its size without reading it', async () => {
    const file = path.join(home.root, 'group.gplot');
    fs.writeFileSync(file, 'not published yet');
    const facts = await readPlotFile(file);
    assert.deepEqual(refusal(facts), {
      problem: 'group',
      message: 'pos2 plot group file: format not published yet, counted by its size',
      pos: 2,
    });
    assert.equal(facts.ok ? 0 : facts.stat?.sizeBytes, 17);
  });
});

describe('the pos2 plot builder', () => {
  it("writes the reference plotter's header bytes for the same fields", () => {
    const real = fs.readFileSync(SAMPLE);
    const offsets = [0, 1, 2, 3].map((chunk) => Number(real.readBigUInt64LE(163 + 8 * chunk)));
    const built = buildPos2Plot({
      plotId: SAMPLE_ID,
      k: 18,
      strength: 2,
      plotIndex: 7,
      metaGroup: 33,
      memo: 'zero',
      chunkCount: 4,
      chunkBytes: 1000,
    });
    assert.ok(built.header.subarray(0, 163).equals(real.subarray(0, 163)));
    assert.equal(built.header.length, 195);
    assert.equal(offsets[0], 195);
    assert.equal(built.fileBytes, 195 + 4000);
  });

  it('round-trips solo and pool memos and a k 28 plot whose last chunk offset lies past the first read', async () => {
    for (const memo of ['solo', 'pool'] as const) {
      const plotId = 'ef'.repeat(32);
      const built = buildPos2Plot({
        plotId,
        k: 28,
        strength: 5,
        plotIndex: 127,
        metaGroup: 200,
        memo,
        chunkCount: 4096,
        chunkBytes: 240_000,
      });
      assert.ok(built.header.length > HEADER_READ_BYTES);
      const file = path.join(home.root, `plot-k28-${plotId}-${memo}.plot2`);
      fs.writeFileSync(file, built.header);
      fs.truncateSync(file, built.fileBytes);
      const facts = await readPlotFile(file);
      assert.ok(facts.ok, facts.ok ? '' : facts.message);
      assert.deepEqual(
        [facts.header.kind, facts.header.k, facts.header.pos2?.strength, facts.header.pos2?.plotIndex],
        [memo, 28, 5, 127],
      );
      fs.truncateSync(file, built.fileBytes - 240_000);
      assert.deepEqual(refusal(await readPlotFile(file)), {
        problem: 'truncated',
        message: `truncated or half-copied: pos2 chunk 4095 starts at byte ${built.fileBytes - 240_000}, the file has ${built.fileBytes - 240_000}`,
        pos: 2,
      });
    }
  });
});
