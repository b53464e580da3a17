import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildPlotHeader, type HeaderSpec } from '../../lib/plot-file/build-plot-header.js';

export interface PlotFileOptions extends Partial<HeaderSpec> {
  /** The file's size: a sparse file past its header. Default: the header alone. */
  sizeBytes?: number;
  mtime?: Date;
}

/**
 * A `.plot` file as a plotter names it, holding a real header for the spec (v1 solo k32 C0 unless
 * told), sparse up to sizeBytes so a test farm of "100 GiB" plots takes no space.
 */
export function writePlotFile(dir: string, options: PlotFileOptions = {}): string {
  const plotId = options.plotId ?? crypto.randomBytes(32).toString('hex');
  const compression = options.compression ?? 0;
  const spec: HeaderSpec = {
    format: options.format ?? (compression > 0 ? 'bladebit' : 'v1'),
    plotId,
    k: options.k ?? 32,
    compression,
    kind: options.kind ?? 'solo',
  };
  const level = compression > 0 ? `-c${String(compression).padStart(2, '0')}` : '';
  const file = path.join(dir, `plot-k${spec.k}${level}-2026-01-01-00-00-${plotId}.plot`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, buildPlotHeader(spec));
  if (options.sizeBytes !== undefined) fs.truncateSync(file, options.sizeBytes);
  if (options.mtime) fs.utimesSync(file, options.mtime, options.mtime);
  return file;
}
