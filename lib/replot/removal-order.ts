import path from 'node:path';
import { finalPlotBytes } from '../farm/plot-size.js';
import type { PlotHeader } from '../plot-file/plot-header.js';

/** A plot replot may remove: its header facts, size and mtime when it was listed. */
export interface ReplotCandidate {
  path: string;
  header: PlotHeader;
  sizeBytes: number;
  mtimeMs: number;
}

/** chia's effective space of a pos2 plot of k 28 before its weight (DESIGN §18). */
const POS2_K28_EFFECTIVE = 1_717_986_918 * 0.78;
/** A pos2 plot of k 28 on disk: about 0.92 GiB (DESIGN §17). */
const POS2_K28_BYTES = 0.92 * 1024 ** 3;

/** A plot's effective space before its weight, as chia counts it. */
export function nominalEffectiveBytes(header: Pick<PlotHeader, 'pos' | 'k'>): number {
  if (header.pos === 2) return POS2_K28_EFFECTIVE * 2 ** (header.k - 28);
  return (2 * header.k + 1) * 2 ** (header.k - 1) * 0.78;
}

/**
 * Effective space lost per byte freed when a plot of this kind goes, by its class (k, level), not
 * its exact size: plots of one class tie, so the oldest of them goes first. Uncompressed pos1
 * plots are near 1.00, each compression level higher (C5 about 1.25).
 */
export function effectivePerByte(header: Pick<PlotHeader, 'pos' | 'k' | 'compression'>): number {
  const bytes = header.pos === 2 ? POS2_K28_BYTES * 2 ** (header.k - 28) : finalPlotBytes(header.k, header.compression);
  return Math.round((nominalEffectiveBytes(header) / bytes) * 1000) / 1000;
}

/**
 * Replot's removal order (DESIGN §18): first the plots whose loss costs the least effective space
 * per byte freed (uncompressed before compressed), then the oldest (mtime: when it was finished),
 * then by name.
 */
export function inRemovalOrder(a: ReplotCandidate, b: ReplotCandidate): number {
  const name = (plot: ReplotCandidate) => path.basename(plot.path);
  return (
    effectivePerByte(a.header) - effectivePerByte(b.header) ||
    a.mtimeMs - b.mtimeMs ||
    (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0)
  );
}
