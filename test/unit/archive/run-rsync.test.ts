import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AES_GCM_FIRST } from '../../../lib/archive/bulk-cipher.js';
import { rsyncArgs, runRsync, StartedRsync, type RsyncRequest } from '../../../lib/archive/run-rsync.js';

const HERE = { kind: 'local' as const, root: null };

/** The pids of this process's children running rsync, from /proc. */
function rsyncChildren(): number[] {
  return fs.readdirSync('/proc').flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return stat.includes('(rsync)') && Number(fields[1]) === process.pid ? [Number(name)] : [];
    } catch {
      return [];
    }
  });
}

describe('one rsync for a batch of plots, its names given once its links are made (real rsync, here)', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-run-rsync-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  function batch(name: string): { request: RsyncRequest; sources: string[]; makeLinks: () => void } {
    const dir = path.join(scratch, name);
    const sources = [1, 2, 3].map((i) => path.join(dir, 'staging', `plot-k32-${name}-${i}.plot`));
    fs.mkdirSync(path.join(dir, 'staging'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'plots'), { recursive: true });
    sources.forEach((file, i) => fs.writeFileSync(file, `plot ${i} `.repeat(1000 * (i + 1))));
    // the folder exists before rsync starts, as the archiver's (mkdtemp) does: rsync enters it at once
    const linkDir = path.join(dir, 'send');
    fs.mkdirSync(linkDir);
    const request: RsyncRequest = {
      linkDir,
      plotNames: sources.map((file) => path.basename(file)),
      place: HERE,
      sshConfig: '',
      plotsDir: path.join(dir, 'plots'),
      bwlimit: 0,
    };
    const makeLinks = () => {
      for (const file of sources) fs.symlinkSync(file, path.join(linkDir, `${path.basename(file)}.partial`));
    };
    return { request, sources, makeLinks };
  }

  it('starts rsync before the links exist, then sends every plot the links name under its partial name', async () => {
    const { request, sources, makeLinks } = batch('ahead');
    const running: number[][] = [];
    const bytes = new Map<string, number>();
    const result = await runRsync({ ...request, onBytes: (name, done) => bytes.set(name, done) }, () => {
      running.push(rsyncChildren());
      makeLinks();
    });
    assert.deepEqual(result, { ok: true });
    assert.equal(running[0]!.length, 1, 'rsync was running when the links were made');
    assert.deepEqual(
      fs.readdirSync(request.plotsDir).sort(),
      sources.map((file) => `${path.basename(file)}.partial`).sort(),
    );
    for (const file of sources) {
      const copy = path.join(request.plotsDir, `${path.basename(file)}.partial`);
      assert.ok(fs.readFileSync(copy).equals(fs.readFileSync(file)));
      assert.equal(bytes.get(path.basename(file)), fs.statSync(file).size);
    }
  });

  it('gives rsync no name when making the links fails: nothing is sent, rsync has exited, the error is the caller’s', async () => {
    const { request } = batch('broken');
    await assert.rejects(
      runRsync(request, () => {
        throw new Error('no room for the links');
      }),
      { message: 'no room for the links' },
    );
    assert.deepEqual(rsyncChildren(), []);
    assert.deepEqual(fs.readdirSync(request.plotsDir), []);
  });

  it('started for a target’s root before the disk is known, writes the batch into the plots folder it is given later, and leaves the folders above it as they were', async () => {
    const { request, sources } = batch('root');
    // the target's root, two folders above the disk's plots folder, as a survey finds it
    const root = path.join(scratch, 'root', 'target');
    const plotsDir = path.join(root, 'farm1', 'disk1', 'plots');
    fs.mkdirSync(plotsDir, { recursive: true });
    fs.mkdirSync(path.join(root, 'farm1', 'disk2', 'plots'), { recursive: true });
    const old = new Date('2020-01-01T00:00:00Z');
    for (const dir of [root, path.join(root, 'farm1'), path.join(root, 'farm1', 'disk1')]) fs.utimesSync(dir, old, old);
    const started = new StartedRsync({ place: HERE, sshConfig: '', bwlimit: 0, root, linkDir: request.linkDir });
    assert.equal(started.linksFor('/elsewhere/farm1/disk1/plots'), null);
    assert.equal(started.linksFor(plotsDir), path.join(request.linkDir, 'farm1', 'disk1', 'plots'));

    const result = await started.send({ plotsDir, plotNames: request.plotNames }, (linkDir) => {
      fs.mkdirSync(linkDir, { recursive: true });
      for (const file of sources) fs.symlinkSync(file, path.join(linkDir, `${path.basename(file)}.partial`));
    });

    assert.deepEqual(result, { ok: true });
    assert.deepEqual(fs.readdirSync(plotsDir).sort(), request.plotNames.map((name) => `${name}.partial`).sort());
    assert.deepEqual(fs.readdirSync(path.join(root, 'farm1')).sort(), ['disk1', 'disk2']);
    assert.deepEqual(fs.readdirSync(path.join(root, 'farm1', 'disk2', 'plots')), []);
    for (const dir of [root, path.join(root, 'farm1'), path.join(root, 'farm1', 'disk1')])
      assert.equal(fs.statSync(dir).mtime.getTime(), old.getTime(), dir);
    assert.equal(started.waiting, false);
  });

  it('started and then given no batch, sends nothing, makes nothing on the target and exits', async () => {
    const root = path.join(scratch, 'cancelled', 'target');
    fs.mkdirSync(path.join(root, 'farm1', 'disk1', 'plots'), { recursive: true });
    const linkDir = path.join(scratch, 'cancelled', 'send');
    const started = new StartedRsync({ place: HERE, sshConfig: '', bwlimit: 0, root, linkDir });
    assert.equal(started.waiting, true);

    const result = await started.cancel();

    assert.equal(result.ok, true);
    assert.equal(started.waiting, false);
    assert.deepEqual(rsyncChildren(), []);
    assert.deepEqual(fs.readdirSync(path.join(root, 'farm1', 'disk1', 'plots')), []);
    assert.deepEqual(fs.readdirSync(linkDir), []);
    await assert.rejects(
      started.send({ plotsDir: path.join(root, 'farm1', 'disk1', 'plots'), plotNames: [] }, () => undefined),
      { message: `this rsync cannot take a batch for ${path.join(root, 'farm1', 'disk1', 'plots')}` },
    );
  });
});

describe("a batch's rsync arguments", () => {
  it("puts the ciphers archive_cipher chose in the -e of a batch's rsync to a remote host, and nothing when ssh chooses", () => {
    const start = {
      place: { kind: 'remote' as const, user: null, host: 'h1', port: 2222, root: '/srv' },
      sshConfig: '',
      bwlimit: 0,
      root: '/srv',
      linkDir: '/tmp/links',
    };
    const shell = (args: string[]) => args[args.indexOf('-e') + 1];
    assert.match(
      shell(rsyncArgs({ ...start, ciphers: AES_GCM_FIRST })),
      / -o Ciphers=aes128-gcm@openssh\.com,aes256-gcm@openssh\.com,chacha20-poly1305@openssh\.com,aes128-ctr,aes192-ctr,aes256-ctr$/,
    );
    assert.doesNotMatch(shell(rsyncArgs({ ...start, ciphers: null })), /Ciphers/);
  });
});
