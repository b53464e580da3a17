import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planPass, type PassWorld } from '../../lib/archive/archive-pass.js';
import { TargetReader } from '../../lib/archive/archive-targets.js';
import { releaseReservation, ownStartTicks } from '../../lib/archive/reservations.js';
import { transferPlot } from '../../lib/archive/transfer-plot.js';
import { ConfigReader } from '../../lib/config/config-reader.js';
import { makePlot, makeTargetDisk, plotFiles, unmountUnder, type MadePlot } from '../helpers/archive-world.js';
import { IS_ROOT, NOT_ROOT } from '../helpers/small-filesystems.js';
import { makeSshWorld, type SshServer, type SshWorld } from '../helpers/sshd.js';
import { remoteHeaderCacheFile } from '../../lib/archive/remote-headers.js';
import { startHttpRecorder } from '../helpers/http-recorder.js';
import { logMessages, makeDisks, makeTempHome, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

const KiB = 1024;
const PLOT = 300 * KiB;

interface World {
  home: TempHome;
  disk: string;
  oldSolo: MadePlot[];
  oldPool: MadePlot;
  staged: MadePlot[];
}

/**
 * A local target disk (a 1000 KiB tmpfs) full of old plots: two solo ones and one pool one,
 * about 100 KiB left, and new pool plots staged for it.
 */
function setUp(homes: TempHome[], staged: number, remote?: { ssh: SshWorld; server: SshServer }): World {
  const home = makeTempHome('goplot-archiver-replot-');
  homes.push(home);
  makeDisks(home, { staging: ['ssd1'] });
  home.set('archive_staging', 'staging');
  home.set('prom_dir', home.logsDir);
  fs.mkdirSync(path.join(home.configDir, 'archive', 'targets'), { recursive: true });
  let root = home.farmRoot;
  if (remote) {
    root = path.join(home.root, 'harvester1');
    home.set('archive_ssh_config', remote.ssh.clientConfig);
    fs.writeFileSync(
      path.join(home.configDir, 'archive', 'targets', 'h1.goplot'),
      `127.0.0.1:${remote.server.port}:${root}\n`,
    );
  } else fs.writeFileSync(path.join(home.configDir, 'archive', 'targets', 'here.goplot'), 'local\n');
  const disk = makeTargetDisk(root, 'farm1', 'disk1', 1000);
  const oldSolo = [0, 1].map((i) => makePlot(disk, PLOT, i, 'solo'));
  const oldPool = makePlot(disk, PLOT, 2, 'pool');
  const stagingPlots = path.join(home.farmRoot, 'staging', 'ssd1', 'plots');
  return {
    home,
    disk,
    oldSolo,
    oldPool,
    staged: Array.from({ length: staged }, (_, i) => makePlot(stagingPlots, PLOT, 10 + i, 'pool')),
  };
}

function removedCount(home: TempHome): number {
  const file = path.join(home.configDir, 'replot_removed.goplot');
  return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : 0;
}

function passWorld(home: TempHome, said: string[]): PassWorld {
  return {
    paths: home,
    config: new ConfigReader(home, () => {}),
    now: Date.now,
    procDir: '/proc',
    mountinfoPath: '/proc/self/mountinfo',
    pid: process.pid,
    pidStart: ownStartTicks(),
    sayOnce: (_key, _level, message) => {
      if (message !== null) said.push(message);
    },
  };
}

/** The homes a describe block makes, their tmpfs disks unmounted and removed after it. */
function tmpfsHomes(): TempHome[] {
  const homes: TempHome[] = [];
  after(() => {
    for (const home of homes) {
      unmountUnder(home.root);
      home.cleanup();
    }
  });
  return homes;
}

describe('archiver with replot on a local target disk', { skip: IS_ROOT ? false : NOT_ROOT }, () => {
  const homes = tmpfsHomes();

  it('replaces one old matching plot per new plot, never a plot the rule does not match, and then waits', async (t) => {
    const { home, disk, oldSolo, oldPool, staged } = setUp(homes, 3);
    home.set('replot', 'on');
    home.set('replot_match', 'kind=solo');
    const recorder = await startHttpRecorder();
    t.after(() => recorder.close());
    fs.writeFileSync(path.join(home.configDir, 'notify_webhook'), `${recorder.url}/hook\n`, { mode: 0o600 });
    // both removals are on one disk (one subject): no rate limit between them here
    home.set('notify_gap', 0);
    for (let i = 0; i < 2; i++) {
      const run = await runScript(home, 'scripts/archiver.js', ['--once']);
      assert.equal(run.exitCode, 0, run.stderr);
      // one transfer per host at once: the oldest staged plot went, in place of the oldest solo plot
      const expected = [...oldSolo.slice(i + 1), oldPool, ...staged.slice(0, i + 1)].map((p) => p.name).sort();
      assert.deepEqual(plotFiles(disk), expected, `after run ${i + 1}`);
      assert.ok(fs.readFileSync(path.join(disk, staged[i].name)).equals(staged[i].bytes));
      assert.equal(removedCount(home), i + 1);
      const removals = logMessages(home, 'archiver.log').filter((line) => line.startsWith('replot removed '));
      assert.equal(removals.length, i + 1, removals.join('\n'));
      assert.match(
        removals[i],
        new RegExp(
          `^replot removed ${oldSolo[i].name} \\(v1 k25 C0 solo, id ${oldSolo[i].name.slice(-69, -57)}…, 300\\.0 KiB, made [0-9: -]+ UTC\\) from here:farm1/disk1 for ${staged[i].name} \\(v1 k25 C0 pool, 300\\.0 KiB, from staging/ssd1\\): \\d+\\.\\d KiB were missing$`,
        ),
      );
    }
    const events = await waitFor('two replot_removed notifications', () => {
      const sent = recorder.requests
        .map((request) => JSON.parse(request.body) as { event: string; subject: string; text: string })
        .filter((event) => event.event === 'replot_removed');
      return sent.length === 2 ? sent : null;
    });
    assert.deepEqual(
      events.map((event) => [event.subject, event.text.slice(0, event.text.indexOf(' ('))]),
      oldSolo.map((old) => ['archive target here:farm1/disk1', `replot removed ${old.name}`]),
    );
    // no solo plot left: the pool plot is never taken, and the last plot waits on the staging disk
    const run = await runScript(home, 'scripts/archiver.js', ['--once']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(plotFiles(disk), [oldPool, ...staged.slice(0, 2)].map((p) => p.name).sort());
    assert.ok(fs.existsSync(staged[2].file));
    assert.equal(removedCount(home), 2);
    const lines = logMessages(home, 'archiver.log');
    assert.ok(
      lines.includes(
        `archive target here is full: no disk has room for ${staged[2].name} (${PLOT} bytes) (said once until it has room)`,
      ),
      lines.join('\n'),
    );
  });

  it('removes nothing with replot off: the plot waits and the target is said to be full', async () => {
    const { home, disk, oldSolo, oldPool, staged } = setUp(homes, 1);
    home.set('replot', 'off');
    home.set('replot_match', 'kind=solo');
    const run = await runScript(home, 'scripts/archiver.js', ['--once']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(plotFiles(disk), [...oldSolo, oldPool].map((p) => p.name).sort());
    assert.ok(fs.existsSync(staged[0].file));
    assert.equal(removedCount(home), 0);
    const lines = logMessages(home, 'archiver.log');
    assert.ok(
      lines.includes(
        `archive target here is full: no disk has room for ${staged[0].name} (${PLOT} bytes) (said once until it has room)`,
      ),
      lines.join('\n'),
    );
    assert.equal(lines.filter((line) => line.startsWith('replot removed')).length, 0);
  });

  it('removes nothing when the rule matches the plot being archived too', async () => {
    const { home, disk, oldSolo, oldPool, staged } = setUp(homes, 1);
    home.set('replot', 'on');
    home.set('replot_match', 'k=25');
    const run = await runScript(home, 'scripts/archiver.js', ['--once']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(plotFiles(disk), [...oldSolo, oldPool].map((p) => p.name).sort());
    assert.ok(fs.existsSync(staged[0].file));
    assert.ok(
      logMessages(home, 'archiver.log').includes(
        `replot_match (k=25) also matches ${staged[0].name} (k25 C0 pool): no old plot is removed for it`,
      ),
      logMessages(home, 'archiver.log').join('\n'),
    );
  });

  it('a transfer failing after its removal says so, and its next try removes no second plot', async () => {
    const { home, disk, oldSolo, oldPool, staged } = setUp(homes, 1);
    home.set('replot', 'on');
    home.set('replot_match', 'kind=solo');
    const targets = new TargetReader(home, () => {}).read();
    const said: string[] = [];
    const first = await planPass(targets, passWorld(home, said));
    assert.equal(first.planned.length, 1);
    const planned = first.planned[0];
    assert.deepEqual(plotFiles(disk), [oldSolo[1], oldPool].map((p) => p.name).sort());
    assert.equal(removedCount(home), 1);

    // the source goes away under the transfer: rsync fails
    const aside = `${staged[0].file}.aside`;
    fs.renameSync(staged[0].file, aside);
    const failed: string[] = [];
    const outcome = await transferPlot(planned, {
      sshConfig: '',
      bwlimit: 0,
      now: Date.now,
      procDir: '/proc',
      log: (_level, message) => failed.push(message),
      onBytes: () => {},
      signal: new AbortController().signal,
    });
    assert.equal(outcome.ok, false);
    releaseReservation(home, planned.reservation);
    const failure = failed.find((line) => line.startsWith('transfer failed: '));
    assert.ok(failure, failed.join('\n'));
    assert.match(
      failure,
      new RegExp(
        `; replot removed ${oldSolo[0].name} \\(v1 k25 C0 solo, .*\\) from here:farm1/disk1 for it: that room stays free for the next plot, and no second old plot is removed for this one unless another plot takes it$`,
      ),
    );
    fs.renameSync(aside, staged[0].file);

    // the room freed is taken by something else meanwhile: the plot waits, the other solo plot stays
    const filler = path.join(disk, 'filler.bin');
    fs.writeFileSync(filler, Buffer.alloc(PLOT));
    const second = await planPass(targets, passWorld(home, said));
    assert.equal(second.planned.length, 0);
    assert.deepEqual(plotFiles(disk), [oldSolo[1], oldPool].map((p) => p.name).sort());
    assert.equal(removedCount(home), 1);
    assert.ok(
      said.some(
        (line) =>
          line.startsWith(`replot already removed ${oldSolo[0].name} (v1 k25 C0 solo, `) &&
          line.endsWith(` from here:farm1/disk1 for ${staged[0].name}: it takes no second old plot, only free room`),
      ),
      said.join('\n'),
    );

    // the room is back: the plot goes there, still removing nothing
    fs.rmSync(filler);
    const third = await planPass(targets, passWorld(home, said));
    assert.equal(third.planned.length, 1);
    assert.equal(third.planned[0].reservation.disk, 'disk1');
    assert.deepEqual(plotFiles(disk), [oldSolo[1], oldPool].map((p) => p.name).sort());
    assert.equal(removedCount(home), 1);
    releaseReservation(home, third.planned[0].reservation);
  });
});

describe('archiver with replot: room freed for a failed transfer', { skip: IS_ROOT ? false : NOT_ROOT }, () => {
  const homes = tmpfsHomes();

  it('goes to the next plot, and then the failed plot may have one old plot removed for it again', async () => {
    const { home, disk, oldSolo, oldPool, staged } = setUp(homes, 1);
    home.set('replot', 'on');
    home.set('replot_match', 'kind=solo');
    home.set('archive_max_per_host', 2);
    const targets = new TargetReader(home, () => {}).read();
    const said: string[] = [];
    const first = await planPass(targets, passWorld(home, said));
    assert.equal(first.planned.length, 1);
    // its transfer failed (no rsync here): the reservation goes, the freed room stays
    releaseReservation(home, first.planned[0].reservation);
    assert.deepEqual(plotFiles(disk), [oldSolo[1], oldPool].map((p) => p.name).sort());
    // an older plot comes to staging: it takes the freed room, and the failed plot the next solo plot's
    const newer = makePlot(path.join(home.farmRoot, 'staging', 'ssd1', 'plots'), PLOT, 5, 'pool');
    const second = await planPass(targets, passWorld(home, said));
    // one stream per disk: a plot that needs an old plot removed opens a stream of its own, so
    // the failed plot waits for the next pass while the newer one is sent
    assert.deepEqual(
      second.planned.map((p) => p.reservation.plot),
      [newer.name],
    );
    assert.deepEqual(plotFiles(disk), [oldSolo[1], oldPool].map((p) => p.name).sort());
    assert.ok(
      second.notes.some(
        (note) =>
          note.text.startsWith(
            `the room replot freed on here:farm1/disk1 for ${staged[0].name} (by removing ${oldSolo[0].name} `,
          ) &&
          note.text.endsWith(`goes to ${newer.name}; ${staged[0].name} may have one old plot removed for it again`),
      ),
      JSON.stringify(second.notes),
    );
    for (const planned of second.planned) releaseReservation(home, planned.reservation);
    // the newer plot arrived (as its transfer would have put it there)
    fs.copyFileSync(newer.file, path.join(disk, newer.name));
    fs.rmSync(newer.file);
    const third = await planPass(targets, passWorld(home, said));
    assert.deepEqual(
      third.planned.map((p) => p.reservation.plot),
      [staged[0].name],
    );
    assert.deepEqual(plotFiles(disk), [oldPool.name, newer.name].sort());
    assert.equal(removedCount(home), 2);
    assert.ok(third.news.some((item) => item.text.startsWith(`replot removed ${oldSolo[1].name} `)));
    for (const planned of third.planned) releaseReservation(home, planned.reservation);
  });
});

describe(
  'archiver with replot: room a tractor was promised on the same disk',
  { skip: IS_ROOT ? false : NOT_ROOT },
  () => {
    const homes = tmpfsHomes();

    it('is left to the tractor: the archived plot makes its own room by replot, or waits', async () => {
      const { home, disk, oldSolo, oldPool, staged } = setUp(homes, 1);
      // room for one more plot: 1000 KiB, two old plots
      fs.rmSync(oldSolo[1].file);
      home.set('replot_match', 'kind=solo');
      // a plot of this process's tractor (a live pid) has come to its final write into this disk
      const claims = path.join(home.logsDir, '.replot', 'claims', 'farm1', 'disk1');
      fs.mkdirSync(claims, { recursive: true });
      fs.writeFileSync(
        path.join(claims, `${process.pid}.json`),
        JSON.stringify({ pid: process.pid, needKiB: 300, plotId: null }),
      );
      const targets = new TargetReader(home, () => {}).read();
      const said: string[] = [];
      home.set('replot', 'off');
      const off = await planPass(targets, passWorld(home, said));
      assert.equal(off.planned.length, 0);
      assert.equal(off.statuses[0].state, 'full');
      home.set('replot', 'on');
      const on = await planPass(targets, passWorld(home, said));
      assert.deepEqual(
        on.planned.map((p) => p.reservation.plot),
        [staged[0].name],
      );
      assert.deepEqual(plotFiles(disk), [oldPool.name]);
      assert.equal(removedCount(home), 1);
      releaseReservation(home, on.planned[0].reservation);
    });
  },
);

describe(
  'archiver with replot on a remote target disk (real sshd on 127.0.0.1, tmpfs disk)',
  { skip: IS_ROOT ? false : NOT_ROOT },
  () => {
    let ssh: SshWorld;
    let server: SshServer;
    const homes: TempHome[] = [];
    before(async () => {
      ssh = makeSshWorld();
      server = await ssh.start();
    });
    after(async () => {
      await ssh.cleanup();
      for (const home of homes) {
        unmountUnder(home.root);
        home.cleanup();
      }
    });

    it('replaces one old matching plot per new plot over ssh, never the pool plot, then waits', async () => {
      const { home, disk, oldSolo, oldPool, staged } = setUp(homes, 3, { ssh, server });
      home.set('replot', 'on');
      home.set('replot_match', 'kind=solo');
      for (let i = 0; i < 2; i++) {
        const run = await runScript(home, 'scripts/archiver.js', ['--once']);
        assert.equal(run.exitCode, 0, run.stderr);
        const expected = [...oldSolo.slice(i + 1), oldPool, ...staged.slice(0, i + 1)].map((p) => p.name).sort();
        assert.deepEqual(
          plotFiles(disk),
          expected,
          `after run ${i + 1}: ${logMessages(home, 'archiver.log').join('\n')}`,
        );
        assert.ok(fs.readFileSync(path.join(disk, staged[i].name)).equals(staged[i].bytes));
        assert.equal(removedCount(home), i + 1);
        const removals = logMessages(home, 'archiver.log').filter((line) => line.startsWith('replot removed '));
        assert.equal(removals.length, i + 1, removals.join('\n'));
        assert.match(
          removals[i],
          new RegExp(
            `^replot removed ${oldSolo[i].name} \\(v1 k25 C0 solo, id ${oldSolo[i].name.slice(-69, -57)}…, 300\\.0 KiB, made [0-9: -]+ UTC\\) from h1:farm1/disk1 for ${staged[i].name} \\(v1 k25 C0 pool, 300\\.0 KiB, from staging/ssd1\\): \\d+\\.\\d KiB were missing$`,
          ),
        );
      }
      // the headers read over ssh are kept by host, path, size and mtime: those listed by the last
      // survey (the removed plot's is forgotten; the plot that arrived after it is not read yet)
      const cached = Object.keys(
        (JSON.parse(fs.readFileSync(remoteHeaderCacheFile(home), 'utf8')) as { entries: Record<string, unknown> })
          .entries,
      );
      assert.deepEqual(
        cached.sort(),
        [oldSolo[1], oldPool, staged[0]].map((p) => `127.0.0.1:${server.port}|${path.join(disk, p.name)}`).sort(),
      );
      const run = await runScript(home, 'scripts/archiver.js', ['--once']);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(plotFiles(disk), [oldPool, ...staged.slice(0, 2)].map((p) => p.name).sort());
      assert.ok(fs.existsSync(staged[2].file));
      assert.equal(removedCount(home), 2);
      assert.ok(
        logMessages(home, 'archiver.log').includes(
          `archive target h1 is full: no disk has room for ${staged[2].name} (${PLOT} bytes) (said once until it has room)`,
        ),
        logMessages(home, 'archiver.log').join('\n'),
      );
    });

    it('removes nothing over ssh with replot off', async () => {
      const { home, disk, oldSolo, oldPool, staged } = setUp(homes, 1, { ssh, server });
      home.set('replot', 'off');
      home.set('replot_match', 'kind=solo');
      const run = await runScript(home, 'scripts/archiver.js', ['--once']);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(plotFiles(disk), [...oldSolo, oldPool].map((p) => p.name).sort());
      assert.ok(fs.existsSync(staged[0].file));
      assert.equal(removedCount(home), 0);
      assert.ok(
        logMessages(home, 'archiver.log').includes(
          `archive target h1 is full: no disk has room for ${staged[0].name} (${PLOT} bytes) (said once until it has room)`,
        ),
      );
    });
  },
);
