import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fastFinishScript, slowFinishScript, type FinishRequest } from '../../../lib/archive/finish-remote.js';

/** Copies named `<plot>.partial` in a fresh dir, and the requests that describe their sources. */
function copies(root: string, count: number): { dir: string; requests: FinishRequest[] } {
  const dir = fs.mkdtempSync(path.join(root, 'plots-'));
  const requests = Array.from({ length: count }, (_, i) => {
    const bytes = crypto.randomBytes(2000 + i);
    const plotName = `plot-k25-${crypto.randomBytes(8).toString('hex')}.plot`;
    fs.writeFileSync(path.join(dir, `${plotName}.partial`), bytes, { mode: 0o600 });
    return {
      place: { kind: 'remote' as const, user: null, host: 'h', port: null, root },
      sshConfig: '',
      plotsDir: dir,
      plotName,
      size: bytes.length,
      head: bytes.subarray(0, 512),
      mode: 0o644,
      timeoutMs: 10_000,
    };
  });
  return { dir, requests };
}

function run(script: string): string {
  const result = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

describe("a batch's finish on a harvester (the sh scripts run by the real sh here, as ssh runs them there)", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-finish-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('verifies and renames every copy of a batch in one script, sets the mode and runs what comes after', () => {
    const { dir, requests } = copies(root, 5);
    const out = run(fastFinishScript(requests, 'echo AFTER'));
    assert.deepEqual(
      out.split('\n').filter((line) => line.startsWith('R ')),
      requests.map((_, i) => `R ${i} ok`),
    );
    assert.ok(out.includes('AFTER\nEND'), out);
    assert.deepEqual(fs.readdirSync(dir).sort(), requests.map((r) => r.plotName).sort());
    for (const request of requests)
      assert.equal(fs.statSync(path.join(dir, request.plotName)).mode & 0o777, 0o644, request.plotName);
  });

  it('changes nothing when one copy is not as expected, and then each plot says what is wrong with it', () => {
    const { dir, requests } = copies(root, 4);
    const [good, short, there, other] = requests as [FinishRequest, FinishRequest, FinishRequest, FinishRequest];
    fs.truncateSync(path.join(dir, `${short.plotName}.partial`), 100);
    fs.copyFileSync(path.join(dir, `${there.plotName}.partial`), path.join(dir, there.plotName));
    fs.writeFileSync(path.join(dir, other.plotName), 'another file');
    const fast = run(fastFinishScript(requests, 'echo AFTER'));
    assert.ok(fast.split('\n').includes('FAST-NO'), fast);
    assert.ok(!fast.includes('AFTER'), fast);
    assert.ok(fs.existsSync(path.join(dir, `${good.plotName}.partial`)), 'the fast step renamed nothing');
    const slow = run(slowFinishScript(requests, 'echo AFTER'));
    const said = new Map(
      [...slow.matchAll(/^goplot-finish (\d) (\d+) ?(.*)$/gm)].map((m) => [Number(m[1]), `${m[2]} ${m[3]}`]),
    );
    assert.equal(said.get(0), '0 ');
    assert.match(said.get(1)!, /^4 the copy failed verification \(size 100 instead of \d+\); removed it$/);
    assert.equal(said.get(2), '10 ');
    assert.match(said.get(3)!, /^3 exists already and is another file/);
    assert.ok(slow.includes('AFTER\nEND'), slow);
    assert.deepEqual(
      fs.readdirSync(dir).sort(),
      [good.plotName, there.plotName, other.plotName, `${other.plotName}.partial`].sort(),
    );
  });
});
