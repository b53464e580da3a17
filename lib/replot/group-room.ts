import fs from 'node:fs';
import path from 'node:path';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { readPlotFileSync } from '../plot-file/read-plot-file.js';
import { makeRoomLocked, type NewPlot, type RoomOutcome } from './make-room.js';

/** A pos2 group on its disk: how many plots it makes and the bytes of one. */
export interface GroupShape {
  size: number;
  plotBytes: number;
  startedMs: number;
  /** The meta group its plotter was told; null or absent when the plotter chooses. */
  metaGroup?: number | null;
}

/** Whether a plot file's header names this meta group (a file that does not read: no). */
function ofMetaGroup(file: string, metaGroup: number): boolean {
  const facts = readPlotFileSync(file);
  return facts.ok && facts.header.pos2?.metaGroup === metaGroup;
}

/**
 * The group's plots landed so far: `.plot2` files in plots/ written since it started, of its meta
 * group when known. Another group landing on the same disk meanwhile would otherwise count as
 * this one's, and its next plots would find no room made.
 */
export function landedPlots(plotsDir: string, startedMs: number, metaGroup: number | null = null): number {
  let names: string[];
  try {
    names = fs.readdirSync(plotsDir);
  } catch {
    return 0;
  }
  let landed = 0;
  for (const name of names) {
    if (!name.endsWith('.plot2')) continue;
    try {
      const file = path.join(plotsDir, name);
      if (fs.statSync(file).mtimeMs < startedMs - 1000) continue;
      if (metaGroup === null || ofMetaGroup(file, metaGroup)) landed += 1;
    } catch {
      // renamed meanwhile
    }
  }
  return landed;
}

/**
 * How many of the group's next plots need their room now: the next to land, and as many more as
 * land (at the pace measured so far; one more while none has landed) before the next look,
 * `aheadSeconds` on (0 for the tractor, which looks at each landing).
 */
export function plotsAhead(
  shape: GroupShape,
  landed: number,
  nowMs: number,
  aheadSeconds: number,
): { ahead: number; left: number } {
  const left = Math.max(0, shape.size - landed);
  const pace = landed > 0 ? (nowMs - shape.startedMs) / 1000 / landed : null;
  const more = aheadSeconds <= 0 ? 0 : pace === null || pace <= 0 ? 1 : Math.ceil(aheadSeconds / pace);
  return { ahead: Math.min(left, 1 + more), left };
}

/**
 * One just-in-time step for a pos2 group (holding the state lock): room for its next plots now,
 * old plots chosen as the fewest that free the room the rest of the group needs, but removed only
 * while the next plots would not fit. Called as each plot lands, by the tractor or whoever took
 * its duty over.
 */
export async function groupRoomLocked(o: {
  paths: HomePaths;
  config: ConfigReader;
  plot: NewPlot;
  shape: GroupShape;
  nowMs: number;
  aheadSeconds: number;
  stillWanted?: () => boolean;
  notify?: (subject: string, text: string) => void;
}): Promise<RoomOutcome | null> {
  const landed = landedPlots(o.plot.plotsDir, o.shape.startedMs, o.shape.metaGroup ?? null);
  const { ahead, left } = plotsAhead(o.shape, landed, o.nowMs, o.aheadSeconds);
  if (ahead === 0) return null;
  const kib = (plots: number) => Math.ceil((plots * o.shape.plotBytes * 1.01) / 1024);
  return makeRoomLocked({
    paths: o.paths,
    config: o.config,
    plot: { ...o.plot, pos: 2, needKiB: kib(ahead), plannedKiB: kib(left) },
    stillWanted: o.stillWanted,
    notify: o.notify,
  });
}
