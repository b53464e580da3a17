import path from 'node:path';
import type { PlotHeader } from './plot-header.js';

export interface PlotNameFacts {
  k: number;
  /** From `-cNN-`; undefined when the name has none (chiapos, madmax, bladebit C0). */
  compression: number | undefined;
  plotId: string | undefined;
}

const NAME = /^plot-k(\d+)(?:-c(\d+))?-(?:.*-)?([0-9a-f]{64})\.plot2?$/;
const NAME_WITHOUT_ID = /^plot-k(\d+)(?:-c(\d+))?-/;

/**
 * What a plot's file name claims (`plot-k32-c05-2024-01-02-03-04-<id>.plot`, pos2's
 * `plot-k28-<id>.plot2`), if it follows the convention.
 */
export function parsePlotFileName(file: string): PlotNameFacts | undefined {
  const name = path.basename(file);
  const full = NAME.exec(name);
  if (full)
    return { k: Number(full[1]), compression: full[2] === undefined ? undefined : Number(full[2]), plotId: full[3] };
  const partial = NAME_WITHOUT_ID.exec(name);
  if (partial)
    return {
      k: Number(partial[1]),
      compression: partial[2] === undefined ? undefined : Number(partial[2]),
      plotId: undefined,
    };
  return undefined;
}

/** Where the name disagrees with the header (the header wins; a disagreement is worth a look). */
export function nameMismatches(file: string, header: PlotHeader): string[] {
  const claimed = parsePlotFileName(file);
  if (!claimed) return [];
  const found: string[] = [];
  if (claimed.k !== header.k) found.push(`name says k${claimed.k}, header k${header.k}`);
  const claimedLevel = claimed.compression ?? 0;
  if (claimedLevel !== header.compression) found.push(`name says C${claimedLevel}, header C${header.compression}`);
  if (claimed.plotId !== undefined && claimed.plotId !== header.plotId)
    found.push(`name says id ${claimed.plotId}, header id ${header.plotId}`);
  return found;
}
