import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { committedKiB } from '../../lib/farm/plot-size.js';
import { startHttpRecorder } from '../helpers/http-recorder.js';
import { FAKE_BIN, makeSimFarm } from '../helpers/sim-farm.js';
import { runScript, type TempHome } from '../helpers/temp-home.js';

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
      const writeTable = (disk1UsedKiB: number) =>
        fs.writeFileSync(table, `${disk1} ${plot * 10} ${disk1UsedKiB}\n${disk2} ${plot * 10} 0\n`);
      const diskhand = () =>
        runScript(home, 'scripts/diskhand.js', [], {
          env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table },
        });

      writeTable(0);
      assert.equal((await diskhand()).exitCode, 0);
      assert.equal(recorder.requests.length, 0, 'a disk with room is no news');
      writeTable(plot * 9.5);
      assert.equal((await diskhand()).exitCode, 0);
      assert.equal(recorder.requests.length, 1);
      const body = JSON.parse(recorder.requests[0]!.body) as Record<string, unknown>;
      assert.deepEqual(
        [recorder.requests[0]!.method, recorder.requests[0]!.path, body.event, body.subject, body.text],
        ['POST', '/hook', 'disk_full', 'farm1/disk1', 'disk farm1/disk1 is full: no room for one more plot'],
      );
      assert.equal((await diskhand()).exitCode, 0);
      assert.equal(recorder.requests.length, 1, 'still full: no second message');
    } finally {
      await recorder.close();
    }
  });

  it('sends disk_full when a tractor marked the disk full before diskhand saw it, and again after it had room', async () => {
    const recorder = await startHttpRecorder();
    try {
      const home = makeSimFarm({ farm1: ['disk1'] }, ['1']);
      homes.push(home);
      home.set('disk_space', 'df');
      home.set('notify_gap', 0);
      fs.writeFileSync(path.join(home.configDir, 'notify_webhook'), `${recorder.url}/hook\n`, { mode: 0o600 });
      const table = path.join(home.root, 'df-table');
      const plot = committedKiB(25, 0);
      const disk1 = path.join(home.farmRoot, 'farm1', 'disk1');
      const writeTable = (usedKiB: number) => fs.writeFileSync(table, `${disk1} ${plot * 10} ${usedKiB}\n`);
      const diskhand = () =>
        runScript(home, 'scripts/diskhand.js', [], {
          env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table },
        });
      const events = () => recorder.requests.map((request) => (JSON.parse(request.body) as { event: string }).event);

      writeTable(0);
      assert.equal((await diskhand()).exitCode, 0);
      // the tractor's re-check found it full and wrote so: diskhand then writes nothing new
      fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk1.goplot'), 'full\n');
      writeTable(plot * 9.5);
      const run = await diskhand();
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(events(), ['disk_full']);
      assert.equal(
        fs.readFileSync(path.join(home.logsDir, '.notify', 'disks', 'farm1', 'disk1.state'), 'utf8'),
        'full\n',
      );
      writeTable(0);
      assert.equal((await diskhand()).exitCode, 0);
      assert.deepEqual(events(), ['disk_full'], 'room again is no news');
      writeTable(plot * 9.5);
      assert.equal((await diskhand()).exitCode, 0);
      assert.deepEqual(events(), ['disk_full', 'disk_full']);
    } finally {
      await recorder.close();
    }
  });

  it('sends nothing on its first run for disks that were full all along (no message storm on upgrade)', async () => {
    const recorder = await startHttpRecorder();
    try {
      const home = makeSimFarm({ farm1: ['disk1', 'disk2'] }, ['1']);
      homes.push(home);
      home.set('disk_space', 'df');
      fs.writeFileSync(path.join(home.configDir, 'notify_webhook'), `${recorder.url}/hook\n`, { mode: 0o600 });
      const table = path.join(home.root, 'df-table');
      fs.writeFileSync(table, `${home.farmRoot} ${committedKiB(25, 0) * 10} ${committedKiB(25, 0) * 10}\n`);
      fs.mkdirSync(path.join(home.disksDir, 'farm1'), { recursive: true });
      for (const disk of ['disk1', 'disk2'])
        fs.writeFileSync(path.join(home.disksDir, 'farm1', `${disk}.goplot`), 'full\n');
      const run = await runScript(home, 'scripts/diskhand.js', [], {
        env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table },
      });
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(recorder.requests.length, 0);
      assert.deepEqual(fs.readdirSync(path.join(home.logsDir, '.notify', 'disks', 'farm1')).sort(), [
        'disk1.state',
        'disk2.state',
      ]);
    } finally {
      await recorder.close();
    }
  });
});
