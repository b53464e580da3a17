import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { reservationsDir } from '../../../lib/archive/archive-state.js';
import {
  ownStartTicks,
  readLiveReservations,
  releaseReservations,
  writeReservations,
  type Reservation,
} from '../../../lib/archive/reservations.js';
import { makeTempHome } from '../../helpers/temp-home.js';

function reservation(plot: string, holder: { pid: number; pidStart: number }): Reservation {
  return {
    plot,
    source: `/farm/staging/ssd1/plots/${plot}`,
    bytes: 1000,
    target: 'h1',
    hostKey: 'h1',
    farm: 'farm1',
    disk: 'disk1',
    plotsDir: '/srv/farm1/disk1/plots',
    ...holder,
    startedAt: 0,
  };
}

describe("the archiver's reservations (one file per holder)", () => {
  const home = makeTempHome();
  after(() => home.cleanup());
  const dir = reservationsDir(home);
  const me = { pid: process.pid, pidStart: ownStartTicks() };

  it('writes a pass of many plots as one file, rewrites it as batches end, and removes it with the last', () => {
    const plots = Array.from({ length: 200 }, (_, i) => reservation(`p${i}.plot`, me));
    writeReservations(home, plots);
    assert.deepEqual(fs.readdirSync(dir), [`${me.pid}-${me.pidStart}.json`]);
    assert.equal(readLiveReservations(home).length, 200);
    releaseReservations(home, plots.slice(0, 150));
    assert.deepEqual(
      readLiveReservations(home).map((r) => r.plot),
      plots.slice(150).map((r) => r.plot),
    );
    writeReservations(home, [reservation('q.plot', me)]);
    assert.equal(readLiveReservations(home).length, 51);
    releaseReservations(home, [...plots.slice(150), reservation('q.plot', me)]);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("drops a dead holder's file and a damaged one, and reads an older archiver's file of one plot", () => {
    fs.mkdirSync(dir, { recursive: true });
    // a recycled pid: this process's pid with another start time is not the holder
    const dead = { pid: process.pid, pidStart: me.pidStart + 1 };
    fs.writeFileSync(
      path.join(dir, `${dead.pid}-${dead.pidStart}.json`),
      JSON.stringify([reservation('d.plot', dead)]),
    );
    fs.writeFileSync(path.join(dir, 'damaged.json'), '[{"plot": ');
    fs.writeFileSync(path.join(dir, 'old.plot.json'), JSON.stringify(reservation('old.plot', me)));
    assert.deepEqual(
      readLiveReservations(home).map((r) => r.plot),
      ['old.plot'],
    );
    assert.deepEqual(fs.readdirSync(dir), ['old.plot.json']);
  });
});
