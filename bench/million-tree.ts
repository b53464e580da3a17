// The million-plot farm the inventory bench reads: 10 farms x 10 disks x 10,000 files, built once
// under a folder and reused (a marker file says it is complete). Sparse pos2 files of a mainnet
// plot's size (k 28, about 0.92 GiB) holding a real header with 16 chunk offsets, so one 512-byte
// read takes the whole header as `head -c 512` does; one file in 100 is a pos1 v1 plot. Plot
// groups of 128 share a meta group and an mtime, spread over the last 60 days.
import fs from 'node:fs';
import path from 'node:path';
import { buildPlotHeader, buildPos2Plot } from '../lib/plot-file/build-plot-header.js';

export interface MillionTree {
  farmRoot: string;
  files: number;
  disks: number;
}

export const FARMS = 10;
export const DISKS_PER_FARM = 10;
const CHUNKS = 16;
const POS2_BYTES = 0.92 * 2 ** 30;
const GROUP = 128;

function writeDisk(plotsDir: string, perDisk: number, seed: number, nowMs: number): void {
  fs.mkdirSync(plotsDir, { recursive: true });
  fs.mkdirSync(path.join(path.dirname(plotsDir), 'logs'), { recursive: true });
  for (let i = 0; i < perDisk; i++) {
    const plotId = (seed * perDisk + i).toString(16).padStart(64, '0');
    const group = Math.floor(i / GROUP);
    const mtime = new Date(nowMs - ((seed * 7 + group) % 60) * 86_400_000 - 3_600_000);
    let file: string;
    let bytes: Buffer;
    let size: number;
    if (i % 100 === 99) {
      file = path.join(plotsDir, `plot-k32-2024-01-01-00-00-${plotId}.plot`);
      bytes = buildPlotHeader({ format: 'v1', plotId, k: 32, compression: 0, kind: 'solo' });
      size = 108_000_000_000;
    } else {
      const plot = buildPos2Plot({
        plotId,
        k: 28,
        strength: group % 3 === 0 ? 2 : 0,
        plotIndex: i % GROUP,
        metaGroup: (group * 16) % 256,
        memo: i % 2 === 0 ? 'solo' : 'pool',
        chunkCount: CHUNKS,
        chunkBytes: Math.floor(POS2_BYTES / CHUNKS),
      });
      file = path.join(plotsDir, `plot-k28-${plotId}.plot2`);
      bytes = plot.header;
      size = plot.fileBytes;
    }
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, bytes);
    fs.ftruncateSync(fd, size);
    fs.futimesSync(fd, mtime, mtime);
    fs.closeSync(fd);
  }
}

/** Builds the tree under `root` unless a complete one of `files` is there already. */
export function ensureMillionTree(root: string, files: number, nowMs: number): MillionTree {
  const disks = FARMS * DISKS_PER_FARM;
  const farmRoot = path.join(root, `farm-${files}`);
  const marker = path.join(root, `farm-${files}.complete`);
  if (fs.existsSync(marker)) return { farmRoot, files, disks };
  fs.rmSync(farmRoot, { recursive: true, force: true });
  const perDisk = Math.ceil(files / disks);
  for (let d = 0; d < disks; d++) {
    const dir = path.join(farmRoot, `farm${Math.floor(d / DISKS_PER_FARM)}`, `disk${d % DISKS_PER_FARM}`, 'plots');
    writeDisk(dir, Math.min(perDisk, files - d * perDisk), d, nowMs);
    if (d % 10 === 9) console.error(`million tree: ${d + 1} of ${disks} disks written`);
  }
  fs.writeFileSync(marker, `${new Date(nowMs).toISOString()}\n`);
  return { farmRoot, files, disks };
}

if (process.argv[1]?.endsWith('million-tree.js')) {
  const at = process.argv.indexOf('--files');
  const files = at > 0 ? Number(process.argv[at + 1]) : 1_000_000;
  const root = process.argv[process.argv.indexOf('--root') + 1] ?? '/var/tmp/goplot-million';
  const started = Date.now();
  ensureMillionTree(root, files, started);
  console.log(`built ${files} files under ${root} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
