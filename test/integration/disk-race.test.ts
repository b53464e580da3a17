import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { committedKiB } from '../../lib/farm/plot-size.js';
import { readRunningPlots } from '../../lib/farm/process-table.js';
import { FAKE_BIN, killTree, simEnv, simFarmsOfThisFile, simPlotterPids } from '../helpers/sim-farm.js';
import { IS_ROOT, NOT_ROOT, smallFilesystems } from '../helpers/small-filesystems.js';
import { logMessages, runScript, waitFor, type ScriptRun, type TempHome } from '../helpers/temp-home.js';

// registered first, so the mounts are gone before the farms' folders are removed
const mounts = smallFilesystems();
after(() => mounts.cleanup());
const { farm, started } = simFarmsOfThisFile();

const DISKS = { farm1: ['disk1', 'disk2'], farm2: ['disk1', 'disk2'] };
const DISK_NAMES = Object.entries(DISKS).flatMap(([farmName, disks]) => disks.map((disk) => `${farmName}/${disk}`));
/** Room for two committed k25 plots and not three (a k25 plot commits 643 MiB). */
const DISK_MIB = 1400;
const TRACTORS = 20;
const DISKHAND_RUNS = 12;
/** Long enough that every plot still runs when the last tractor has chosen. */
const PLOT_SECONDS = 90;

function prepare(home: TempHome): void {
  home.set('require_mount', 'yes');
  home.set('plotter', 'chia');
  home.set('max_per_temp', 0);
}

/**
 * 20 tractors at once while diskhand runs again and again: the disk numbers diskhand writes and
 * the reservations the tractors write meet on the same files.
 */
async function race(
  home: TempHome,
  env: Record<string, string>,
): Promise<{ perDisk: Map<string, number>; log: string }> {
  const diskhand = (async () => {
    for (let run = 0; run < DISKHAND_RUNS; run++) {
      const result = await runScript(home, 'scripts/diskhand.js', [], {
        env: { PATH: process.env.PATH ?? '', ...env },
        timeout: 60_000,
      });
      assert.equal(result.exitCode, 0, result.stderr);
    }
  })();
  const tractors: ScriptRun[] = Array.from({ length: TRACTORS }, () =>
    runScript(home, 'scripts/tractor.js', [], { env: simEnv(PLOT_SECONDS, env), timeout: 150_000 }),
  );
  started.push(...tractors.map((tractor) => tractor.pid!));
  const refused: number[] = [];
  tractors.forEach(
    (tractor, at) =>
      void tractor.then((result) => {
        if (result.exitCode === 2) refused.push(at);
      }),
  );
  const startedPlots = () => logMessages(home).filter((line) => /^plot \d+ started:/.test(line)).length;
  await diskhand;
  await waitFor(
    'every tractor to have started a plot or been refused',
    () => startedPlots() + refused.length === TRACTORS,
    120_000,
    200,
  );
  const perDisk = new Map(DISK_NAMES.map((name) => [name, 0]));
  for (const plot of readRunningPlots({
    farmRoot: home.farmRoot,
    tempRoot: home.tempRoot,
    commandNames: ['simplotter.js'],
  })) {
    const name = `${plot.farm}/${plot.disk}`;
    perDisk.set(name, (perDisk.get(name) ?? 0) + 1);
  }
  for (const tractor of tractors) killTree([tractor.pid!]);
  killTree(simPlotterPids(home));
  return { perDisk, log: logMessages(home).join('\n') };
}

describe('20 tractors at once with diskhand running alongside', () => {
  test(
    'never put more plots on a real small filesystem than it holds (tmpfs disks)',
    { skip: IS_ROOT ? false : NOT_ROOT, timeout: 200_000 },
    async () => {
      const home = farm(DISKS, ['1', '2']);
      prepare(home);
      for (const name of DISK_NAMES) {
        const dir = path.join(home.farmRoot, name);
        await mounts.tmpfs(dir, DISK_MIB);
        for (const sub of ['plots', 'logs']) fs.mkdirSync(path.join(dir, sub));
      }
      // chiapos k25 needs 1.5 GiB of temp space per plot, for eight plots at once (tmpfs takes memory only as written)
      await mounts.tmpfs(home.tempRoot, 24 * 1024);
      for (const name of ['1', '2']) fs.mkdirSync(path.join(home.tempRoot, name));
      const { perDisk, log } = await race(home, {});
      assert.deepEqual(
        Object.fromEntries(perDisk),
        Object.fromEntries(DISK_NAMES.map((name) => [name, 2])),
        `two plots per disk, the room each has; goplot.log:\n${log}`,
      );
    },
  );

  test(
    'never put more plots on a disk than it holds (folders, declared mount table, df sizes)',
    { timeout: 200_000 },
    async () => {
      const home = farm(DISKS, ['1', '2']);
      prepare(home);
      home.set('disk_space', 'df');
      const mountinfo = path.join(home.root, 'mountinfo');
      const lines = ['22 1 8:1 / / rw - ext4 /dev/sda1 rw', `30 22 259:1 / ${home.tempRoot} rw - ext4 /dev/nvme0n1 rw`];
      DISK_NAMES.forEach((name, at) =>
        lines.push(
          `${40 + at} 22 8:${16 * (at + 1)} / ${path.join(home.farmRoot, name)} rw - ext4 /dev/sd${'bcde'[at]}1 rw`,
        ),
      );
      fs.writeFileSync(mountinfo, `${lines.join('\n')}\n`);
      const table = path.join(home.root, 'df-table');
      fs.writeFileSync(
        table,
        DISK_NAMES.map((name) => `${path.join(home.farmRoot, name)} ${DISK_MIB * 1024} 64`).join('\n') + '\n',
      );
      const { perDisk, log } = await race(home, {
        GOPLOT_MOUNTINFO: mountinfo,
        PATH: `${FAKE_BIN}:${process.env.PATH}`,
        FAKE_DF_TABLE: table,
      });
      assert.equal(committedKiB(25, 0) * 2 < DISK_MIB * 1024 - 64, true);
      assert.deepEqual(
        Object.fromEntries(perDisk),
        Object.fromEntries(DISK_NAMES.map((name) => [name, 2])),
        `two plots per disk, the room each has; goplot.log:\n${log}`,
      );
    },
  );
});
