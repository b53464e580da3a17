import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ArchiveTarget } from '../../../lib/archive/archive-targets.js';
import {
  headersScript,
  parseHeadersAnswer,
  RemoteHeaderCache,
  remoteHeaderCacheFile,
} from '../../../lib/archive/remote-headers.js';
import { parseRemovalAnswer, RemoteTargetsReplot, removalScript } from '../../../lib/archive/remote-replot.js';
import type { TargetDisk } from '../../../lib/archive/target-disk.js';
import { replotRuleOf } from '../../../lib/replot/replot-rule.js';
import { freePort } from '../../helpers/prometheus.js';
import { parseSurvey, surveyScript } from '../../../lib/archive/survey-remote.js';
import { resolveHome } from '../../../lib/config/home.js';
import { parsePlotHeader } from '../../../lib/plot-file/plot-header.js';
import type { ReplotCandidate } from '../../../lib/replot/replot-candidates.js';
import { writePlotFile } from '../../helpers/plot-files.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-remote-replot-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function sh(script: string): { status: number | null; stdout: string } {
  const run = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

function candidateOf(file: string): { victim: ReplotCandidate; head: Buffer } {
  const stat = fs.statSync(file);
  const bytes = fs.readFileSync(file).subarray(0, 512);
  const parsed = parsePlotHeader(bytes);
  assert.ok(parsed.ok);
  return {
    victim: {
      path: file,
      header: parsed.header,
      sizeBytes: stat.size,
      mtimeMs: Math.trunc(stat.mtimeMs / 1000) * 1000,
    },
    head: bytes.subarray(0, parsed.header.headerBytes),
  };
}

describe('replot on remote targets: the sh scripts run by the real sh here, as ssh runs them there', () => {
  const plots = path.join(root, 'farm1', 'disk1', 'plots');
  const solo = writePlotFile(plots, { sizeBytes: 50_000, mtime: new Date('2025-03-01T10:00:00Z') });
  const pool = writePlotFile(plots, { kind: 'pool', sizeBytes: 60_000, mtime: new Date('2025-03-02T10:00:00Z') });
  fs.symlinkSync(solo, path.join(plots, 'link-k32.plot'));
  fs.writeFileSync(path.join(plots, 'copy.plot.partial'), Buffer.alloc(100));
  const target: ArchiveTarget = {
    name: 'h1',
    file: '',
    place: { kind: 'remote', user: null, host: 'h', port: null, root },
    hostKey: 'h',
  };

  it('the survey lists the regular plot files with size and mtime only when asked', () => {
    const listed = parseSurvey(sh(surveyScript([root], true)).stdout, new Map([[root, target]]), 'h', false);
    assert.ok(listed.ok);
    // in the glob's order, by name
    const expected = [
      { name: path.basename(solo), sizeBytes: 50_000, mtimeMs: Date.parse('2025-03-01T10:00:00Z') },
      { name: path.basename(pool), sizeBytes: 60_000, mtimeMs: Date.parse('2025-03-02T10:00:00Z') },
    ].sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(listed.disks[0].plotFiles, expected);
    assert.deepEqual([...listed.disks[0].partials], [['copy.plot', 100]]);
    const plain = parseSurvey(sh(surveyScript([root])).stdout, new Map([[root, target]]), 'h', false);
    assert.ok(plain.ok);
    assert.equal(plain.disks[0].plotFiles, undefined);
    assert.deepEqual([...plain.disks[0].partials], [['copy.plot', 100]]);
  });

  it('reads the first bytes of many files in one script, and says which it could not read', () => {
    const missing = path.join(plots, 'gone.plot');
    const run = sh(headersScript([solo, missing, pool]));
    const heads = parseHeadersAnswer(run.stdout);
    assert.ok(heads);
    assert.ok((heads.get(solo) as Buffer).equals(fs.readFileSync(solo).subarray(0, 512)));
    assert.ok((heads.get(pool) as Buffer).equals(fs.readFileSync(pool).subarray(0, 512)));
    assert.equal(heads.get(missing), 'cannot be read there');
    assert.equal(parseHeadersAnswer(run.stdout.slice(0, run.stdout.indexOf('END'))), null);
  });

  it('keeps headers by host, path, size and mtime, and forgets files no longer listed', () => {
    const paths = resolveHome({ home: path.join(root, 'home') });
    fs.mkdirSync(paths.logsDir, { recursive: true });
    const cache = RemoteHeaderCache.load(remoteHeaderCacheFile(paths));
    const listed = { sizeBytes: 50_000, mtimeMs: 1000 };
    cache.set('h', solo, listed, fs.readFileSync(solo).subarray(0, 512));
    cache.set('h', pool, listed, Buffer.from('not a plot'));
    cache.save();
    const again = RemoteHeaderCache.load(remoteHeaderCacheFile(paths));
    const hit = again.get('h', solo, listed);
    assert.ok(hit?.ok);
    assert.equal(hit.header.kind, 'solo');
    assert.equal(again.get('h', solo, { ...listed, mtimeMs: 2000 }), undefined);
    assert.equal(again.get('other', solo, listed), undefined);
    const notPlot = parsePlotHeader(Buffer.from('not a plot'));
    assert.ok(!notPlot.ok);
    assert.deepEqual(again.get('h', pool, listed), { ok: false, problem: notPlot.message });
    again.forgetMissing('h', [plots], new Set([pool]));
    assert.equal(again.get('h', solo, listed), undefined);
  });

  it('removes an old plot only while it is the very file chosen, and says exactly what it did', () => {
    const dir = path.join(root, 'farm1', 'disk2', 'plots');
    const file = writePlotFile(dir, { sizeBytes: 40_000, mtime: new Date('2025-01-01T00:00:00Z') });
    const chosen = candidateOf(file);
    // size changed since it was listed
    const grown = sh(removalScript({ plotsDir: dir, ...chosen, victim: { ...chosen.victim, sizeBytes: 39_999 } }));
    assert.equal(
      parseRemovalAnswer(grown.stdout, grown.status ?? undefined),
      `its size or mtime changed (40000 ${chosen.victim.mtimeMs / 1000})`,
    );
    // same size and mtime, other header bytes
    const other = Buffer.from(chosen.head);
    other[40] ^= 0xff;
    const rewritten = sh(removalScript({ plotsDir: dir, ...chosen, head: other }));
    assert.equal(parseRemovalAnswer(rewritten.stdout, rewritten.status ?? undefined), 'its header changed');
    // not in this disk's plots/
    const elsewhere = sh(removalScript({ plotsDir: plots, ...chosen }));
    assert.equal(parseRemovalAnswer(elsewhere.stdout, elsewhere.status ?? undefined), `it is not inside ${plots}`);
    // a link to it
    const link = path.join(dir, 'link.plot');
    fs.symlinkSync(file, link);
    const linked = sh(removalScript({ plotsDir: dir, ...chosen, victim: { ...chosen.victim, path: link } }));
    assert.equal(parseRemovalAnswer(linked.stdout, linked.status ?? undefined), 'it is a link');
    assert.ok(fs.existsSync(file));
    const removed = sh(removalScript({ plotsDir: dir, ...chosen }));
    assert.equal(parseRemovalAnswer(removed.stdout, removed.status ?? undefined), null);
    assert.equal(fs.existsSync(file), false);
    const gone = sh(removalScript({ plotsDir: dir, ...chosen }));
    assert.equal(parseRemovalAnswer(gone.stdout, gone.status ?? undefined), 'it is gone or not a regular file');
    assert.equal(parseRemovalAnswer('', 255), 'no clear answer (exit 255)');
    assert.equal(parseRemovalAnswer('REMOVED\n', 1), 'no clear answer (exit 1: REMOVED)');
  });

  it('reads headers over ssh only for files not in the cache: nothing changed, no round trip beyond the survey', async () => {
    // nothing listens on this port: any ssh command fails, so a pass that needs none says nothing
    const port = await freePort();
    const place = { kind: 'remote' as const, user: null, host: '127.0.0.1', port, root };
    const deadTarget: ArchiveTarget = { name: 'h9', file: '', place, hostKey: `127.0.0.1:${port}` };
    const paths = resolveHome({ home: path.join(root, 'home-unseen') });
    fs.mkdirSync(paths.logsDir, { recursive: true });
    const cache = RemoteHeaderCache.load(remoteHeaderCacheFile(paths));
    const listed = { name: path.basename(solo), sizeBytes: 50_000, mtimeMs: Date.parse('2025-03-01T10:00:00Z') };
    const disk: TargetDisk = {
      target: 'h9',
      hostKey: deadTarget.hostKey,
      farm: 'farm1',
      disk: 'disk1',
      plotsDir: plots,
      problem: null,
      totalBytes: 0,
      freeBytes: 0,
      partials: new Map(),
      plotFiles: [listed],
    };
    const replot = new RemoteTargetsReplot({ targets: [deadTarget], sshConfig: '', timeoutMs: 10_000, cache });
    const surveys = [{ hostKey: deadTarget.hostKey, ok: true as const, disks: [disk] }];
    const unread = await replot.readUnseen(surveys, () => true);
    assert.equal(unread.length, 1);
    assert.match(unread[0], new RegExp(`^127\\.0\\.0\\.1:${port}: cannot read plot headers: `));
    assert.deepEqual(replot.candidates(disk, { on: true, rule: replotRuleOf('kind=solo') }), []);
    cache.set(deadTarget.hostKey, solo, listed, fs.readFileSync(solo).subarray(0, 512));
    assert.deepEqual(await replot.readUnseen(surveys, () => true), []);
    assert.deepEqual(
      replot.candidates(disk, { on: true, rule: replotRuleOf('kind=solo') }).map((c) => [c.path, c.header.kind]),
      [[solo, 'solo']],
    );
    // a disk that needs no credit has nothing read at all
    cache.forgetMissing(deadTarget.hostKey, [plots], new Set());
    assert.deepEqual(await replot.readUnseen(surveys, () => false), []);
  });
});
