import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { finalPlotBytes } from '../farm/plot-size.js';
import { buildPos2Plot } from '../plot-file/build-plot-header.js';
import { filesBytes, writeDemoDf } from './demo-df.js';
import { writePos1Plot } from './pos1-plots.js';

/** About ten days after the fork: the pos1 plots already weigh less than 1 (about 10 epochs after the fork). */
export const DEMO_CHAIN_HEIGHT = 9_610_000;
const DAY_MS = 86_400_000;
/** A mainnet pos2 plot on disk (DESIGN §17: about 0.92 GiB at k 28). */
const POS2_FILE_BYTES = Math.round(0.92 * 1024 ** 3);
/** pos2 plots landed on each of the 7 days before today, oldest first. */
const WEEK = [12, 14, 16, 18, 20, 22, 24];
/**
 * What each disk has free after its seeded files: less than one pos2 plot, so every disk is full
 * and the pos2 job's groups must make their room by replot.
 */
export const DEMO_FREE_BYTES = 512 * 1024 ** 2;

function writeSparse(file: string, header: Buffer, bytes: number, mtimeMs: number): void {
  fs.writeFileSync(file, header);
  fs.truncateSync(file, bytes);
  const when = new Date(mtimeMs);
  fs.utimesSync(file, when, when);
}

/** Three pos1 k32 plots a disk, plotted long ago: two uncompressed, one bladebit C5. */
function seedPos1(plotsDir: string, diskIndex: number): number {
  for (let i = 0; i < 3; i++) {
    const compression = i === 2 ? 5 : 0;
    const made = new Date(Date.UTC(2024, 2, 1 + i + diskIndex, 12));
    writePos1Plot(plotsDir, { k: 32, compression, kind: 'pool', bytes: finalPlotBytes(32, compression), made });
  }
  return 3;
}

function seedPos2(plotsDir: string, count: number, mtimeMs: number, metaGroup: number): void {
  for (let i = 0; i < count; i++) {
    const plotId = crypto.randomBytes(32).toString('hex');
    const built = buildPos2Plot({
      plotId,
      k: 28,
      strength: 2,
      plotIndex: i,
      metaGroup,
      memo: 'pool',
      chunkCount: 4,
      chunkBytes: 4096,
    });
    writeSparse(path.join(plotsDir, `plot-k28-${plotId}.plot2`), built.header, POS2_FILE_BYTES, mtimeMs + i * 60_000);
  }
}

/**
 * The sandbox's farm before the run, for the migration: every disk holds pos1 k32 plots (sparse
 * files: a header and a size, no space taken), and pos2 plots landed over the 7 days before today
 * as if replot had run for a week, so `goplot migrate` has a rate to measure. Each disk is then
 * declared full (demo-df.ts): its files and DEMO_FREE_BYTES. Returns what it seeded, in words, and
 * the dir of the sandbox's df.
 */
export function seedMigration(
  sandbox: { root: string; farmRoot: string },
  nowMs: number,
): { lines: string[]; binDir: string } {
  const disks = fs
    .readdirSync(sandbox.farmRoot)
    .sort()
    .flatMap((farm) => ['disk1', 'disk2', 'disk3'].map((disk) => path.join(sandbox.farmRoot, farm, disk, 'plots')))
    .filter((dir) => fs.existsSync(dir));
  let pos1 = 0;
  disks.forEach((dir, index) => {
    pos1 += seedPos1(dir, index);
  });
  const today = Date.UTC(new Date(nowMs).getUTCFullYear(), new Date(nowMs).getUTCMonth(), new Date(nowMs).getUTCDate());
  WEEK.forEach((count, day) => {
    const dayStart = today - (WEEK.length - day) * DAY_MS;
    // one group of the day per disk, in turn, each with its own meta group
    seedPos2(disks[day % disks.length]!, count, dayStart + 6 * 3_600_000, (day * 37) % 256);
  });
  const pos2 = WEEK.reduce((sum, count) => sum + count, 0);
  const sizes = disks.map((plotsDir) => {
    const diskDir = path.dirname(plotsDir);
    return { diskDir, bytes: filesBytes(diskDir) + DEMO_FREE_BYTES };
  });
  const binDir = writeDemoDf(path.join(sandbox.root, 'bin'), sizes);
  const tib = (bytes: number) => (bytes / 1024 ** 4).toFixed(2);
  return {
    binDir,
    lines: [
      `  seeded: ${pos1} pos1 k32 plots (sparse files) on ${disks.length} disks, and ${pos2} pos2 k28 plots landed over the last 7 days (${WEEK.join(', ')} a day), as if replot had run for a week`,
      `  the disks are full: each is a folder that the sandbox's df (${binDir}/df, disk_space df) reports as its files and ${DEMO_FREE_BYTES / 1024 ** 2} MiB free, ${sizes.map((size) => tib(size.bytes)).join(', ')} TiB`,
      `  chain_height ${DEMO_CHAIN_HEIGHT} (no chia node here): the pos1 plots already weigh less than they did`,
    ],
  };
}
