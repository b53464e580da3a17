import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseTarget, roomFor } from '../../../lib/archive/choose-target.js';
import type { Reservation } from '../../../lib/archive/reservations.js';
import type { HostSurvey, TargetDisk } from '../../../lib/archive/target-disk.js';

const GiB = 1024 ** 3;
const PLOT = 101 * GiB;

function disk(hostKey: string, name: string, freeGiB: number, extra: Partial<TargetDisk> = {}): TargetDisk {
  return {
    target: hostKey,
    hostKey,
    farm: 'farm1',
    disk: name,
    plotsDir: `/farm/farm1/${name}/plots`,
    problem: null,
    totalBytes: 18_000 * GiB,
    freeBytes: freeGiB * GiB,
    partials: new Map(),
    ...extra,
  };
}

function survey(hostKey: string, disks: TargetDisk[]): Extract<HostSurvey, { ok: true }> {
  return { hostKey, ok: true, disks };
}

function reservation(on: TargetDisk, plot: string, bytes = roomFor(PLOT)): Reservation {
  return {
    plot,
    source: `/staging/${plot}`,
    bytes,
    target: on.target,
    hostKey: on.hostKey,
    farm: on.farm,
    disk: on.disk,
    plotsDir: on.plotsDir,
    pid: 1,
    pidStart: 1,
    startedAt: 0,
  };
}

const plot = { name: 'a.plot', size: PLOT };

describe('archive target choice', () => {
  it('takes hosts in turn after the last one, and the least used disk with room within one', () => {
    const surveys = [
      survey('h1', [disk('h1', 'd1', 500), disk('h1', 'd2', 900)]),
      survey('h2', [disk('h2', 'd1', 300)]),
    ];
    const first = chooseTarget({ plot, surveys, reservations: [], lastHost: '', maxPerHost: 1 });
    assert.ok(first.ok);
    assert.deepEqual([first.disk.hostKey, first.disk.disk], ['h1', 'd2']);
    const next = chooseTarget({ plot, surveys, reservations: [], lastHost: 'h1', maxPerHost: 1 });
    assert.ok(next.ok);
    assert.deepEqual([next.disk.hostKey, next.disk.disk], ['h2', 'd1']);
  });

  it('counts the transfers heading to a disk against its room, less what they already wrote', () => {
    const only = disk('h1', 'd1', 250);
    const surveys = [survey('h1', [only])];
    const heading = [reservation(only, 'b.plot'), reservation(only, 'c.plot')];
    assert.deepEqual(chooseTarget({ plot, surveys, reservations: heading, lastHost: '', maxPerHost: 5 }), {
      ok: false,
      why: 'h1: 1 disk full',
    });
    // c.plot has written 60 GiB of itself already (counted in the free space)
    only.partials.set('c.plot', 60 * GiB);
    assert.equal(chooseTarget({ plot, surveys, reservations: heading, lastHost: '', maxPerHost: 5 }).ok, true);
  });

  it('resumes a partial copy where it is when the rest fits there, even off its turn', () => {
    const withPartial = disk('h2', 'd1', 60, { partials: new Map([['a.plot', 50 * GiB]]) });
    const surveys = [survey('h1', [disk('h1', 'd1', 900)]), survey('h2', [withPartial])];
    const choice = chooseTarget({ plot, surveys, reservations: [], lastHost: 'h2', maxPerHost: 1 });
    assert.ok(choice.ok);
    assert.deepEqual([choice.disk.hostKey, choice.resumed], ['h2', 50 * GiB]);
  });

  it('skips a host at its limit and disks with a problem, and says why none fits', () => {
    const busy = disk('h1', 'd1', 900);
    const surveys = [
      survey('h1', [busy]),
      survey('h2', [disk('h2', 'd1', 900, { problem: 'unmounted' }), disk('h2', 'd2', 900, { problem: 'read-only' })]),
    ];
    const choice = chooseTarget({
      plot,
      surveys,
      reservations: [reservation(busy, 'b.plot')],
      lastHost: '',
      maxPerHost: 1,
    });
    assert.deepEqual(choice, {
      ok: false,
      why: 'h1: 1 transfer(s) at once already; h2: 1 disk unmounted, 1 disk read-only',
    });
  });

  it('counts replot credit only when no disk anywhere has free room, and says which choice needs it', () => {
    const full1 = disk('h1', 'd1', 20);
    const full2 = disk('h2', 'd1', 20);
    const roomy = disk('h2', 'd2', 150);
    const credit = (d: TargetDisk) => (d === full1 ? 101 * GiB : 0);
    // h1 is next in turn, but h2 has free room: no old plot goes while a disk has room
    const plain = chooseTarget({
      plot,
      surveys: [survey('h1', [full1]), survey('h2', [full2, roomy])],
      reservations: [],
      lastHost: 'h2',
      maxPerHost: 1,
      replotCredit: credit,
    });
    assert.ok(plain.ok);
    assert.deepEqual([plain.disk.hostKey, plain.disk.disk, plain.replot], ['h2', 'd2', false]);
    const replot = chooseTarget({
      plot,
      surveys: [survey('h1', [full1]), survey('h2', [full2])],
      reservations: [],
      lastHost: 'h1',
      maxPerHost: 1,
      replotCredit: credit,
    });
    assert.ok(replot.ok);
    assert.deepEqual([replot.disk.hostKey, replot.disk.disk, replot.replot], ['h1', 'd1', true]);
    // the credit must cover what is missing: one old plot of 80 GiB does not make room for 101 GiB
    const short = chooseTarget({
      plot,
      surveys: [survey('h1', [full1])],
      reservations: [],
      lastHost: '',
      maxPerHost: 1,
      replotCredit: () => 80 * GiB,
    });
    assert.deepEqual(short, { ok: false, why: 'h1: 1 disk full' });
  });

  it('counts the transfers already heading to a disk before its replot credit', () => {
    const full = disk('h1', 'd1', 20);
    const surveys = [survey('h1', [full])];
    const credit = () => 101 * GiB;
    // 20 GiB free and one old plot of 101 GiB: room for 121 GiB, not for this plot after another one
    assert.equal(
      chooseTarget({ plot, surveys, reservations: [], lastHost: '', maxPerHost: 5, replotCredit: credit }).ok,
      true,
    );
    assert.deepEqual(
      chooseTarget({
        plot,
        surveys,
        reservations: [reservation(full, 'b.plot')],
        lastHost: '',
        maxPerHost: 5,
        replotCredit: credit,
      }),
      { ok: false, why: 'h1: 1 disk full' },
    );
  });
});
