import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { aesGcmInCpuinfo } from '../../lib/archive/bulk-cipher.js';
import { makePlot, makeTargetDisk, plotFiles, useSshArchiveWorld } from '../helpers/archive-world.js';
import { IS_ROOT, NOT_ROOT } from '../helpers/small-filesystems.js';
import type { SshServer } from '../helpers/sshd.js';
import { logMessages, makeDisks, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';

const KiB = 1024;

/** The cipher each connection to the server used from the client, as sshd logged it at DEBUG1. */
function ciphersUsed(server: SshServer): string[] {
  return [...server.log().matchAll(/kex: client->server cipher: (\S+)/g)].map((match) => match[1]);
}

describe(
  "the ciphers a batch's ssh asks for (archive_cipher; real sshd logging each connection's, real rsync)",
  { skip: IS_ROOT ? false : NOT_ROOT },
  () => {
    const world = useSshArchiveWorld('goplot-ciphers-');
    // both ends are this machine: its CPU answers for the harvester too
    const aesHere = aesGcmInCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8')) === true;

    /** A home archiving its staging farm to a fresh target on a fresh server that keeps its log. */
    async function setUp(name: string, cipher?: string) {
      const server = await world.ssh.start({ keepLog: true });
      const root = path.join(world.scratch, name);
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 4096);
      const home: TempHome = world.keep(makeTempHome(`goplot-ciphers-${name}-`));
      makeDisks(home, { staging: ['ssd1'] });
      home.set('archive_staging', 'staging');
      home.set('archive_ssh_config', world.ssh.clientConfig);
      if (cipher !== undefined) home.set('archive_cipher', cipher);
      fs.mkdirSync(path.join(home.configDir, 'archive', 'targets'), { recursive: true });
      fs.writeFileSync(
        path.join(home.configDir, 'archive', 'targets', 'h1.goplot'),
        `127.0.0.1:${server.port}:${root}\n`,
      );
      const staging = path.join(home.farmRoot, 'staging', 'ssd1', 'plots');
      const archive = async () => {
        const plot = makePlot(staging, 200 * KiB);
        const run = await runScript(home, 'scripts/archiver.js', ['--once']);
        assert.equal(run.exitCode, 0, run.stderr);
        assert.ok(plotFiles(disk).includes(plot.name), logMessages(home, 'archiver.log').join('\n'));
      };
      return { server, home, archive, hostKey: `127.0.0.1:${server.port}` };
    }

    it('auto asks for AES-GCM first when both CPUs do it in hardware, else leaves ssh its own, and keeps the host’s answer for the next run', async () => {
      const { server, home, archive, hostKey } = await setUp('auto');
      await archive();
      // the session's (the survey's, the lease's, the finish's) ssh chooses; the batch's rsync asks
      const own = ciphersUsed(server)[0];
      assert.deepEqual(ciphersUsed(server), aesHere ? [own, 'aes128-gcm@openssh.com'] : [own, own]);
      const saved = JSON.parse(fs.readFileSync(path.join(home.logsDir, '.archive', 'host-aes.json'), 'utf8'));
      assert.deepEqual(saved, { [hostKey]: aesHere });
      assert.ok(
        logMessages(home, 'archiver.log').includes(
          aesHere
            ? `${hostKey}: its CPU does AES-GCM in hardware; batches there ask ssh for aes128-gcm@openssh.com first (archive_cipher auto)`
            : `${hostKey}: its CPU does not do AES-GCM in hardware; batches there use ssh's own ciphers (archive_cipher auto)`,
        ),
      );
      // a second run knows the host from the start: its rsync, started before the survey, asks the same
      await archive();
      assert.deepEqual(
        ciphersUsed(server).slice(2).sort(),
        aesHere ? [own, 'aes128-gcm@openssh.com'].sort() : [own, own],
      );
    });

    it('a cipher list is asked for as it is, whatever the CPUs', async () => {
      const { server, archive } = await setUp('list', 'aes256-gcm@openssh.com');
      await archive();
      assert.ok(ciphersUsed(server).includes('aes256-gcm@openssh.com'), ciphersUsed(server).join(' '));
    });

    it("ssh leaves every connection to ssh's own first choice", async () => {
      const { server, archive } = await setUp('ssh', 'ssh');
      await archive();
      const settings = execFileSync('ssh', ['-F', world.ssh.clientConfig, '-G', '127.0.0.1'], { encoding: 'utf8' });
      const first = /^ciphers ([^,\n]+)/m.exec(settings)![1];
      assert.deepEqual(ciphersUsed(server), [first, first]);
    });
  },
);
