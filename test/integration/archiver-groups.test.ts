import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { roomFor } from '../../lib/archive/choose-target.js';
import { groupSize } from '../../lib/archive/plot-groups.js';
import { buildPos2Plot } from '../../lib/plot-file/build-plot-header.js';
import { makeTargetDisk, unmountUnder, useSshArchiveWorld } from '../helpers/archive-world.js';
import { IS_ROOT, NOT_ROOT } from '../helpers/small-filesystems.js';
import { logMessages, makeDisks, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';

const KiB = 1024;

function plotFiles(plotsDir: string): string[] {
  return fs
    .readdirSync(plotsDir)
    .filter((name) => name.endsWith('.plot2'))
    .sort();
}

/** A finished pos2 plot of one group (meta group, strength 2, solo), old enough to be archived. */
function makePos2(
  plotsDir: string,
  metaGroup: number,
  plotIndex: number,
  chunkKiB = 64,
  strength = 2,
): { name: string; size: number } {
  const plotId = crypto.randomBytes(32).toString('hex');
  const plot = buildPos2Plot({
    plotId,
    k: 28,
    strength,
    plotIndex,
    metaGroup,
    memo: 'solo',
    chunkCount: 4,
    chunkBytes: chunkKiB * KiB,
  });
  const name = `plot-v2-k28-s${strength}-i${plotIndex}-m${metaGroup}-${plotId}.plot2`;
  const file = path.join(plotsDir, name);
  fs.mkdirSync(plotsDir, { recursive: true });
  fs.writeFileSync(file, Buffer.concat([plot.header, Buffer.alloc(plot.fileBytes - plot.header.length)]));
  const past = (Date.now() - 60_000) / 1000;
  fs.utimesSync(file, past, past);
  return { name, size: plot.fileBytes };
}

function setUp(): TempHome {
  const home = makeTempHome('goplot-archiver-groups-');
  makeDisks(home, { staging: ['ssd1'] });
  home.set('archive_staging', 'staging');
  home.set('prom_dir', home.logsDir);
  home.set('archive_max_total', 10);
  home.set('archive_max_per_host', 10);
  fs.mkdirSync(path.join(home.configDir, 'archive', 'targets'), { recursive: true });
  fs.writeFileSync(path.join(home.configDir, 'archive', 'targets', 'here.goplot'), 'local\n');
  return home;
}

describe('archiver keeps pos2 plot groups whole', { skip: IS_ROOT ? false : NOT_ROOT }, () => {
  const homes: TempHome[] = [];
  after(() => {
    for (const home of homes) {
      unmountUnder(home.root);
      home.cleanup();
    }
  });

  it('sends each group whole to one disk, the one close to a group already there to the other disk', async () => {
    const home = setUp();
    homes.push(home);
    const staging = path.join(home.farmRoot, 'staging', 'ssd1', 'plots');
    const disk1 = makeTargetDisk(home.farmRoot, 'farm1', 'disk1', 4096);
    const disk2 = makeTargetDisk(home.farmRoot, 'farm1', 'disk2', 4096);
    // disk1 holds a group at meta 40 and is the emptier disk: meta 30 is within 16 of it, meta 200 is not
    const held = makePos2(disk1, 40, 0, 16);
    fs.writeFileSync(path.join(disk2, 'filler.bin'), Buffer.alloc(1024 * KiB));
    const close = [0, 1].map((i) => makePos2(staging, 30, i).name);
    const far = [0, 1].map((i) => makePos2(staging, 200, i).name);
    const run = await runScript(home, 'scripts/archiver.js', ['--once']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(plotFiles(disk1).sort(), [held.name, ...far].sort(), logMessages(home, 'archiver.log').join('\n'));
    assert.deepEqual(plotFiles(disk2).sort(), [...close].sort());
    assert.deepEqual(fs.readdirSync(staging), []);
  });

  it('keeps a group that fits on no disk on staging and says why once per group', async () => {
    const home = setUp();
    homes.push(home);
    const staging = path.join(home.farmRoot, 'staging', 'ssd1', 'plots');
    // room for one or two of the group's plots, never for all three
    const disk1 = makeTargetDisk(home.farmRoot, 'farm1', 'disk1', 1024);
    const plots = [0, 1, 2].map((i) => makePos2(staging, 33, i, 96));
    const need = plots.reduce((sum, plot) => sum + roomFor(plot.size), 0);
    const expected = `group meta 33 (3 plots, ${groupSize(need)}) waits: no target disk has room for it with meta group 33 free`;
    for (let run = 1; run <= 2; run++) {
      const result = await runScript(home, 'scripts/archiver.js', ['--once']);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(plotFiles(disk1), []);
      assert.deepEqual(fs.readdirSync(staging).sort(), plots.map((plot) => plot.name).sort());
      // each --once run is a new process: it says it once per run, not once per plot
      const lines = logMessages(home, 'archiver.log');
      assert.equal(lines.filter((line) => line === expected).length, run, lines.join('\n'));
    }
  });
});

describe(
  'archiver keeps pos2 groups whole on an ssh target too (real sshd)',
  { skip: IS_ROOT ? false : NOT_ROOT },
  () => {
    const world = useSshArchiveWorld('goplot-groups-ssh-');
    const { scratch } = world;

    it("reads the remote disks' groups: a meta group held by another group is not free, and a group joins its own disk", async () => {
      const home = world.keep(setUp());
      home.set('archive_ssh_config', world.ssh.clientConfig);
      fs.writeFileSync(
        path.join(home.configDir, 'archive', 'targets', 'here.goplot'),
        `127.0.0.1:${world.server.port}:${scratch}\n`,
      );
      const staging = path.join(home.farmRoot, 'staging', 'ssd1', 'plots');
      const disk1 = makeTargetDisk(scratch, 'farm1', 'disk1', 4096);
      const disk2 = makeTargetDisk(scratch, 'farm1', 'disk2', 4096);
      // disk1 is the emptier disk, and holds meta group 30 of another group (strength 1): neither
      // group below may go there; disk2 holds the meta 200 group whose last plot is still staged
      const other = makePos2(disk1, 30, 0, 16, 1);
      const held = makePos2(disk2, 200, 0, 16);
      fs.writeFileSync(path.join(disk2, 'filler.bin'), Buffer.alloc(1024 * KiB));
      const meta30 = [0, 1].map((i) => makePos2(staging, 30, i).name);
      const meta200 = makePos2(staging, 200, 1).name;
      const run = await runScript(home, 'scripts/archiver.js', ['--once']);
      assert.equal(run.exitCode, 0, run.stderr);
      const log = logMessages(home, 'archiver.log').join('\n');
      assert.deepEqual(plotFiles(disk1), [other.name], log);
      assert.deepEqual(plotFiles(disk2), [held.name, ...meta30, meta200].sort(), log);
      assert.deepEqual(fs.readdirSync(staging), []);
      // the headers read over ssh are kept: the cache names the remote plot2 files
      const cache = fs.readFileSync(path.join(home.logsDir, '.archive', 'remote-headers.json'), 'utf8');
      assert.ok(cache.includes(other.name) && cache.includes(held.name), cache);
    });
  },
);
