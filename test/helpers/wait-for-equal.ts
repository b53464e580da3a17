import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';

/**
 * Polls until `read()` deep-equals `expected`, then returns it. When the time is up it asserts on
 * the last value read, so a failure shows what differs rather than only that the wait ran out.
 */
export async function waitForEqual<T>(
  what: string,
  read: () => T | Promise<T>,
  expected: T,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDeepStrictEqual(value, expected)) return value;
    if (Date.now() > deadline) {
      assert.deepEqual(value, expected, `${what}: still different after ${timeoutMs} ms`);
      return value;
    }
    await sleep(everyMs);
  }
}
