import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildPlotHeader, buildPos2Plot } from '../../lib/plot-file/build-plot-header.js';
import { readPlotFileSync } from '../../lib/plot-file/read-plot-file.js';
import { nominalEffectiveBytes } from '../../lib/replot/removal-order.js';
import { makeTargetDisk, useSshArchiveWorld } from '../helpers/archive-world.js';
import { IS_ROOT, NOT_ROOT } from '../helpers/small-filesystems.js';
import { builtScript, logMessages, makeDisks, makeTempHome, waitFor } from '../helpers/temp-home.js';

const KiB = 1024;
const OLD = 320 * KiB;

/**
 * A finished pos1 plot, an hour or more old: uncompressed (v1, k 25) or bladebit C5 at k 32 (the
 * compression table that orders removals knows k 32; its size here is the test's, not chia's).
 */
function oldPlot(plotsDir: string, compression: number, minutesAgo: number): string {
  const k = compression > 0 ? 32 : 25;
  const id = crypto.randomBytes(32).toString('hex');
  const header = buildPlotHeader({
    format: compression > 0 ? 'bladebit' : 'v1',
    plotId: id,
    k,
    compression,
    kind: 'solo',
  });
  const name = `plot-k${k}-c0${compression}-2026-01-01-00-${String(minutesAgo % 60).padStart(2, '0')}-${id}.plot`;
  const file = path.join(plotsDir, name);
  fs.writeFileSync(file, Buffer.concat([header, crypto.randomBytes(OLD - header.length)]));
  const past = (Date.now() - 3_600_000 - minutesAgo * 60_000) / 1000;
  fs.utimesSync(file, past, past);
  return name;
}

/** A finished pos2 plot of a group (k 28 header, small chunks), a minute old. */
function pos2Plot(plotsDir: string, metaGroup: number, plotIndex: number): string {
  const plotId = crypto.randomBytes(32).toString('hex');
  const plot = buildPos2Plot({
    plotId,
    k: 28,
    strength: 2,
    plotIndex,
    metaGroup,
    memo: 'solo',
    chunkCount: 4,
    chunkBytes: 16 * KiB,
  });
  const name = `plot-v2-k28-s2-i${plotIndex}-m${metaGroup}-${plotId}.plot2`;
  const file = path.join(plotsDir, name);
  fs.writeFileSync(file, Buffer.concat([plot.header, Buffer.alloc(plot.fileBytes - plot.header.length)]));
  const past = (Date.now() - 60_000) / 1000;
  fs.utimesSync(file, past, past);
  return name;
}

/** Effective space on the disks as chia counts it before weights: every whole plot file there (no partial). */
function effectiveBytes(disks: string[]): number {
  let sum = 0;
  for (const dir of disks)
    for (const name of fs.readdirSync(dir)) {
      if (!/\.plot2?$/.test(name)) continue;
      const facts = readPlotFileSync(path.join(dir, name));
      if (facts.ok) sum += nominalEffectiveBytes(facts.header);
    }
  return sum;
}

describe(
  'migration over the archiver: pos1 plots on a local and an ssh target replaced by pos2 groups (real sshd, tmpfs disks)',
  { skip: IS_ROOT ? false : NOT_ROOT },
  () => {
    const world = useSshArchiveWorld('goplot-archive-migration-');
    const { scratch } = world;

    it('replaces old plots through the one make-room, uncompressed first, effective space never more than one old plot down', async () => {
      const home = world.keep(makeTempHome('goplot-archive-migration-'));
      makeDisks(home, { staging: ['ssd1'] });
      for (const [name, value] of Object.entries({
        archive_staging: 'staging',
        prom_dir: home.logsDir,
        archive_ssh_config: world.ssh.clientConfig,
        archive_interval: 2,
        replot: 'on',
        replot_match: 'pos=1',
      }))
        home.set(name, value);
      fs.mkdirSync(path.join(home.configDir, 'archive', 'targets'), { recursive: true });
      fs.writeFileSync(path.join(home.configDir, 'archive', 'targets', 'here.goplot'), 'local\n');
      fs.writeFileSync(
        path.join(home.configDir, 'archive', 'targets', 'h1.goplot'),
        `127.0.0.1:${world.server.port}:${scratch}\n`,
      );
      // each disk: 1000 KiB, full of three old plots (the compressed one the oldest): not even the
      // first pos2 plot fits, so both disks want an old plot removed in the first pass
      const disks = [
        makeTargetDisk(home.farmRoot, 'farm1', 'disk1', 1000),
        makeTargetDisk(scratch, 'farm1', 'disk1', 1000),
      ];
      const old = new Map<string, { name: string; compression: number }[]>();
      for (const disk of disks)
        old.set(
          disk,
          [5, 0, 0].map((compression, i) => ({ name: oldPlot(disk, compression, 30 - i * 10), compression })),
        );
      const staging = path.join(home.farmRoot, 'staging', 'ssd1', 'plots');
      // meta groups 10 and 20 are too close to share a disk while another is free: one group each
      const groups = [10, 20].map((meta) => [0, 1, 2, 3].map((i) => pos2Plot(staging, meta, i)));
      const effectiveOf = new Map(
        [...old.entries()].flatMap(([disk, plots]) =>
          plots.map((plot) => {
            const facts = readPlotFileSync(path.join(disk, plot.name));
            assert.ok(facts.ok);
            return [plot.name, nominalEffectiveBytes(facts.header)] as const;
          }),
        ),
      );
      const start = effectiveBytes(disks);
      const samples: number[] = [];
      const child = spawn(process.execPath, [builtScript('scripts/archiver.js'), '--home', home.home], {
        stdio: 'ignore',
      });
      const sampling = setInterval(() => samples.push(effectiveBytes(disks)), 25);
      try {
        const arrived = () => disks.flatMap((disk) => fs.readdirSync(disk).filter((name) => name.endsWith('.plot2')));
        await waitFor(
          `every pos2 plot on a target disk\n${logMessages(home, 'archiver.log').join('\n')}`,
          () => arrived().length === 8,
          240_000,
        );
      } finally {
        clearInterval(sampling);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      samples.push(effectiveBytes(disks));
      const log = logMessages(home, 'archiver.log');
      const text = log.join('\n');
      // each group whole on one disk
      const holders = groups.map((group) =>
        disks.filter((disk) => group.every((name) => fs.existsSync(path.join(disk, name)))),
      );
      for (const [i, held] of holders.entries())
        assert.equal(held.length, 1, `group ${groups[i]![0]} is whole on exactly one disk\n${text}`);
      assert.notEqual(
        holders[0]![0],
        holders[1]![0],
        `the local target and the ssh target took one group each\n${text}`,
      );
      assert.deepEqual(fs.readdirSync(staging), []);
      // the one make-room removed them, uncompressed before compressed on each disk
      const removed = log.filter((line) => line.startsWith('replot removed '));
      assert.ok(removed.length >= 2, text);
      for (const [disk, plots] of old) {
        const gone = plots.filter((plot) => !fs.existsSync(path.join(disk, plot.name)));
        assert.ok(gone.length >= 1, `old plots removed on ${disk}\n${text}`);
        const order = removed
          .map((line) => plots.find((plot) => line.includes(plot.name)))
          .filter((plot) => plot !== undefined);
        const firstCompressed = order.findIndex((plot) => plot.compression > 0);
        if (firstCompressed >= 0)
          assert.ok(
            order.slice(firstCompressed).every((plot) => plot.compression > 0) &&
              plots.every((plot) => plot.compression > 0 || gone.includes(plot)),
            `uncompressed before compressed on ${disk}\n${removed.join('\n')}`,
          );
      }
      // sampled throughout: never down by more than one old plot (the largest that went), from the
      // start or
      const oldest = Math.max(
        ...[...effectiveOf].filter(([name]) => removed.some((line) => line.includes(name))).map(([, bytes]) => bytes),
      );
      // below the highest it had been so far: two removals whose plots have not arrived would show here
      let high = start;
      let drop = 0;
      for (const sample of samples) {
        high = Math.max(high, sample);
        drop = Math.max(drop, high - sample);
      }
      assert.ok(
        drop <= oldest + 1, // + 1: the sums are floating point
        `effective space fell by ${drop} at most (one old plot is ${oldest}), ${samples.length} samples\n${text}`,
      );
      assert.ok(samples.length > 10, `${samples.length} samples`);
    });
  },
);
