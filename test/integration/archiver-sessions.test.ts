import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { aesGcmInCpuinfo } from '../../lib/archive/bulk-cipher.js';
import { makePlot, makePos2, makeTargetDisk, plotFiles, useSshArchiveWorld } from '../helpers/archive-world.js';
import { IS_ROOT, NOT_ROOT } from '../helpers/small-filesystems.js';
import { recordLoads } from '../helpers/record-loads.js';
import { logMessages, makeDisks, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';

const KiB = 1024;
/** Whether this machine (the harvester here too) does AES-GCM in hardware. */
const AES_HERE = aesGcmInCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8')) === true;

/**
 * A folder with an `ssh` that writes its arguments, one invocation a line, to `log`, then runs
 * the real ssh: first on PATH, it sees every ssh the archiver and its rsync start.
 */
function sshRecorder(dir: string): { bin: string; log: string } {
  const real = execFileSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).trim();
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'ssh.log');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`, {
    mode: 0o755,
  });
  return { bin, log };
}

/**
 * An `ssh` like sshRecorder's whose session logins (`sh -s`) first wait, up to 3 s, for an rsync's
 * ssh to start, then say in the log whether one had: one started only after the survey answers
 * never comes in time.
 */
function sessionAfterRsync(dir: string): { bin: string; log: string } {
  const recorder = sshRecorder(dir);
  const real = execFileSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).trim();
  const seen = `grep -q ' rsync --server ' '${recorder.log}'`;
  fs.writeFileSync(
    path.join(recorder.bin, 'ssh'),
    [
      '#!/bin/sh',
      `printf '%s\\n' "$*" >> '${recorder.log}'`,
      'case "$*" in *" sh -s")',
      '  i=0',
      `  while [ $i -lt 60 ] && ! ${seen}; do sleep 0.05; i=$((i + 1)); done`,
      `  if ${seen}; then echo 'session after rsync' >> '${recorder.log}'; else echo 'session before rsync' >> '${recorder.log}'; fi ;;`,
      'esac',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return recorder;
}

/**
 * A `df` for the same folder that says in the log whether a session's ssh had started before
 * it was asked (waiting up to 3 s for one: one started after df returns never comes in time).
 */
function dfRecorder(bin: string, log: string): void {
  const real = execFileSync('sh', ['-c', 'command -v df'], { encoding: 'utf8' }).trim();
  const seen = `grep -q ' sh -s$' '${log}' 2>/dev/null`;
  fs.writeFileSync(
    path.join(bin, 'df'),
    [
      '#!/bin/sh',
      'i=0',
      `while [ $i -lt 60 ] && ! ${seen}; do sleep 0.05; i=$((i + 1)); done`,
      `if ${seen}; then echo 'df after a session' >> '${log}'; else echo 'df before any session' >> '${log}'; fi`,
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
}

/** The ssh invocations the log holds, by kind: a session running sh, rsync's own, ending the master. */
function sessionsIn(log: string): { sh: number; rsync: number; exit: number } {
  const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  return {
    sh: lines.filter((line) => line.endsWith(' sh -s')).length,
    rsync: lines.filter((line) => / rsync --server /.test(line)).length,
    exit: lines.filter((line) => line.includes(' -O exit ')).length,
  };
}

/** The lines of a recorder's log that begin with `start`. */
function linesSaying(log: string, start: string): string[] {
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith(start));
}

/** `archiver.js --once` for the home with the recorder's commands first on PATH; it must succeed. */
async function onceWith(home: TempHome, recorder: { bin: string }): Promise<void> {
  const run = await runScript(home, 'scripts/archiver.js', ['--once'], {
    env: { PATH: `${recorder.bin}:${process.env.PATH ?? ''}` },
  });
  assert.equal(run.exitCode, 0, run.stderr);
}

describe(
  'ssh sessions the archiver opens on a harvester per pass (real sshd and rsync, an ssh that counts)',
  { skip: IS_ROOT ? false : NOT_ROOT },
  () => {
    const world = useSshArchiveWorld('goplot-sessions-');
    const { scratch } = world;

    /** A home archiving its staging farm to `root` on the suite's sshd. */
    function homeFor(root: string): { home: TempHome; staging: string } {
      const home = world.keep(makeTempHome('goplot-archiver-sessions-'));
      makeDisks(home, { staging: ['ssd1'] });
      home.set('archive_staging', 'staging');
      home.set('archive_ssh_config', world.ssh.clientConfig);
      fs.mkdirSync(path.join(home.configDir, 'archive', 'targets'), { recursive: true });
      fs.writeFileSync(
        path.join(home.configDir, 'archive', 'targets', 'h1.goplot'),
        `127.0.0.1:${world.server.port}:${root}\n`,
      );
      return { home, staging: path.join(home.farmRoot, 'staging', 'ssd1', 'plots') };
    }

    /** The host's CPU as an earlier run's survey saw it (this machine's own): its batches' ciphers are known before the survey. */
    function knownHost(home: TempHome): void {
      const file = path.join(home.logsDir, '.archive', 'host-aes.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ [`127.0.0.1:${world.server.port}`]: AES_HERE }));
    }

    /** `archiver.js --once` with the counting ssh first on PATH; what it logged. */
    async function countedRun(
      home: TempHome,
      name: string,
    ): Promise<ReturnType<typeof sessionsIn> & { execa: number }> {
      const recorder = sshRecorder(path.join(scratch, `${name}-ssh`));
      const loads = recordLoads(home.root);
      const run = await runScript(home, 'scripts/archiver.js', ['--once'], {
        env: { PATH: `${recorder.bin}:${process.env.PATH ?? ''}`, ...loads.env },
      });
      assert.equal(run.exitCode, 0, run.stderr);
      // the hook saw the run: the archiver and the package that reads its options loaded
      assert.ok(loads.loaded().some((url) => url.endsWith('/scripts/archiver.js')));
      assert.ok(loads.loaded().some((url) => url.includes('/node_modules/commander/')));
      const execa = loads.loaded().filter((url) => url.includes('/node_modules/execa/')).length;
      return { ...sessionsIn(recorder.log), execa };
    }

    it('a pass sending a batch of plots to one disk surveys, claims its lease and finishes the batch in one ssh session, beside rsync’s own, and loads no execa', async () => {
      const root = path.join(scratch, 'steady');
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 4096);
      const { home, staging } = homeFor(root);
      const plots = [0, 1, 2].map((i) => makePlot(staging, 300 * KiB, i));

      const counted = await countedRun(home, 'steady');

      assert.deepEqual(plotFiles(disk), plots.map((plot) => plot.name).sort());
      assert.deepEqual(plotFiles(staging), []);
      // and no execa: every script of the pass went to the session (node's spawn), none alone
      assert.deepEqual(counted, { sh: 1, rsync: 1, exit: 1, execa: 0 }, logMessages(home, 'archiver.log').join('\n'));
    });

    it('a pass that must read the headers of the pos2 plots on the target reads them in that same session', async () => {
      const root = path.join(scratch, 'groups');
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 4096);
      const held = makePos2(disk, 200, 0, 16);
      const { home, staging } = homeFor(root);
      const group = [1, 2].map((i) => makePos2(staging, 200, i).name);

      const counted = await countedRun(home, 'groups');

      const log = logMessages(home, 'archiver.log').join('\n');
      assert.deepEqual(
        fs
          .readdirSync(disk)
          .filter((name) => name.endsWith('.plot2'))
          .sort(),
        [held.name, ...group].sort(),
        log,
      );
      // the header of the plot there was read over ssh: the cache names it
      const cache = fs.readFileSync(path.join(home.logsDir, '.archive', 'remote-headers.json'), 'utf8');
      assert.ok(cache.includes(held.name), cache);
      assert.deepEqual(counted, { sh: 1, rsync: 1, exit: 1, execa: 0 }, log);
    });

    it('a pass starts its session’s ssh login before it reads the staging disks, so the two go on at once', async () => {
      const root = path.join(scratch, 'early');
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 4096);
      const { home, staging } = homeFor(root);
      // the staging disk's space comes from df, which the recorder's df stands in for
      home.set('disk_space', 'df');
      const plot = makePlot(staging, 300 * KiB, 0);
      const recorder = sshRecorder(path.join(scratch, 'early-ssh'));
      dfRecorder(recorder.bin, recorder.log);

      await onceWith(home, recorder);
      assert.deepEqual(plotFiles(disk), [plot.name]);
      assert.deepEqual(linesSaying(recorder.log, 'df '), ['df after a session']);
    });

    it('a pass starts its batch’s rsync (and its login) while it still surveys, before it has chosen the disk', async () => {
      const root = path.join(scratch, 'ahead');
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 4096);
      const { home, staging } = homeFor(root);
      const plots = [0, 1].map((i) => makePlot(staging, 300 * KiB, i));
      knownHost(home);
      const recorder = sessionAfterRsync(path.join(scratch, 'ahead-ssh'));

      await onceWith(home, recorder);
      const log = logMessages(home, 'archiver.log').join('\n');
      assert.deepEqual(plotFiles(disk), plots.map((plot) => plot.name).sort(), log);
      assert.deepEqual(plotFiles(staging), []);
      assert.deepEqual(linesSaying(recorder.log, 'session '), ['session after rsync']);
      // the rsync started ahead was the batch's: one rsync, one session
      assert.deepEqual(sessionsIn(recorder.log), { sh: 1, rsync: 1, exit: 1 });
    });

    it('a host no survey has answered yet gets its rsync after the survey where this CPU does AES-GCM (its ciphers wait for the answer), ahead where not', async () => {
      const root = path.join(scratch, 'unknown');
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 4096);
      const { home, staging } = homeFor(root);
      const plot = makePlot(staging, 300 * KiB, 0);
      const recorder = sessionAfterRsync(path.join(scratch, 'unknown-ssh'));

      await onceWith(home, recorder);
      assert.deepEqual(plotFiles(disk), [plot.name], logMessages(home, 'archiver.log').join('\n'));
      assert.deepEqual(linesSaying(recorder.log, 'session '), [
        AES_HERE ? 'session before rsync' : 'session after rsync',
      ]);
      assert.deepEqual(sessionsIn(recorder.log), { sh: 1, rsync: 1, exit: 1 });
    });

    it('an rsync started ahead for a target the pass then sends nothing to sends nothing and ends, and the run with it', async () => {
      const root = path.join(scratch, 'nothing');
      // 1 MiB: no room for a plot of 2 MiB
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 1024);
      const { home, staging } = homeFor(root);
      const plot = makePlot(staging, 2048 * KiB, 0);
      knownHost(home);
      const recorder = sshRecorder(path.join(scratch, 'nothing-ssh'));

      await onceWith(home, recorder);
      assert.deepEqual(fs.readdirSync(disk), []);
      assert.deepEqual(plotFiles(staging), [plot.name]);
      assert.deepEqual(sessionsIn(recorder.log), { sh: 1, rsync: 1, exit: 1 });
      // its links' folder is gone with it
      assert.deepEqual(fs.readdirSync(path.join(home.logsDir, '.archive', 'send')), []);
    });
  },
);
