import type { PlotterName } from '../config/value-specs.js';
import { finalPlotBytes } from '../farm/plot-size.js';

/**
 * Temp space a plot needs, as a multiple of its final size. From the plotters' documented needs
 * at k32: chiapos 239 GiB (2.36x), madMAx 220 GiB in -t (2.17x; the -2 dir needs 1.1x more when it is
 * apart), bladebit diskplot ~390 GiB (3.85x); bladebit ramplot and cudaplot plot in memory.
 */
const TEMP_FACTOR: Record<PlotterName, number> = {
  chia: 2.36,
  madmax: 2.17,
  'bladebit-ram': 0,
  'bladebit-disk': 3.85,
  'bladebit-cuda': 0,
  // pos2 plotters plot in memory; a one-plot-a-run plotter's file in the temp dir moves out at once
  'chia-v2': 0,
  xchplot2: 0,
};

export function tempBytesNeeded(plotter: PlotterName, k: number): number {
  return Math.ceil(finalPlotBytes(k, 0) * TEMP_FACTOR[plotter]);
}
