import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostSession, runOnHost } from '../../../lib/archive/host-session.js';

const HERE = { kind: 'local' as const, root: null };

describe('one sh session that takes several scripts (run here with this host sh, as ssh runs it on a harvester)', () => {
  it('answers each script with its own output, in the order they were sent, from one sh process', async () => {
    const session = HostSession.open(HERE, '');
    const [first, second] = await Promise.all([
      session.run('echo one; echo "pid $$"', 10_000),
      session.run('printf two; echo "pid $$"', 10_000),
    ]);
    session.close();
    assert.ok(first.ok && second.ok);
    const pid = /pid (\d+)/.exec(first.stdout)?.[1];
    assert.equal(first.stdout, `one\npid ${pid}\n`);
    assert.equal(second.stdout, `twopid ${pid}\n`);
    assert.equal(session.runs, 2);
  });

  it('keeps going after a script that exits, fails or reads its stdin: the next script is not eaten', async () => {
    const session = HostSession.open(HERE, '');
    const exited = await session.run('echo before; exit 0; echo never', 10_000);
    const failed = await session.run('echo "no disk there" >&2; exit 3', 10_000);
    const reader = await session.run('cat; echo read', 10_000);
    const last = await session.run('echo last', 10_000);
    session.close();
    assert.deepEqual(exited, { ok: true, stdout: 'before\n' });
    assert.deepEqual(failed, { ok: false, problem: 'no disk there' });
    assert.deepEqual(reader, { ok: true, stdout: 'read\n' });
    assert.deepEqual(last, { ok: true, stdout: 'last\n' });
  });

  it('ends on a script that does not answer in time, and a script after that is not run', async () => {
    const session = HostSession.open(HERE, '');
    const slow = await session.run('sleep 5; echo late', 300);
    assert.deepEqual(slow, { ok: false, problem: 'no answer within 0.3 s' });
    assert.equal(session.alive, false);
    assert.deepEqual(await session.run('echo after', 10_000), { ok: false, problem: 'no answer within 0.3 s' });
  });

  it('runs a script sent before close, refuses one sent after, and runOnHost then runs it in an sh of its own', async () => {
    const session = HostSession.open(HERE, '');
    const before = session.run('echo before', 10_000);
    session.close();
    assert.deepEqual(await before, { ok: true, stdout: 'before\n' });
    assert.deepEqual(await session.run('echo after', 10_000), { ok: false, problem: 'it was closed' });
    assert.deepEqual(await runOnHost(session, HERE, '', 'echo alone', 10_000), { ok: true, stdout: 'alone' });
  });
});
