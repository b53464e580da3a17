import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, test } from 'node:test';
import { stateLockPath, withStateLock } from '../../../lib/farm/state-lock.js';
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
