import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ArchiveTarget } from '../../../lib/archive/archive-targets.js';
import { aesGcmInCpuinfo } from '../../../lib/archive/bulk-cipher.js';
import { parseSurvey, surveyScript } from '../../../lib/archive/survey-remote.js';

describe('remote survey script (run by the real sh here, as ssh runs it there)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-survey-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const disk of ['farm1/disk1', 'farm1/disk2', 'farm2/disk10'])
    fs.mkdirSync(path.join(root, disk, 'plots'), { recursive: true });
  fs.mkdirSync(path.join(root, 'farm2', 'empty'), { recursive: true });
  fs.writeFileSync(path.join(root, 'farm1', 'disk2', 'plots', 'x.plot.partial'), Buffer.alloc(12345));
  const target: ArchiveTarget = {
    name: 'h1',
    file: '',
    place: { kind: 'remote', user: null, host: 'h', port: null, root },
    hostKey: 'h',
  };

  it('lists every disk with plots/, its space and mount, and our partial copies, in one run', () => {
    const run = spawnSync('sh', ['-s'], { input: surveyScript([root, '/nonexistent-root']), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const survey = parseSurvey(run.stdout, new Map([[root, target]]), 'h', false);
    assert.ok(survey.ok);
    assert.deepEqual(
      survey.disks.map((d) => `${d.farm}/${d.disk} ${d.problem}`),
      ['farm1/disk1 null', 'farm1/disk2 null', 'farm2/disk10 null'],
    );
    const df = spawnSync('df', ['-Pk', root], { encoding: 'utf8' }).stdout.split('\n')[1].split(/\s+/);
    assert.equal(survey.disks[0].totalBytes, Number(df[1]) * 1024);
    assert.deepEqual([...survey.disks[1].partials], [['x.plot', 12345]]);
    // with require_mount, a disk that is just a folder on the root's filesystem is unmounted
    const strict = parseSurvey(run.stdout, new Map([[root, target]]), 'h', true);
    assert.ok(strict.ok);
    assert.deepEqual(
      strict.disks.map((d) => d.problem),
      ['unmounted', 'unmounted', 'unmounted'],
    );
  });

  it("says whether the host's CPU does AES-GCM, as its /proc/cpuinfo says", () => {
    const run = spawnSync('sh', ['-s'], { input: surveyScript([root]), encoding: 'utf8' });
    const survey = parseSurvey(run.stdout, new Map([[root, target]]), 'h', false);
    assert.ok(survey.ok);
    assert.equal(survey.aesGcm, aesGcmInCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8')) === true);
    assert.match(run.stdout, /^C (flags|Features)\s*:/);
    const without = parseSurvey(run.stdout.slice(run.stdout.indexOf('\n') + 1), new Map([[root, target]]), 'h', false);
    assert.ok(without.ok);
    assert.equal(without.aesGcm, false);
  });

  it('treats an answer without its end marker as a failure', () => {
    assert.deepEqual(parseSurvey(`R ${root}\nD 1 ${root}/farm1/disk1/plots\n`, new Map([[root, target]]), 'h', false), {
      hostKey: 'h',
      ok: false,
      problem: 'its answer was cut short',
    });
  });
});
