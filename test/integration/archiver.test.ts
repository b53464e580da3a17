import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { logMessages, makeDisks, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';
import { makeSshWorld, type SshServer, type SshWorld } from '../helpers/sshd.js';
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

describe('archiver over ssh and rsync (real sshd on 127.0.0.1, tmpfs disks)', () => {
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

  it('sends each host a plot in turn, to its emptier disk, verified, and removes the sources only then', async () => {
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
    // the two oldest went, one to each host (one transfer per host at once); the third waits
    assert.deepEqual(plotFiles(stagingPlots(home)), [plots[2].name]);
    assert.deepEqual(plotFiles(h1d1), []);
    assert.equal(plotFiles(h1d2).length + plotFiles(h2d1).length, 2);
    assert.equal(plotFiles(h1d2).length, 1, 'harvester1 got one plot, on its emptier disk2');
    for (const plot of plots.slice(0, 2)) assertArrived(plotFiles(h1d2).includes(plot.name) ? h1d2 : h2d1, plot);

    const second = await runScript(home, 'scripts/archiver.js', ['--once']);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.deepEqual(plotFiles(stagingPlots(home)), []);
    const firstHost = plotFiles(h1d2).includes(plots[0].name) ? 'h1' : 'h2';
    // round robin: the third plot goes to the host after the one that got the second plot
    const secondHost = firstHost === 'h1' ? 'h2' : 'h1';
    const thirdDir = secondHost === 'h1' ? h2d1 : h1d2;
    assertArrived(thirdDir, plots[2]);
    for (const dir of [h1d1, h1d2, h2d1]) assert.deepEqual(fs.readdirSync(dir).filter((name) => name.endsWith('.partial')), []);

    const lines = archiverLog(home);
    for (const plot of plots) {
      assert.equal(lines.filter((line) => line.startsWith(`transfer start: ${plot.name} from staging/ssd1 to `)).length, 1, lines.join('\n'));
      assert.equal(lines.filter((line) => line.startsWith(`transfer end: ${plot.name} from staging/ssd1 to `) && line.endsWith('verified; source removed')).length, 1, lines.join('\n'));
    }
    const prom = fs.readFileSync(path.join(home.logsDir, 'archiver.prom'), 'utf8');
    assert.match(prom, /^goplot_archive_moved_plots_total 3$/m);
    assert.match(prom, new RegExp(`^goplot_archive_moved_bytes_total ${3 * 300 * KiB}$`, 'm'));
    assert.match(prom, /^archiver_collector_success 1$/m);
  });
});
