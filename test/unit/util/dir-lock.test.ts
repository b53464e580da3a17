import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { removeDirLockIf, takeDirLock, type DirLockTake } from '../../../lib/util/dir-lock.js';
import { waitFor } from '../../helpers/temp-home.js';

let dir: string;
let lock: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-dir-lock-'));
  lock = path.join(dir, 'state.lock');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function held(take: DirLockTake): () => void {
  assert.equal(take.held, true, 'the lock was taken');
  return (take as { release: () => void }).release;
}

const identity = (file: string) => {
  const stat = fs.statSync(file);
  return { ino: stat.ino, mtimeMs: stat.mtimeMs };
};

const makeLock = (ageMs: number) => {
  fs.mkdirSync(lock);
  const time = new Date(Date.now() - ageMs);
  fs.utimesSync(lock, time, time);
};

describe('takeDirLock', () => {
  test('of two takers of a free lock the first holds it, the second finds it busy, and a release frees it', () => {
    const release = held(takeDirLock(lock, { stale: 10_000 }));
    assert.deepEqual(takeDirLock(lock, { stale: 10_000 }), { held: false, reason: 'busy' });
    release();
    assert.equal(fs.existsSync(lock), false);
    held(takeDirLock(lock, { stale: 10_000 }))();
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing left beside it');
  });

  test('a fresh lock another holder has is busy and stays as it was', () => {
    makeLock(2_000);
    const before = identity(lock);
    assert.deepEqual(takeDirLock(lock, { stale: 10_000 }), { held: false, reason: 'busy' });
    assert.deepEqual(identity(lock), before);
  });

  test('a lock not refreshed for longer than stale is removed and taken, dated now', () => {
    makeLock(60_000);
    const before = Date.now();
    const release = held(takeDirLock(lock, { stale: 10_000 }));
    assert.ok(fs.statSync(lock).mtimeMs >= before - 1000, 'dated now');
    release();
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('the stale time is counted on the clock passed in', () => {
    makeLock(0);
    assert.equal(takeDirLock(lock, { stale: 10_000 }).held, false);
    held(takeDirLock(lock, { stale: 10_000, now: () => Date.now() + 60_000 }))();
  });

  test('a failure other than a lock held is thrown with its code: a parent that is a file, a missing parent', () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '');
    assert.throws(() => takeDirLock(path.join(file, 'state.lock'), { stale: 10_000 }), { code: 'ENOTDIR' });
    assert.throws(() => takeDirLock(path.join(dir, 'missing', 'state.lock'), { stale: 10_000 }), {
      code: 'ENOENT',
      message: `ENOENT: no such file or directory, mkdir '${path.join(dir, 'missing', 'state.lock')}'`,
    });
  });

  test("the release of a lock that went stale and was taken by another leaves the other's lock", () => {
    const release = held(takeDirLock(lock, { stale: 10_000 }));
    const other = held(takeDirLock(lock, { stale: 10_000, now: () => Date.now() + 60_000 }));
    const theirs = identity(lock);
    release();
    assert.deepEqual(identity(lock), theirs);
    other();
    assert.equal(fs.existsSync(lock), false);
  });
});

describe('removeDirLockIf', () => {
  test('puts a lock that no longer qualifies back as it was, and says kept', () => {
    makeLock(1_000);
    const before = identity(lock);
    assert.equal(
      removeDirLockIf(lock, () => false),
      'kept',
    );
    assert.deepEqual(identity(lock), before);
    assert.deepEqual(fs.readdirSync(dir), ['state.lock']);
    assert.equal(
      removeDirLockIf(lock, () => true),
      'removed',
    );
    assert.equal(
      removeDirLockIf(lock, () => true),
      'gone',
    );
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('a waiter that judged a lock stale just before another took it over leaves the new lock alone', () => {
    makeLock(60_000);
    const isStale = (stat: fs.Stats) => stat.mtimeMs < Date.now() - 10_000;
    assert.equal(isStale(fs.statSync(lock)), true, 'the waiter looks: stale');
    const release = held(takeDirLock(lock, { stale: 10_000 })); // another waiter takes it over first
    const theirs = identity(lock);
    assert.equal(removeDirLockIf(lock, isStale), 'kept');
    assert.deepEqual(identity(lock), theirs);
    release();
  });
});

/** Takes the lock with a refresh and collects what onCompromised is told. */
function takeRefreshed(stale: number, every: number) {
  const lost: string[] = [];
  const release = held(
    takeDirLock(lock, { stale, refresh: { every, onCompromised: (error) => lost.push(error.message) } }),
  );
  return { lost, release };
}

describe('a refreshed lock', () => {
  test('stays fresh past its stale time while held, and others find it busy', async () => {
    // a stale time a loaded machine's late timers stay well within
    const { lost, release } = takeRefreshed(2000, 50);
    const first = fs.statSync(lock).mtimeMs;
    await waitFor('the mtime refreshed past the stale time and a half', () => fs.statSync(lock).mtimeMs > first + 3000);
    assert.deepEqual(takeDirLock(lock, { stale: 2000 }), { held: false, reason: 'busy' });
    release();
    assert.equal(fs.existsSync(lock), false);
    assert.deepEqual(lost, []);
  });

  test("removed under its holder, it is reported lost once, and the release leaves the next holder's lock", async () => {
    const { lost, release } = takeRefreshed(10_000, 20);
    fs.rmdirSync(lock);
    await waitFor('the lock found lost', () => lost.length > 0);
    assert.deepEqual(lost, [`its directory is gone (ENOENT: no such file or directory, stat '${lock}')`]);
    const next = held(takeDirLock(lock, { stale: 10_000 }));
    const theirs = identity(lock);
    await new Promise((resolve) => setTimeout(resolve, 200)); // ten refresh periods: no second report
    assert.equal(lost.length, 1);
    release();
    assert.deepEqual(identity(lock), theirs);
    next();
  });

  test('replaced under its holder (another mtime), it is reported lost and left to whoever has it', async () => {
    const { lost, release } = takeRefreshed(10_000, 20);
    const other = new Date(Date.now() - 5000);
    fs.utimesSync(lock, other, other);
    const theirs = identity(lock);
    await waitFor('the lock found lost', () => lost.length > 0);
    assert.deepEqual(lost, ['its directory was replaced: another process took it as stale']);
    release();
    assert.deepEqual(identity(lock), theirs);
  });

  test('a stall longer than the stale time is reported as a lost lock, which the release then leaves', async () => {
    const { lost, release } = takeRefreshed(300, 50);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700); // the event loop blocked, as by a hung disk
    await waitFor('the lock found lost', () => lost.length > 0);
    assert.equal(lost.length, 1);
    assert.match(
      lost[0] ?? '',
      /^not refreshed for \d+ ms, more than the stale time of 300 ms: another process may have taken it$/,
    );
    release();
    assert.equal(fs.existsSync(lock), true);
  });
});

const child = (args: string[]) =>
  execa(
    process.execPath,
    ['--import', 'tsx', path.join(PACKAGE_ROOT, 'test', 'helpers', 'dir-lock-child.ts'), ...args],
    {
      cwd: PACKAGE_ROOT,
      timeout: 120_000,
    },
  );

describe('between processes', () => {
  test('six processes taking the lock in turn never hold it together', { timeout: 180_000 }, async () => {
    const log = path.join(dir, 'log');
    const ids = ['1', '2', '3', '4', '5', '6'];
    await Promise.all(ids.map((id) => child(['turns', lock, log, id, '5'])));
    const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, ids.length * 5 * 2, lines.join('\n'));
    for (let i = 0; i < lines.length; i += 2) {
      assert.match(lines[i] ?? '', /^in \d$/, `line ${i + 1}`);
      assert.equal(
        lines[i + 1],
        lines[i]!.replace('in', 'out'),
        `line ${i + 2}: the holder of line ${i + 1} let go first`,
      );
    }
    assert.deepEqual(fs.readdirSync(dir), ['log']);
  });

  test('six processes finding a stale lock at once: exactly one takes it over', { timeout: 180_000 }, async () => {
    makeLock(60_000);
    const log = path.join(dir, 'log');
    const ids = ['1', '2', '3', '4', '5', '6'];
    const children = ids.map((id) => child(['race', lock, log, id, dir]));
    const lineCount = (file: string) =>
      fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').length : 0;
    await waitFor('every racer ready', () => lineCount(path.join(dir, 'ready')) === ids.length, 120_000);
    fs.writeFileSync(path.join(dir, 'go'), '');
    await waitFor('every racer tried', () => lineCount(log) === ids.length, 60_000);
    fs.writeFileSync(path.join(dir, 'release'), '');
    await Promise.all(children);
    const outcomes = fs
      .readFileSync(log, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    assert.deepEqual(outcomes.sort(), ['busy', 'busy', 'busy', 'busy', 'busy', 'held']);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['go', 'log', 'ready', 'release']);
  });
});
