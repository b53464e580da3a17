import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';

let home: TempHome;
beforeEach(() => {
  home = makeTempHome('goplot-hung-');
});
afterEach(() => home.cleanup());

test('four hung disks polled again and again never blind the reads of a healthy disk (real blocked threads)', async () => {
  for (const n of [1, 2, 3, 4]) {
    fs.mkdirSync(path.join(home.root, `hung${n}`));
    execFileSync('mkfifo', [path.join(home.root, `hung${n}`, 'fifo')]);
  }
  const healthy = path.join(home.root, 'healthy');
  fs.mkdirSync(healthy);
  // six threads: the four hung disks take four on the first poll; asked again, they would take the rest
  const result = await execa(
    'node',
    ['--import', 'tsx', path.join(PACKAGE_ROOT, 'test', 'helpers', 'hung-disk-polls.ts'), home.root, healthy],
    {
      cwd: PACKAGE_ROOT,
      env: { UV_THREADPOOL_SIZE: '6' },
      reject: false,
      timeout: 60_000,
    },
  );
  assert.equal(result.exitCode, 0, result.stderr);
  const timedOut = 'no answer from statfs within 0.5 s (a hung disk or mount?)';
  const notAsked =
    'its earlier statfs call has not answered yet (a hung disk or mount?); not asked again until it does';
  const hung = (message: string) => ({ hung1: message, hung2: message, hung3: message, hung4: message });
  assert.deepEqual(JSON.parse(result.stdout), [
    { ...hung(timedOut), healthy: 'ok' },
    { ...hung(notAsked), healthy: 'ok' },
    { ...hung(notAsked), healthy: 'ok' },
  ]);
});
