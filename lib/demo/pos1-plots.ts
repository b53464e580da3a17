import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildPlotHeader } from '../plot-file/build-plot-header.js';

export interface Pos1PlotSpec {
  /** 32 unless given: the k the header and the name say, whatever the file's size. */
  k?: number;
  /** 0 (a v1 chiapos header) unless given; above 0, a bladebit header at that level. */
  compression?: number;
  kind?: 'pool' | 'solo';
  /** The file's size: the header, then zeros up to it. */
  bytes: number;
  /** When the plot was finished: its mtime and the date in its name. */
  made: Date;
  /** Write the bytes out (a small filesystem then holds them as it would a real plot); sparse otherwise. */
  solid?: boolean;
}

/**
 * A pos1 plot as a plotter leaves it: a real header (replot and the scans read it), the name
 * chia gives (`plot-k32-c05-2024-03-01-12-00-<id>.plot`), a chosen size and mtime. The demo's seed
 * and the tests' full disks both write theirs with it.
 */
export function writePos1Plot(plotsDir: string, spec: Pos1PlotSpec): string {
  const plotId = crypto.randomBytes(32).toString('hex');
  const k = spec.k ?? 32;
  const compression = spec.compression ?? 0;
  const header = buildPlotHeader({
    format: compression > 0 ? 'bladebit' : 'v1',
    plotId,
    k,
    compression,
    kind: spec.kind ?? 'pool',
  });
  const level = compression > 0 ? `-c${String(compression).padStart(2, '0')}` : '';
  const stamp = spec.made.toISOString().slice(0, 16).replace(/[T:]/g, '-');
  const file = path.join(plotsDir, `plot-k${k}${level}-${stamp}-${plotId}.plot`);
  if (spec.solid)
    fs.writeFileSync(file, Buffer.concat([header, Buffer.alloc(Math.max(0, spec.bytes - header.length))]));
  else {
    fs.writeFileSync(file, header);
    fs.truncateSync(file, spec.bytes);
  }
  fs.utimesSync(file, spec.made, spec.made);
  return file;
}
