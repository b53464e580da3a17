import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { claimNotification } from '../../../lib/notify/rate-limit.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';

let home: TempHome;
let dir: string;
beforeEach(() => {
  home = makeTempHome('goplot-notify-');
  dir = path.join(home.logsDir, '.notify');
  fs.mkdirSync(dir, { recursive: true });
});
afterEach(() => home.cleanup());

function oldFile(name: string, days: number): void {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '1700000000\n');
  const then = new Date(Date.now() - days * 24 * 3600_000);
  fs.utimesSync(file, then, then);
}

test('recording a claim removes the per-plot claims older than a week, and keeps recent ones and outage markers', () => {
  for (let index = 1; index <= 50; index++) {
    oldFile(`plot_started.plot%20${index}`, 8);
    oldFile(`plot_finished.plot%20${index}`, 8);
  }
  oldFile('plot_started.plot%2051', 2);
  oldFile('down.webhook', 30);
  assert.deepEqual(claimNotification(dir, 'plot_started', 'plot 52', 300, Date.now()), { send: true });
  assert.deepEqual(
    fs
      .readdirSync(dir)
      .filter((name) => !name.startsWith('.'))
      .sort(),
    ['down.webhook', 'plot_started.plot%2051', 'plot_started.plot%2052'],
  );
});

test('a claim within its gap is still honoured after pruning (a gap longer than a week keeps its claim)', () => {
  oldFile('disk_full.f1%2Fd1', 8);
  const gapSeconds = 10 * 24 * 3600;
  assert.deepEqual(claimNotification(dir, 'plot_started', 'plot 1', gapSeconds, Date.now()), { send: true });
  assert.equal(fs.existsSync(path.join(dir, 'disk_full.f1%2Fd1')), true);
});
