import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  makePlot,
  makeTargetDisk,
  plotFiles,
  useSshArchiveWorld,
  type MadePlot,
  type SshArchiveWorld,
} from '../helpers/archive-world.js';
import { IS_ROOT, NOT_ROOT } from '../helpers/small-filesystems.js';
import {
  builtScript,
  logMessages,
  makeDisks,
  makeTempHome,
  runScript,
  waitFor,
  type TempHome,
} from '../helpers/temp-home.js';

const KiB = 1024;
const PLOT = 300 * KiB;

/** A plotter's home archiving its staging farm to the harvester's root over ssh. */
function plotterHome(world: SshArchiveWorld, root: string): TempHome {
  const home = world.keep(makeTempHome('goplot-archiver-leases-'));
  const { ssh, server } = world;
  makeDisks(home, { staging: ['ssd1'] });
  home.set('archive_staging', 'staging');
  home.set('archive_ssh_config', ssh.clientConfig);
  home.set('prom_dir', home.logsDir);
  fs.mkdirSync(path.join(home.configDir, 'archive', 'targets'), { recursive: true });
  fs.writeFileSync(path.join(home.configDir, 'archive', 'targets', 'h1.goplot'), `127.0.0.1:${server.port}:${root}\n`);
  return home;
}

function staging(home: TempHome): string {
  return path.join(home.farmRoot, 'staging', 'ssd1', 'plots');
}

function leaseFiles(disk: string): string[] {
  try {
    return fs.readdirSync(path.join(path.dirname(disk), '.goplot-leases')).filter((name) => name.endsWith('.lease'));
  } catch {
    return [];
  }
}

describe(
  'archive leases on the target disk (two plotters with homes of their own, real sshd and rsync)',
  { skip: IS_ROOT ? false : NOT_ROOT },
  () => {
    const world = useSshArchiveWorld('goplot-leases-');
    const { scratch } = world;

    it('a disk with room for one more plot gets exactly one of the two plotters’ plots, every time, and no transfer fails', async () => {
      for (let run = 0; run < 4; run++) {
        const root = path.join(scratch, `race${run}`);
        // 500 KiB: one 300 KiB plot and its margin, not two
        const disk = makeTargetDisk(root, 'farm1', 'disk1', 500);
        const a = plotterHome(world, root);
        const b = plotterHome(world, root);
        // slow copies: without a lease both would start, and one would fail with the disk full
        for (const home of [a, b]) home.set('archive_bwlimit', 100);
        const plots = new Map<TempHome, MadePlot>([
          [a, makePlot(staging(a), PLOT, 0)],
          [b, makePlot(staging(b), PLOT, 1)],
        ]);
        const [first, second] = await Promise.all([
          runScript(a, 'scripts/archiver.js', ['--once']),
          runScript(b, 'scripts/archiver.js', ['--once']),
        ]);
        assert.equal(first.exitCode, 0, first.stderr);
        assert.equal(second.exitCode, 0, second.stderr);
        const arrived = plotFiles(disk);
        assert.equal(arrived.length, 1, `run ${run}: ${arrived.join(', ')}`);
        const winner = [a, b].find((home) => plots.get(home)!.name === arrived[0])!;
        const loser = winner === a ? b : a;
        assert.ok(fs.readFileSync(path.join(disk, arrived[0])).equals(plots.get(winner)!.bytes));
        assert.ok(fs.readFileSync(plots.get(loser)!.file).equals(plots.get(loser)!.bytes), 'the other plot stays');
        for (const home of [a, b]) {
          const lines = logMessages(home, 'archiver.log');
          assert.deepEqual(
            lines.filter((line) => line.startsWith('transfer failed')),
            [],
            `run ${run}: ${lines.join('\n')}`,
          );
        }
        assert.deepEqual(
          fs.readdirSync(disk).filter((name) => name.endsWith('.partial')),
          [],
        );
        assert.deepEqual(
          leaseFiles(disk),
          [],
          `the winner removed its lease once its plot arrived: ${[...logMessages(a, 'archiver.log'), ...logMessages(b, 'archiver.log')].join('\n')}`,
        );
      }
    });

    it('the lease of a holder killed -9 expires, is said once, and its room is used', async () => {
      const root = path.join(scratch, 'killed');
      // room for the killed plotter's partial copy and one plot, not for its whole lease beside them
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 560);
      const a = plotterHome(world, root);
      const b = plotterHome(world, root);
      a.set('archive_bwlimit', 20);
      a.set('archive_lease_seconds', 30);
      const stuck = makePlot(staging(a), PLOT, 0);
      const waiting = makePlot(staging(b), PLOT, 1);
      // its own process group, so that kill -9 takes rsync with it, as a power cut would
      const holder = spawn('node', [builtScript('scripts/archiver.js'), '--home', a.home], {
        stdio: 'ignore',
        detached: true,
      });
      const partial = path.join(disk, `${stuck.name}.partial`);
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      try {
        await waitFor(
          'the copy to begin',
          () => {
            if (holder.exitCode !== null)
              throw new Error(`the archiver exited: ${logMessages(a, 'archiver.log').join('\n')}`);
            return fs.existsSync(partial) && leaseFiles(disk).length === 1;
          },
          30_000,
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}: ${logMessages(a, 'archiver.log').join('\n')}`);
      } finally {
        if (holder.exitCode === null) process.kill(-holder.pid!, 'SIGKILL');
        await exited;
      }
      const [lease] = leaseFiles(disk);
      assert.ok(lease, 'the holder had a lease on the disk');
      const text = fs.readFileSync(path.join(path.dirname(disk), '.goplot-leases', lease), 'utf8');
      assert.match(text, new RegExp(`^holder ${os.hostname()} ${a.home} pid ${holder.pid}$`, 'm'));
      const bytes = Number(/^bytes (\d+)$/m.exec(text)?.[1]);
      assert.ok(bytes > 0 && bytes <= Math.ceil(PLOT * 1.01), text);
      assert.match(text, new RegExp(`^plots ${stuck.name}$`, 'm'));
      const expires = Number(/^expires (\d+)$/m.exec(text)![1]);

      const early = await runScript(b, 'scripts/archiver.js', ['--once']);
      assert.equal(early.exitCode, 0, early.stderr);
      if (Date.now() < expires * 1000)
        assert.deepEqual(plotFiles(disk), [], 'while the lease holds, the other plotter does not take its room');

      await waitFor(
        'the room of the expired lease to be used',
        async () => {
          await runScript(b, 'scripts/archiver.js', ['--once']);
          return plotFiles(disk).includes(waiting.name);
        },
        90_000,
        1000,
      );
      assert.ok(fs.readFileSync(path.join(disk, waiting.name)).equals(waiting.bytes));
      assert.equal(fs.existsSync(waiting.file), false);
      assert.ok(fs.existsSync(partial), "the killed plotter's partial copy stays for it to resume");
      assert.ok(fs.readFileSync(stuck.file).equals(stuck.bytes));
      const said = logMessages(b, 'archiver.log').filter((line) => line.startsWith('the lease of '));
      assert.equal(said.length, 1, said.join('\n'));
      assert.match(
        said[0],
        new RegExp(
          `^the lease of ${os.hostname()} ${a.home} pid ${holder.pid} for ${bytes} bytes \\(expired at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\) on h1:farm1/disk1 was removed: its holder stopped renewing it, so its room is free again$`,
        ),
      );
      assert.deepEqual(leaseFiles(disk), []);
    });
  },
);
