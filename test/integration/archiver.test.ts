import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import {
  builtScript,
  logMessages,
  makeDisks,
  makeTempHome,
  runScript,
  waitFor,
  type TempHome,
} from '../helpers/temp-home.js';
import { freePort } from '../helpers/prometheus.js';
import { startHttpRecorder } from '../helpers/http-recorder.js';
import { checkMetrics } from '../helpers/promtool.js';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { makeSshWorld, type SshServer, type SshWorld } from '../helpers/sshd.js';
import { IS_ROOT, NOT_ROOT } from '../helpers/small-filesystems.js';
import { makePlot, makeTargetDisk, plotFiles, unmountUnder, type MadePlot } from '../helpers/archive-world.js';

const KiB = 1024;

function setUpHome(ssh: SshWorld): TempHome {
  const home = makeTempHome('goplot-archiver-');
  makeDisks(home, { staging: ['ssd1'] });
  home.set('archive_staging', 'staging');
  home.set('archive_ssh_config', ssh.clientConfig);
  home.set('require_mount', 'yes');
  home.set('prom_dir', home.logsDir);
  fs.mkdirSync(path.join(home.configDir, 'archive', 'targets'), { recursive: true });
  return home;
}

function addTarget(home: TempHome, name: string, value: string): void {
  fs.writeFileSync(path.join(home.configDir, 'archive', 'targets', `${name}.goplot`), `${value}\n`);
}

function stagingPlots(home: TempHome): string {
  return path.join(home.farmRoot, 'staging', 'ssd1', 'plots');
}

function assertArrived(plotsDir: string, plot: MadePlot): void {
  const copy = path.join(plotsDir, plot.name);
  assert.ok(fs.existsSync(copy), `${plot.name} should be in ${plotsDir}`);
  assert.ok(fs.readFileSync(copy).equals(plot.bytes), `${copy} should equal the source byte for byte`);
}

function archiverLog(home: TempHome): string[] {
  return logMessages(home, 'archiver.log');
}

describe(
  'archiver over ssh and rsync (real sshd on 127.0.0.1, tmpfs disks)',
  { skip: IS_ROOT ? false : NOT_ROOT },
  () => {
    let ssh: SshWorld;
    let host1: SshServer;
    let host2: SshServer;
    const homes: TempHome[] = [];

    before(async () => {
      ssh = makeSshWorld();
      host1 = await ssh.start();
      host2 = await ssh.start();
    });

    after(async () => {
      await ssh.cleanup();
      for (const home of homes) {
        unmountUnder(home.root);
        home.cleanup();
      }
    });

    it('sends each host plots in turn, to its emptier disk, those for one disk in one rsync, verified, and removes the sources only then', async () => {
      const home = setUpHome(ssh);
      homes.push(home);
      const root1 = path.join(home.root, 'harvester1');
      const root2 = path.join(home.root, 'harvester2');
      const h1d1 = makeTargetDisk(root1, 'farm1', 'disk1', 4096);
      const h1d2 = makeTargetDisk(root1, 'farm1', 'disk2', 4096);
      const h2d1 = makeTargetDisk(root2, 'farmA', 'disk1', 4096);
      // disk1 of harvester1 holds more already: disk2 gets its plots first
      fs.writeFileSync(path.join(h1d1, 'older.bin'), Buffer.alloc(1024 * KiB));
      addTarget(home, 'h1', `127.0.0.1:${host1.port}:${root1}`);
      addTarget(home, 'h2', `${ssh.user}@127.0.0.1:${host2.port}:${root2}`);
      home.set('archive_max_per_host', 1);
      home.set('archive_max_total', 2);
      const plots = [0, 1, 2].map((i) => makePlot(stagingPlots(home), 300 * KiB, i));

      const first = await runScript(home, 'scripts/archiver.js', ['--once']);
      assert.equal(first.exitCode, 0, first.stderr);
      // hosts take turns: the first and third plots go to one host's emptier disk together, in
      // one rsync (one stream per disk), the second to the other host
      assert.deepEqual(plotFiles(stagingPlots(home)), []);
      assert.deepEqual(plotFiles(h1d1), []);
      const batched = plotFiles(h1d2).includes(plots[0].name) ? h1d2 : h2d1;
      const alone = batched === h1d2 ? h2d1 : h1d2;
      assert.deepEqual(plotFiles(batched), [plots[0].name, plots[2].name].sort());
      assert.deepEqual(plotFiles(alone), [plots[1].name]);
      for (const plot of [plots[0], plots[2]]) assertArrived(batched, plot);
      assertArrived(alone, plots[1]);
      for (const dir of [h1d1, h1d2, h2d1])
        assert.deepEqual(
          fs.readdirSync(dir).filter((name) => name.endsWith('.partial')),
          [],
        );
      // the master connections ended with the archiver: no socket is left in the home's private folder
      const sockets = path.join(home.logsDir, '.archive', 'ssh');
      assert.equal(fs.statSync(sockets).mode & 0o777, 0o700);
      assert.deepEqual(fs.readdirSync(sockets), []);

      const lines = archiverLog(home);
      for (const plot of plots) {
        assert.equal(
          lines.filter((line) => line.startsWith(`transfer start: ${plot.name} from staging/ssd1 to `)).length,
          1,
          lines.join('\n'),
        );
        assert.equal(
          lines.filter(
            (line) =>
              line.startsWith(`transfer end: ${plot.name} from staging/ssd1 to `) &&
              line.endsWith('verified; source removed'),
          ).length,
          1,
          lines.join('\n'),
        );
      }
      const batchHost = batched === h1d2 ? 'h1:farm1/disk2' : 'h2:farmA/disk1';
      assert.equal(
        lines.filter((line) =>
          line.startsWith(`batch to ${batchHost}: 2 of 2 plots sent in one rsync, ${2 * 300 * KiB} bytes in `),
        ).length,
        1,
        lines.join('\n'),
      );
      const prom = fs.readFileSync(path.join(home.logsDir, 'archiver.prom'), 'utf8');
      assert.match(prom, /^goplot_archive_moved_plots_total 3$/m);
      assert.match(prom, new RegExp(`^goplot_archive_moved_bytes_total ${3 * 300 * KiB}$`, 'm'));
      assert.match(prom, /^archiver_collector_success 1$/m);
      const check = await checkMetrics(path.join(home.logsDir, 'archiver.prom'));
      assert.ok(check.ok, check.output);
      const documented = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'metrics.md'), 'utf8');
      const families = [...prom.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]);
      assert.deepEqual(
        families.filter((name) => !documented.includes(`\`${name}\``)),
        [],
        'every archiver metric is in docs/metrics.md',
      );
    });

    it('a second archiver in the same home is refused while the first one transfers, and the last slot is taken once', async () => {
      const home = setUpHome(ssh);
      homes.push(home);
      const root = path.join(home.root, 'harvester1');
      // room for one 300 KiB plot (and its 1 % margin), not two
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 500);
      addTarget(home, 'h1', `127.0.0.1:${host1.port}:${root}`);
      home.set('archive_max_per_host', 2);
      home.set('archive_bwlimit', 100);
      const plots = [0, 1].map((i) => makePlot(stagingPlots(home), 300 * KiB, i));
      const first = spawn('node', [builtScript('scripts/archiver.js'), '--home', home.home], { stdio: 'ignore' });
      try {
        await waitFor(
          'the first transfer to start',
          () => fs.readdirSync(disk).some((name) => name.endsWith('.plot.partial')),
          30_000,
        );
        const second = await runScript(home, 'scripts/archiver.js', ['--once']);
        assert.equal(second.exitCode, 3);
        assert.match(
          second.stderr,
          new RegExp(
            `^archiver: another archiver is running for this home \\(pid ${first.pid}\\); stop it first with: kill ${first.pid}$`,
            'm',
          ),
        );
        await waitFor('the first plot to arrive', () => plotFiles(disk).length === 1, 60_000);
        await waitFor(
          'the other plot to be found without room',
          () => archiverLog(home).some((line) => line.startsWith('archive target h1 is full: ')),
          30_000,
        );
      } finally {
        first.kill('SIGTERM');
        await new Promise((resolve) => first.once('exit', resolve));
      }
      assert.equal(plotFiles(disk).length, 1);
      assert.equal(plotFiles(stagingPlots(home)).length, 1, 'the plot without a slot stays in staging');
      const moved = plots.find((plot) => plotFiles(disk).includes(plot.name))!;
      assertArrived(disk, moved);
      assert.deepEqual(
        fs.readdirSync(disk).filter((name) => name.endsWith('.partial')),
        [],
      );
    });

    it('a kill -9 mid-transfer leaves only a .plot.partial and the source; the next pass resumes and completes it', async () => {
      const home = setUpHome(ssh);
      homes.push(home);
      const root = path.join(home.root, 'harvester2');
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 8192);
      addTarget(home, 'h2', `127.0.0.1:${host2.port}:${root}`);
      home.set('archive_bwlimit', 128);
      const plot = makePlot(stagingPlots(home), 2048 * KiB);
      // a plotter run with umask 077 leaves its plots readable by itself only
      fs.chmodSync(plot.file, 0o600);
      const partial = path.join(disk, `${plot.name}.partial`);
      // its own process group, so that kill -9 takes rsync and ssh down with it, as a power cut would
      const archiver = spawn('node', [builtScript('scripts/archiver.js'), '--home', home.home], {
        stdio: 'ignore',
        detached: true,
      });
      await waitFor(
        'part of the plot to arrive',
        () => fs.existsSync(partial) && fs.statSync(partial).size >= 256 * KiB,
        30_000,
      );
      // status and view show the transfer as it goes: plot, target, bytes done, speed, ETA
      const shown = new RegExp(
        `^  ${plot.name} → h2:farm1/disk1 (\\d+)% \\([\\d.]+ MiB of 2\\.0 MiB\\) [\\d.]+ MiB/s ETA \\d+m \\d\\ds$`,
        'm',
      );
      const status = await waitFor(
        'goplot status to show the transfer with its speed',
        async () => {
          const run = await runScript(home, 'scripts/goplot-cli.js', ['status']);
          const match = shown.exec(run.stdout);
          return match && Number(match[1]) > 0 && run.stdout.includes('archiver: 1 transfer, 0 plots waiting')
            ? run.stdout
            : null;
        },
        20_000,
        300,
      );
      assert.match(status, shown);
      const view = await runScript(home, 'scripts/goplot-cli.js', ['view', '--once']);
      assert.match(view.stdout, /^archiver: 1 transfer, 0 plots waiting$/m);
      assert.match(view.stdout, new RegExp(`^  ${plot.name} → h2:farm1/disk1 \\d+%`, 'm'));
      process.kill(-archiver.pid!, 'SIGKILL');
      await new Promise((resolve) => archiver.once('exit', resolve));
      const partialBytes = fs.statSync(partial).size;
      assert.ok(partialBytes < plot.bytes.length, `the copy was cut short (${partialBytes} bytes)`);
      assert.deepEqual(plotFiles(disk), [], 'no *.plot on the target');
      assert.ok(fs.readFileSync(plot.file).equals(plot.bytes), 'the source is intact');
      assert.match(
        (await runScript(home, 'scripts/goplot-cli.js', ['status'])).stdout,
        /^archiver: not running \(0 plots waiting when it last ran\)$/m,
      );

      home.set('archive_bwlimit', 0);
      const next = await runScript(home, 'scripts/archiver.js', ['--once']);
      assert.equal(next.exitCode, 0, next.stderr);
      assertArrived(disk, plot);
      assert.equal(
        (fs.statSync(path.join(disk, plot.name)).mode & 0o777).toString(8),
        '644',
        'a harvester running as another user can read the resumed plot',
      );
      assert.equal(fs.existsSync(plot.file), false, 'the source is removed once the copy is verified');
      assert.equal(fs.existsSync(partial), false);
      const resumed = archiverLog(home).find(
        (line) => line.startsWith(`transfer start: ${plot.name} `) && line.includes(', resuming at '),
      );
      assert.ok(resumed, archiverLog(home).join('\n'));
      assert.ok(Number(/resuming at (\d+) bytes/.exec(resumed)![1]) >= 256 * KiB);
    });

    it('an unreachable host is skipped and reported once (log and notification); the other host gets the plots', async () => {
      const home = setUpHome(ssh);
      homes.push(home);
      const recorder = await startHttpRecorder();
      try {
        fs.writeFileSync(path.join(home.configDir, 'notify_webhook'), `${recorder.url}/hook\n`, { mode: 0o600 });
        const root = path.join(home.root, 'harvester1');
        const disk = makeTargetDisk(root, 'farm1', 'disk1', 4096);
        const deadPort = await freePort();
        addTarget(home, 'h1', `127.0.0.1:${host1.port}:${root}`);
        addTarget(home, 'h9', `127.0.0.1:${deadPort}:/farm`);
        home.set('archive_max_per_host', 2);
        const plots = [0, 1].map((i) => makePlot(stagingPlots(home), 200 * KiB, i));
        for (let run = 0; run < 2; run++) {
          const result = await runScript(home, 'scripts/archiver.js', ['--once']);
          assert.equal(result.exitCode, 0, result.stderr);
        }
        for (const plot of plots) assertArrived(disk, plot);
        const down = archiverLog(home).filter((line) => line.startsWith('archive target h9 is unreachable: '));
        assert.equal(down.length, 1, archiverLog(home).join('\n'));
        assert.match(down[0], /Connection refused/);
        const events = recorder.requests.map(
          (request) => JSON.parse(request.body) as { event: string; subject: string },
        );
        assert.deepEqual(
          events
            .filter((event) => event.event.startsWith('archive_'))
            .map((event) => `${event.event} ${event.subject}`),
          ['archive_target_down archive target h9'],
        );
        const prom = fs.readFileSync(path.join(home.logsDir, 'archiver.prom'), 'utf8');
        assert.match(prom, /^goplot_archive_target_up\{target="h9"\} 0$/m);
        assert.match(prom, /^goplot_archive_target_up\{target="h1"\} 1$/m);
      } finally {
        await recorder.close();
      }
    });

    it('never overfills a full target: what does not fit stays in staging, and full is said once', async () => {
      const home = setUpHome(ssh);
      homes.push(home);
      const root = path.join(home.root, 'harvester1');
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 1024);
      addTarget(home, 'h1', `127.0.0.1:${host1.port}:${root}`);
      home.set('archive_max_per_host', 5);
      home.set('archive_max_total', 5);
      const plots = [0, 1, 2, 3, 4].map((i) => makePlot(stagingPlots(home), 300 * KiB, i));
      for (let run = 0; run < 2; run++) {
        const result = await runScript(home, 'scripts/archiver.js', ['--once']);
        assert.equal(result.exitCode, 0, result.stderr);
      }
      // 1024 KiB hold three 300 KiB plots with their margin, not four
      assert.equal(plotFiles(disk).length, 3);
      for (const plot of plots.slice(0, 3)) assertArrived(disk, plot);
      assert.deepEqual(
        plotFiles(stagingPlots(home)),
        plots
          .slice(3)
          .map((plot) => plot.name)
          .sort(),
      );
      for (const plot of plots.slice(3)) assert.ok(fs.readFileSync(plot.file).equals(plot.bytes));
      assert.deepEqual(
        fs.readdirSync(disk).filter((name) => name.endsWith('.partial')),
        [],
      );
      const lines = archiverLog(home);
      assert.deepEqual(
        lines.filter((line) => line.startsWith('transfer failed')),
        [],
      );
      assert.equal(lines.filter((line) => line.startsWith('archive target h1 is full: ')).length, 1, lines.join('\n'));
    });

    it('a target that fills up under a transfer fails it cleanly: partial removed, source kept, failure counted, done later', async () => {
      const home = setUpHome(ssh);
      homes.push(home);
      const root = path.join(home.root, 'harvester1');
      const disk = makeTargetDisk(root, 'farm1', 'disk1', 1024);
      addTarget(home, 'h1', `127.0.0.1:${host1.port}:${root}`);
      home.set('archive_bwlimit', 100);
      const plot = makePlot(stagingPlots(home), 600 * KiB);
      const partial = path.join(disk, `${plot.name}.partial`);
      const run = runScript(home, 'scripts/archiver.js', ['--once']);
      await waitFor('the copy to start', () => fs.existsSync(partial) && fs.statSync(partial).size > 0, 30_000);
      // something else (another plotter's copy, a user) takes the room meanwhile
      const filler = path.join(disk, 'filler.bin');
      try {
        fs.writeFileSync(filler, Buffer.alloc(600 * KiB));
      } catch (error) {
        assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
      }
      const result = await run;
      assert.equal(result.exitCode, 0, result.stderr);
      const failed = archiverLog(home).find((line) => line.startsWith(`transfer failed: ${plot.name} `));
      assert.ok(failed, archiverLog(home).join('\n'));
      assert.match(failed, /No space left on device.*; removed the partial copy; the source stays$/);
      assert.equal(fs.existsSync(partial), false);
      assert.deepEqual(plotFiles(disk), []);
      assert.ok(fs.readFileSync(plot.file).equals(plot.bytes));
      assert.match(
        fs.readFileSync(path.join(home.logsDir, 'archiver.prom'), 'utf8'),
        /^goplot_archive_transfer_failures_total\{target="h1"\} 1$/m,
      );

      fs.rmSync(filler);
      home.set('archive_bwlimit', 0);
      assert.equal((await runScript(home, 'scripts/archiver.js', ['--once'])).exitCode, 0);
      assertArrived(disk, plot);
      assert.equal(fs.existsSync(plot.file), false);
    });
  },
);
