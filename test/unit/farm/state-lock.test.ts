import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, test } from 'node:test';
import { StateLockTimeout, stateLockPath, withStateLock } from '../../../lib/farm/state-lock.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';

let home: TempHome;
beforeEach(() => {
  home = makeTempHome('goplot-lock-');
});
afterEach(() => home.cleanup());

test('a regular file left at config/state.lock is removed, said once, and the lock is taken as usual', async () => {
  fs.writeFileSync(stateLockPath(home), 'left over\n');
  const said: string[] = [];
  const result = await withStateLock(
    home,
    async () => {
      assert.equal(fs.statSync(stateLockPath(home)).isDirectory(), true);
      return 'locked';
    },
    { onLeftover: (message) => said.push(message) },
  );
  assert.equal(result, 'locked');
  assert.deepEqual(said, [
    `removed ${stateLockPath(home)}: a regular file where the state lock's directory belongs (left over, never a live lock)`,
  ]);
  assert.equal(fs.existsSync(stateLockPath(home)), false);
});

test('a live lock (a directory) is never removed: the second holder waits for the first', async () => {
  const order: string[] = [];
  let releaseFirst!: () => void;
  const first = withStateLock(home, async () => {
    order.push('first in');
    await new Promise<void>((resolve) => (releaseFirst = resolve));
    order.push('first out');
  });
  while (order.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const second = withStateLock(home, async () => void order.push('second in'), {
    onLeftover: (message) => order.push(message),
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  releaseFirst();
  await Promise.all([first, second]);
  assert.deepEqual(order, ['first in', 'first out', 'second in']);
});

/** Takes the lock and keeps it until releaseFirst is called; resolves once it is held. */
async function holdLock(): Promise<{ first: Promise<void>; releaseFirst: () => void }> {
  let releaseFirst!: () => void;
  let firstIn = false;
  const first = withStateLock(home, async () => {
    firstIn = true;
    await new Promise<void>((resolve) => (releaseFirst = resolve));
  });
  while (!firstIn) await new Promise((resolve) => setTimeout(resolve, 5));
  return { first, releaseFirst };
}

test('a lock others hold for the whole wait gives up with a message naming the lock and the time', async () => {
  const { first, releaseFirst } = await holdLock();
  const started = Date.now();
  await assert.rejects(
    withStateLock(home, async () => 'never', { wait: 1200 }),
    (error: unknown) => {
      assert.ok(error instanceof StateLockTimeout);
      assert.equal(error.lockPath, stateLockPath(home));
      assert.ok(error.waitedMs >= 1200, `waited ${error.waitedMs} ms`);
      assert.equal(
        error.message,
        `waited 1 s for the state lock ${stateLockPath(home)}, held all that time by other live goplot processes; gave up`,
      );
      return true;
    },
  );
  assert.ok(Date.now() - started >= 1200);
  releaseFirst();
  await first;
});

test('a waiter gets the lock when its holder lets go within the wait', async () => {
  const { first, releaseFirst } = await holdLock();
  // at up to 100 ms between tries, 3 s is some 30+ tries; the holder lets go near the end
  const second = withStateLock(home, async () => 'second in', { wait: 5000 });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  releaseFirst();
  await first;
  assert.equal(await second, 'second in');
});

test('a lock dir dated an hour ahead of the clock with no holder goes stale once it is not refreshed for the stale time', async () => {
  fs.mkdirSync(stateLockPath(home));
  const hourAhead = new Date(Date.now() + 3600_000);
  fs.utimesSync(stateLockPath(home), hourAhead, hourAhead);
  const said: string[] = [];
  const result = await withStateLock(home, async () => 'locked', {
    stale: 600,
    wait: 20_000,
    onLeftover: (message) => said.push(message),
  });
  assert.equal(result, 'locked');
  assert.equal(said.length, 1);
  assert.match(
    said[0] ?? '',
    new RegExp(
      `^removed ${stateLockPath(home)}: dated 3[56]\\d\\d s ahead of the clock \\(the clock stepped back\\?\\) and not refreshed by any holder, so stale$`,
    ),
  );
});
