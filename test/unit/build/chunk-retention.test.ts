import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEEP_BUILDS, KEEP_DAYS, retainChunks, type ChunkBuild } from '../../../build/chunk-retention.js';

const NOW = new Date('2026-12-06T10:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const build = (at: string, ...files: string[]): ChunkBuild => ({ at, files });

describe("a build's chunk retention", () => {
  it('keeps the chunks of the last builds, so a process started from an earlier one finds what it imports later', () => {
    const history = [build(daysAgo(30), 'b.js'), build(daysAgo(60), 'a.js')];
    const result = retainChunks(history, ['c.js'], ['a.js', 'b.js', 'c.js'], NOW);
    assert.deepEqual(result.remove, []);
    assert.deepEqual(
      result.history.map((b) => b.files),
      [['c.js'], ['b.js'], ['a.js']],
    );
  });

  it(`removes a chunk once ${KEEP_BUILDS} newer builds exist and its own is older than ${KEEP_DAYS} days`, () => {
    const history = [
      build(daysAgo(20), 'd.js'),
      build(daysAgo(30), 'c.js'),
      build(daysAgo(40), 'b.js'),
      build(daysAgo(50), 'a.js', 'shared.js'),
    ];
    const result = retainChunks(
      history,
      ['e.js', 'shared.js'],
      ['a.js', 'b.js', 'c.js', 'd.js', 'e.js', 'shared.js'],
      NOW,
    );
    assert.deepEqual(result.remove, ['a.js']);
    assert.deepEqual(
      result.history.map((b) => b.files),
      [['e.js', 'shared.js'], ['d.js'], ['c.js'], ['b.js']],
    );
  });

  it(`keeps every build of the last ${KEEP_DAYS} days, however many there were`, () => {
    const history = [1, 2, 3, 4, 5, 6].map((day) => build(daysAgo(day), `day${day}.js`));
    const present = history.flatMap((b) => b.files).concat('now.js');
    const result = retainChunks(history, ['now.js'], present, NOW);
    assert.deepEqual(result.remove, []);
    assert.equal(result.history.length, 7);
  });

  it('does not count a build that wrote the same chunks as the last one', () => {
    const history = [build(daysAgo(1), 'x.js', 'y.js'), build(daysAgo(90), 'old.js')];
    const result = retainChunks(history, ['y.js', 'x.js'], ['old.js', 'x.js', 'y.js'], NOW);
    assert.deepEqual(result.history, history);
    assert.deepEqual(result.remove, []);
  });

  it('keeps chunks on disk that no recorded build holds as a build made now: a lost history removes nothing', () => {
    const result = retainChunks([], ['new.js'], ['mystery.js', 'new.js'], NOW);
    assert.deepEqual(result.remove, []);
    assert.deepEqual(result.history, [build(NOW.toISOString(), 'new.js'), build(NOW.toISOString(), 'mystery.js')]);
  });
});
