import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostSession, runOnHost, SessionPool } from '../../../lib/archive/host-session.js';

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

  it('keeps a long answer whole: UTF-8 characters split across pipe chunks arrive intact', async () => {
    const session = HostSession.open(HERE, '');
    // one byte first, in the same writer: its even-sized blocks then end inside a two-byte character
    const answer = await session.run("{ printf a; yes '\u00e9' | head -n 40000; } | tr -d '\\n'", 30_000);
    session.close();
    assert.deepEqual(answer, { ok: true, stdout: `a${'\u00e9'.repeat(40_000)}` });
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
    // answered as any session answers, in a session of its own: stdout as the script wrote it
    assert.deepEqual(await runOnHost(session, HERE, '', 'echo alone', 10_000), { ok: true, stdout: 'alone\n' });
  });
  it('runs a script queued behind one that timed out in an sh of its own: the session ended before its turn', async () => {
    const session = HostSession.open(HERE, '');
    const [slow, queued] = await Promise.all([
      session.run('sleep 5', 300),
      runOnHost(session, HERE, '', 'echo "after $$"', 10_000),
    ]);
    assert.deepEqual(slow, { ok: false, problem: 'no answer within 0.3 s' });
    assert.ok(queued.ok && /^after \d+\n$/.test(queued.stdout), JSON.stringify(queued));
    assert.equal(session.runs, 1);
  });
});

describe("the archiver's pool of sessions, one per host", () => {
  const harvester = { kind: 'remote' as const, user: null, host: 'h1', port: null, root: '/farm' };
  const opened: HostSession[] = [];
  const pool = new SessionPool(() => {
    opened.push(HostSession.open(HERE, ''));
    return opened.at(-1)!;
  });

  it('gives a pass and the batches it starts one session, which closes when the last of them is done', async () => {
    const pass = pool.use(harvester, 'h1', '');
    const batch1 = pool.use(harvester, 'h1', '');
    const batch2 = pool.use(harvester, 'h1', '');
    pass.done();
    batch1.done();
    batch1.done();
    assert.equal(batch2.session, pass.session);
    assert.equal(pass.session.alive, true);
    assert.deepEqual(await batch2.session.run('echo finish', 10_000), { ok: true, stdout: 'finish\n' });
    batch2.done();
    assert.equal(pass.session.alive, false);
    assert.equal(opened.length, 1);
  });

  it('opens a new session for a host whose last one closed or ended, and one for each host or ssh_config', () => {
    const again = pool.use(harvester, 'h1', '');
    const other = pool.use({ ...harvester, host: 'h2' }, 'h2', '');
    const otherConfig = pool.use(harvester, 'h1', '/etc/goplot_ssh_config');
    assert.equal(opened.length, 4);
    assert.notEqual(again.session, opened[0]);
    for (const use of [again, other, otherConfig]) use.done();
    assert.deepEqual(
      opened.map((session) => session.alive),
      [false, false, false, false],
    );
  });
});
