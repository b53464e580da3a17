import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../lib/config/config-reader.js';
import { withStateLock } from '../../lib/farm/state-lock.js';
import { buildPos2Plot } from '../../lib/plot-file/build-plot-header.js';
import { writePos1Plot } from '../../lib/demo/pos1-plots.js';
import { readPlotFileSync } from '../../lib/plot-file/read-plot-file.js';
import { groupRoomLocked } from '../../lib/replot/group-room.js';
import type { NewPlot } from '../../lib/replot/make-room.js';
import { effectivePerByte } from '../../lib/replot/removal-order.js';
import { liveStart, writeDuty } from '../../lib/replot/room-duty.js';
import { takeOverDuties } from '../../lib/replot/take-over-duties.js';
import { IS_ROOT, NOT_ROOT, smallFilesystems } from '../helpers/small-filesystems.js';
import { makeDisks, makeTempHome, type TempHome } from '../helpers/temp-home.js';

const MIB = 1024 ** 2;
const POS2_BYTES = MIB / 2;
const GROUP = 40;

/** A file holding real bytes (a tmpfs counts only what is written). */
function solid(file: string, head: Buffer, bytes: number, madeDay?: number): string {
  fs.writeFileSync(file, Buffer.concat([head, Buffer.alloc(bytes - head.length)]));
  if (madeDay !== undefined) fs.utimesSync(file, new Date(2022, 0, madeDay), new Date(2022, 0, madeDay));
  return file;
}

function pos1(plotsDir: string, o: { k?: number; c?: number; bytes: number; day: number }): string {
  const made = new Date(2022, 0, o.day);
  return writePos1Plot(plotsDir, {
    k: o.k,
    compression: o.c,
    kind: 'solo',
    bytes: Math.round(o.bytes),
    made,
    solid: true,
  });
}

interface Farm {
  home: TempHome;
  plotsDir: string;
  old: { uncompressed: string[]; compressed: string; tiny: string; link: string };
  fs: ReturnType<typeof smallFilesystems>;
}

/**
 * A 48 MiB tmpfs disk full of pos1 plots: three uncompressed k32 plots of 8 MiB (made days 3-5),
 * a C5 one of 8 MiB made first (day 1), a 0.3 MiB k25 one (day 2), a link to a plot elsewhere,
 * and 8 MiB of other files, and a filler: 0.5 MiB left.
 */
async function fullTmpfs(): Promise<Farm> {
  const home = makeTempHome('goplot-groups-');
  const mounts = smallFilesystems();
  const diskDir = path.join(home.farmRoot, 'farm1', 'disk1');
  await mounts.tmpfs(diskDir, 48);
  makeDisks(home, { farm1: ['disk1'] });
  const plotsDir = path.join(diskDir, 'plots');
  const elsewhere = pos1(home.root, { bytes: MIB, day: 1 });
  const link = path.join(plotsDir, 'plot-k32-link.plot');
  fs.symlinkSync(elsewhere, link);
  const compressed = pos1(plotsDir, { c: 5, bytes: 8 * MIB, day: 1 });
  const tiny = pos1(plotsDir, { k: 25, bytes: 0.3 * MIB, day: 2 });
  const uncompressed = [3, 4, 5].map((day) => pos1(plotsDir, { bytes: 8 * MIB, day }));
  solid(path.join(diskDir, 'other-files'), Buffer.alloc(0), 8 * MIB);
  const free = () => fs.statfsSync(diskDir).bavail * fs.statfsSync(diskDir).bsize;
  solid(path.join(diskDir, 'filler'), Buffer.alloc(0), Math.max(0, free() - MIB / 2));
  for (const [name, value] of Object.entries({ disk_space: 'statfs', replot: 'on', replot_match: 'pos=1' }))
    home.set(name, value);
  return { home, plotsDir, old: { uncompressed, compressed, tiny, link }, fs: mounts };
}

/** Effective space on the disk as replot weighs it: each valid plot's bytes times its effective space per byte. */
function effective(plotsDir: string): number {
  let sum = 0;
  for (const name of fs.readdirSync(plotsDir)) {
    const file = path.join(plotsDir, name);
    if (!/\.plot2?$/.test(name) || fs.lstatSync(file).isSymbolicLink()) continue;
    const facts = readPlotFileSync(file);
    if (facts.ok) sum += facts.sizeBytes * effectivePerByte(facts.header);
  }
  return sum;
}

/** One pos2 plot landing the way a group's plotter lands it: written as .partial, renamed when complete. */
function land(plotsDir: string, index: number): string | null {
  const plotId = crypto.randomBytes(32).toString('hex');
  const plot = buildPos2Plot({
    plotId,
    k: 18,
    strength: 2,
    plotIndex: index,
    metaGroup: 7,
    memo: 'solo',
    chunkCount: 4,
    chunkBytes: (POS2_BYTES - 400) / 4,
  });
  const file = path.join(plotsDir, `plot-k18-${plotId}.plot2`);
  try {
    solid(`${file}.partial`, plot.header, plot.fileBytes);
  } catch (error) {
    fs.rmSync(`${file}.partial`, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return null;
    throw error;
  }
  fs.renameSync(`${file}.partial`, file);
  return file;
}

const newPlot = (plotsDir: string, pid: number): NewPlot & { pid: number } => ({
  index: 1,
  farm: 'farm1',
  disk: 'disk1',
  diskDir: path.dirname(plotsDir),
  plotsDir,
  plotter: 'xchplot2',
  k: 18,
  compression: 0,
  kind: 'solo',
  pos: 2,
  pid,
});

/** Runs a group of GROUP plots, calling `step` before the first and after each landing; samples effective space. */
async function runGroup(
  farm: Farm,
  step: () => Promise<void>,
): Promise<{ wasted: number; drops: string[]; gone: string[] }> {
  const old = [...farm.old.uncompressed, farm.old.compressed, farm.old.tiny];
  const gone: string[] = [];
  const drops: string[] = [];
  let best = effective(farm.plotsDir);
  const largest = 8 * MIB * effectivePerByte({ pos: 1, k: 32, compression: 5 });
  const sample = (when: string) => {
    for (const file of old) if (!fs.existsSync(file) && !gone.includes(file)) gone.push(file);
    const now = effective(farm.plotsDir);
    if (now < best - largest) drops.push(`${when}: ${now} < ${best} - one old plot`);
    best = Math.max(best, now);
  };
  let wasted = 0;
  await step();
  sample('at the start');
  for (let index = 0; index < GROUP; index++) {
    if (land(farm.plotsDir, index) === null) wasted += 1;
    sample(`after plot ${index}`);
    await step();
    sample(`after the step for plot ${index + 1}`);
  }
  return { wasted, drops, gone };
}

const farms: Farm[] = [];
after(async () => {
  for (const farm of farms) {
    await farm.fs.cleanup();
    farm.home.cleanup();
  }
});

describe('replot for pos2 groups on a real small disk', { skip: IS_ROOT ? false : NOT_ROOT }, () => {
  it('makes room as the group lands: uncompressed plots first, a link and a tiny plot never block, effective space never more than one old plot down, no plot wasted', async () => {
    const farm = await fullTmpfs();
    farms.push(farm);
    const config = new ConfigReader(farm.home);
    const shape = { size: GROUP, plotBytes: POS2_BYTES, startedMs: Date.now() };
    const result = await runGroup(farm, () =>
      withStateLock(farm.home, async () => {
        await groupRoomLocked({
          paths: farm.home,
          config,
          plot: newPlot(farm.plotsDir, process.pid),
          shape,
          nowMs: Date.now(),
          aheadSeconds: 0,
        });
      }),
    );
    assert.equal(result.wasted, 0);
    assert.deepEqual(result.drops, []);
    // 40 plots of 0.5 MiB need 20 MiB: the three uncompressed 8 MiB plots, oldest first; the C5 plot stays
    assert.deepEqual(result.gone, farm.old.uncompressed);
    assert.ok(
      fs.existsSync(farm.old.compressed) &&
        fs.existsSync(farm.old.tiny) &&
        fs.lstatSync(farm.old.link).isSymbolicLink(),
    );
    assert.equal(fs.readdirSync(farm.plotsDir).filter((name) => name.endsWith('.plot2')).length, GROUP);
  });

  it('a tractor killed mid-group: its duty taken over between landings, the group lands whole within the promise', async () => {
    const farm = await fullTmpfs();
    farms.push(farm);
    const config = new ConfigReader(farm.home);
    const dead = spawnSync('true').pid!;
    const plotter = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const startedMs = Date.now();
      let half = false;
      const said: string[] = [];
      const result = await runGroup(farm, async () => {
        if (!half) {
          // the tractor's own steps until it dies: then only its duty file is left
          half = fs.readdirSync(farm.plotsDir).filter((name) => name.endsWith('.plot2')).length >= GROUP / 2;
          if (!half) {
            await withStateLock(farm.home, async () => {
              await groupRoomLocked({
                paths: farm.home,
                config,
                plot: newPlot(farm.plotsDir, plotter.pid!),
                shape: { size: GROUP, plotBytes: POS2_BYTES, startedMs },
                nowMs: Date.now(),
                aheadSeconds: 0,
              });
            });
            return;
          }
          writeDuty(farm.home, {
            plot: newPlot(farm.plotsDir, plotter.pid!),
            plotterStart: liveStart('/proc', plotter.pid!),
            tractorPid: dead,
            tractorStart: null,
            logFile: path.join(farm.home.root, 'none.log'),
            moment: 'group',
            done: false,
            group: { size: GROUP, plotBytes: POS2_BYTES },
            startedMs,
          });
        }
        await takeOverDuties({
          paths: farm.home,
          config,
          log: (_level, message) => said.push(message),
          who: 'loop pid 1',
          aheadSeconds: 0,
        });
      });
      assert.equal(result.wasted, 0, said.join('\n'));
      assert.deepEqual(result.drops, []);
      assert.deepEqual(result.gone, farm.old.uncompressed);
      assert.ok(
        said.some((line) => /^group 1: replot \(loop pid 1, its tractor pid \d+ is gone\): replot removed /.test(line)),
        said.join('\n'),
      );
    } finally {
      plotter.kill('SIGKILL');
    }
  });
});
