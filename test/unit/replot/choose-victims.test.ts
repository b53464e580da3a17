import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finalPlotBytes } from '../../../lib/farm/plot-size.js';
import type { PlotHeader } from '../../../lib/plot-file/plot-header.js';
import { chooseVictims } from '../../../lib/replot/choose-victims.js';
import { effectivePerByte, inRemovalOrder, type ReplotCandidate } from '../../../lib/replot/removal-order.js';
import { replotSequence } from '../../../lib/replot/replot-sequence.js';

const GIB = 1024 ** 3;

function old(
  name: string,
  o: { k?: number; c?: number; bytes?: number; made?: number; pos?: 1 | 2 } = {},
): ReplotCandidate {
  const header: PlotHeader = {
    pos: o.pos ?? 1,
    format: (o.c ?? 0) > 0 ? 'bladebit' : 'v1',
    plotId: name.padEnd(64, '0'),
    k: o.k ?? 32,
    compression: o.c ?? 0,
    kind: 'solo',
    memoBytes: 128,
    headerBytes: 268,
  };
  return {
    path: `/farm/f1/d1/plots/${name}.plot`,
    header,
    sizeBytes: o.bytes ?? finalPlotBytes(header.k, header.compression),
    mtimeMs: o.made ?? 0,
  };
}

const names = (plots: readonly ReplotCandidate[]) => plots.map((plot) => plot.path.slice(18, -5));

describe('removal order (DESIGN §18)', () => {
  it('costs an uncompressed plot about 1.000 effective byte per byte freed, a C5 plot 1.247 and a C9 plot 1.348', () => {
    // (2k+1) 2^(k-1) 0.78 over the k-sizes table: k32 C0 101.4 GiB, C5 81.3 GiB, C9 75.2 GiB
    const effective = 65 * 2 ** 31 * 0.78;
    assert.equal(effectivePerByte(old('a').header), Math.round((effective / (101.4 * GIB)) * 1000) / 1000);
    assert.equal(effectivePerByte(old('a', { c: 5 }).header), Math.round((effective / (81.3 * GIB)) * 1000) / 1000);
    assert.equal(effectivePerByte(old('a', { c: 5 }).header), 1.247);
    assert.equal(effectivePerByte(old('a', { c: 9 }).header), 1.348);
    assert.equal(effectivePerByte(old('a', { k: 25 }).header), 1);
  });

  it('puts uncompressed plots before compressed ones, whatever their age, then the oldest first, then by name', () => {
    const plots = [
      old('c5-oldest', { c: 5, made: 1 }),
      old('c0-new', { made: 30 }),
      old('c9', { c: 9, made: 2 }),
      old('c0-old-b', { made: 10 }),
      old('c0-old-a', { made: 10 }),
      old('c3', { c: 3, made: 5 }),
    ];
    assert.deepEqual(names([...plots].sort(inRemovalOrder)), [
      'c0-old-a',
      'c0-old-b',
      'c0-new',
      'c3',
      'c5-oldest',
      'c9',
    ]);
  });
});

describe('the fewest plots that free enough', () => {
  it('takes the first in order when it alone frees enough, and nothing when nothing is missing', () => {
    const plots = [old('a'), old('b')];
    assert.deepEqual(names(chooseVictims(plots, 50 * GIB).picked), ['a']);
    assert.deepEqual(chooseVictims(plots, 0), { picked: [], tooSmall: [], fewest: 0 });
  });

  it('passes over a plot too small alone to matter and takes the next', () => {
    const plots = [old('tiny', { k: 25, made: 1 }), old('big', { made: 2 }), old('big2', { made: 3 })];
    const choice = chooseVictims(plots, 90 * GIB);
    assert.deepEqual([names(choice.picked), names(choice.tooSmall), choice.fewest], [['big'], ['tiny'], 1]);
  });

  it('makes room for a whole group with two k32 plots where one would not do', () => {
    // 128 pos2 plots of 0.92 GiB: 117.8 GiB; one k32 C0 plot frees 101.4
    const plots = [
      old('tiny', { k: 25, made: 1 }),
      old('a', { made: 2 }),
      old('b', { made: 3 }),
      old('c', { made: 4 }),
    ];
    const choice = chooseVictims(plots, 128 * 0.92 * GIB);
    assert.deepEqual([names(choice.picked), names(choice.tooSmall), choice.fewest], [['a', 'b'], ['tiny'], 2]);
  });

  it('finds nothing when all together free too little', () => {
    assert.deepEqual(chooseVictims([old('a', { bytes: GIB }), old('b', { bytes: GIB })], 3 * GIB), {
      picked: [],
      tooSmall: [],
      fewest: null,
    });
  });

  it('takes fewer plots before the order: one compressed plot that frees enough goes rather than two uncompressed ones', () => {
    const plots = [old('u1', { bytes: 60 * GIB }), old('u2', { bytes: 60 * GIB }), old('c5', { c: 5 })].sort(
      inRemovalOrder,
    );
    assert.deepEqual(names(chooseVictims(plots, 80 * GIB).picked), ['c5']);
    assert.deepEqual(names(chooseVictims(plots, 50 * GIB).picked), ['u1']);
  });
});

describe('the dry run sequence', () => {
  it('fills the free room, then removes old plots each time the next new plot does not fit; a plot too small never goes', () => {
    const newBytes = 82.1 * GIB;
    const plots = [
      old('c5', { c: 5, made: 1 }),
      old('tiny', { k: 25, bytes: 0.5 * GIB, made: 2 }),
      old('u', { made: 3 }),
    ].sort(inRemovalOrder);
    assert.deepEqual(names(plots), ['tiny', 'u', 'c5']);
    const sequence = replotSequence(plots, 1 * GIB, newBytes);
    assert.deepEqual(names(sequence.order), ['u', 'c5']);
    assert.deepEqual(names(sequence.never), ['tiny']);
    // 1 GiB free then 101.4 freed: one plot, 20.3 left; then 81.3 freed: one more, 19.5 left, and 0.5 cannot make 82.1
    assert.equal(sequence.newPlots, 2);
  });

  it('for pos2 plots of 0.92 GiB takes even a small plot when it alone makes room for the next one', () => {
    const plots = [old('tiny', { k: 25, bytes: 0.5 * GIB, made: 2 }), old('u', { made: 3 })].sort(inRemovalOrder);
    const sequence = replotSequence(plots, 10 * GIB, 0.92 * GIB);
    // 10 GiB hold 10 plots and leave 0.8: the next plot misses 0.12, which the 0.5 GiB plot frees
    assert.deepEqual(names(sequence.order), ['tiny', 'u']);
    assert.equal(sequence.newPlots, Math.floor((10 + 0.5 + 101.4) / 0.92));
  });
});
