import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { committedKiB } from '../lib/plot-size.js';
import { startHttpRecorder } from './helpers/http-recorder.js';
import { FAKE_BIN, makeSimFarm } from './helpers/sim-farm.js';
import { runScript, type TempHome } from './helpers/temp-home.js';

const homes: TempHome[] = [];
after(() => homes.forEach((home) => home.cleanup()));

describe('diskhand notifications', () => {
  it('sends disk_full once when a disk turns full, and not again while it stays full', async () => {
    const recorder = await startHttpRecorder();
    try {
      const home = makeSimFarm({ farm1: ['disk1', 'disk2'] }, ['1']);
      homes.push(home);
      home.set('disk_space', 'df');
      home.set('notify_gap', 0);
      fs.writeFileSync(path.join(home.configDir, 'notify_webhook'), `${recorder.url}/hook\n`, { mode: 0o600 });
      const table = path.join(home.root, 'df-table');
      const plot = committedKiB(25, 0);
      const disk1 = path.join(home.farmRoot, 'farm1', 'disk1');
      const disk2 = path.join(home.farmRoot, 'farm1', 'disk2');
      const writeTable = (disk1UsedKiB: number) => fs.writeFileSync(table, `${disk1} ${plot * 10} ${disk1UsedKiB}\n${disk2} ${plot * 10} 0\n`);
      const diskhand = () => runScript(home, 'scripts/diskhand.js', [], { env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table } });

      writeTable(0);
      assert.equal((await diskhand()).exitCode, 0);
      assert.equal(recorder.requests.length, 0, 'a disk with room is no news');
      writeTable(plot * 9.5);
      assert.equal((await diskhand()).exitCode, 0);
      assert.equal(recorder.requests.length, 1);
      const body = JSON.parse(recorder.requests[0]!.body) as Record<string, unknown>;
      assert.deepEqual([recorder.requests[0]!.method, recorder.requests[0]!.path, body.event, body.subject, body.text], [
        'POST', '/hook', 'disk_full', 'farm1/disk1', 'disk farm1/disk1 is full: no room for one more plot',
      ]);
      assert.equal((await diskhand()).exitCode, 0);
      assert.equal(recorder.requests.length, 1, 'still full: no second message');
    } finally {
      await recorder.close();
    }
  });
});
