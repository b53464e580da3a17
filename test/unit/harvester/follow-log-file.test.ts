import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  followLogFile,
  type FollowEvent,
  type FollowOptions,
  type LogFollower,
} from '../../../lib/harvester/follow-log-file.js';
import { waitFor } from '../../helpers/temp-home.js';

let dir: string;
let file: string;
let follower: LogFollower | null;
let lines: string[];
let events: FollowEvent[];

function follow(options: Partial<FollowOptions> = {}): LogFollower {
  follower = followLogFile({
    file,
    pollMs: 50,
    onLines: (chunk) => {
      const text = chunk.toString('utf8');
      lines.push(...(text.endsWith('\n') ? text.slice(0, -1) : text).split('\n'));
    },
    onEvent: (event) => events.push(event),
    ...options,
  });
  return follower;
}

const kinds = () => events.map((event) => event.kind);
const waitForLines = (count: number) =>
  waitFor(`${count} lines (have ${lines.length})`, () => lines.length >= count, 10_000, 10);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-follow-'));
  file = path.join(dir, 'debug.log');
  follower = null;
  lines = [];
  events = [];
});

afterEach(async () => {
  await follower?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('followLogFile', () => {
  it('starts at the end of an existing file and holds a partial line until its newline', async () => {
    fs.writeFileSync(file, 'old 1\nold 2\n');
    const f = follow();
    await f.drain();
    fs.appendFileSync(file, 'new 1\nnew 2 part');
    await f.drain();
    assert.deepEqual(lines, ['new 1']);
    fs.appendFileSync(file, 'ial\n');
    await waitForLines(2);
    assert.deepEqual(lines, ['new 1', 'new 2 partial']);
    assert.deepEqual(events, [{ kind: 'following', file, position: 12 }]);
  });

  it('skips the rest of an old line when the file ends mid-line at the start', async () => {
    fs.writeFileSync(file, 'old 1\nold 2 without its newl');
    const f = follow();
    await f.drain();
    fs.appendFileSync(file, 'ine yet\nnew 1\n');
    await waitForLines(1);
    await f.drain();
    assert.deepEqual(lines, ['new 1']);
  });

  it('reads an existing file from its start with fromStart', async () => {
    fs.writeFileSync(file, 'old 1\nold 2\n');
    await follow({ fromStart: true }).drain();
    assert.deepEqual(lines, ['old 1', 'old 2']);
  });

  it('waits for a missing file and reads it from its start when it appears', async () => {
    const f = follow();
    await f.drain();
    assert.equal(f.following, false);
    fs.writeFileSync(file, 'first\nsecond\n');
    await waitForLines(2);
    assert.deepEqual(lines, ['first', 'second']);
    assert.deepEqual(kinds(), ['missing', 'following']);
    assert.equal(f.following, true);
  });

  it('drains the old file to its end after a rename, then reads the new file, each line once', async () => {
    fs.writeFileSync(file, 'before start\n');
    const f = follow();
    await f.drain();
    fs.appendFileSync(file, 'a1\na2\n');
    await waitForLines(2);
    // Written, renamed and replaced in one go: the follower sees a1..a5 only in the renamed file.
    fs.appendFileSync(file, 'a3\na4\n');
    fs.renameSync(file, `${file}.1`);
    fs.appendFileSync(`${file}.1`, 'a5\n');
    fs.writeFileSync(file, 'b1\nb2\n');
    await waitForLines(7);
    fs.appendFileSync(file, 'b3\n');
    await waitForLines(8);
    await f.drain();
    assert.deepEqual(lines, ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3']);
    assert.deepEqual(kinds(), ['following', 'rotated', 'following']);
  });

  it("hands over the old file's unfinished last line at a rotation", async () => {
    fs.writeFileSync(file, '');
    const f = follow();
    await f.drain();
    fs.appendFileSync(file, 'a1\na2 cut');
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, 'b1\n');
    await waitForLines(3);
    await f.drain();
    assert.deepEqual(lines, ['a1', 'a2 cut', 'b1']);
  });

  it('waits after the file is removed and reads the one created later from its start', async () => {
    fs.writeFileSync(file, '');
    const f = follow();
    await f.drain();
    fs.appendFileSync(file, 'a1\n');
    fs.rmSync(file);
    await waitFor('the removal to be noticed', () => kinds().includes('rotated'), 10_000, 10);
    await f.drain();
    assert.equal(f.following, false);
    fs.writeFileSync(file, 'b1\n');
    await waitForLines(2);
    assert.deepEqual(lines, ['a1', 'b1']);
    assert.deepEqual(kinds(), ['following', 'rotated', 'missing', 'following']);
  });

  it('reads from the start again after truncation (copytruncate)', async () => {
    fs.writeFileSync(file, 'old line one\nold line two\n');
    const f = follow();
    await f.drain();
    fs.appendFileSync(file, 'a1\n');
    await waitForLines(1);
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, 'b1\nb2\n');
    await waitForLines(3);
    await f.drain();
    assert.deepEqual(lines, ['a1', 'b1', 'b2']);
    assert.deepEqual(events[1], { kind: 'truncated', file, size: 6, position: 29 });
  });

  it('splits lines correctly across read chunks of any size', async () => {
    const want = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`);
    fs.writeFileSync(file, `${want.join('\n')}\n`);
    await follow({ fromStart: true, chunkBytes: 7 }).drain();
    assert.deepEqual(lines, want);
  });

  it('drops a line longer than maxLineBytes (reported) and goes on with the next one', async () => {
    fs.writeFileSync(file, `short\n${'y'.repeat(100)}\nafter\n`);
    await follow({ fromStart: true, chunkBytes: 16, maxLineBytes: 40 }).drain();
    assert.deepEqual(lines, ['short', 'after']);
    assert.deepEqual(events[1], { kind: 'overlong-line', file, bytes: 42 });
  });

  it('reports a path that is not a regular file, and follows it once it is one', async () => {
    fs.mkdirSync(file);
    const f = follow();
    await f.drain();
    assert.deepEqual(events, [{ kind: 'unreadable', file, problem: 'not a regular file' }]);
    fs.rmdirSync(file);
    fs.writeFileSync(file, 'c1\n');
    await waitForLines(1);
    assert.deepEqual(lines, ['c1']);
  });
});
