import fs from 'node:fs';
import path from 'node:path';
import { readPlotFileSync } from '../plot-file/read-plot-file.js';
import type { PlotHeader } from '../plot-file/plot-header.js';

/** A pos2 plot the group made, found by its header and now in the disk's plots/ under a `.plot2` name. */
export interface LandedPlot {
  file: string;
  header: PlotHeader;
  sizeBytes: number;
  /** Where the plotter left it, when that was not plots/ (a `.bin` in the temp dir). */
  movedFrom: string | null;
}

/** What the finder remembers between two looks: files already counted, and each candidate's last size and mtime. */
export interface LandingWatch {
  plotsDir: string;
  tempDir: string;
  k: number;
  counted: Set<string>;
  lastSeen: Map<string, string>;
}

/** A watch over the group's dirs; the `.plot2` files plots/ holds now are old plots, never counted. */
export function startLandingWatch(place: { plotsDir: string; tempDir: string; k: number }): LandingWatch {
  const counted = new Set(listNames(place.plotsDir).map((name) => path.join(place.plotsDir, name)));
  return { ...place, counted, lastSeen: new Map() };
}

function listNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Files a pos2 plotter leaves: `.plot2` in plots/, `.plot2` or `.bin` in its working dir (never `.partial`/`.tmp`). */
function candidates(watch: LandingWatch): string[] {
  const inPlots = listNames(watch.plotsDir)
    .filter((name) => name.endsWith('.plot2') && !name.startsWith('.'))
    .map((name) => path.join(watch.plotsDir, name));
  const inTemp = listNames(watch.tempDir)
    .filter((name) => /\.(plot2|bin)$/.test(name) && !name.startsWith('.'))
    .map((name) => path.join(watch.tempDir, name));
  return [...inPlots, ...inTemp].filter((file) => !watch.counted.has(file));
}

/**
 * The plots complete now: a valid pos2 header of the group's k whose chunk offsets lie inside the
 * file, and a writer that is gone (`writerGone`) or has left the file alone since the last look
 * (same size and mtime). Each is moved into plots/ as `plot-k{k}-{id}.plot2` when it is elsewhere.
 * Once the group's meta group is known, a plot in plots/ of another meta group is another group's.
 */
export function landFinishedPlots(watch: LandingWatch, writerGone: boolean, metaGroup: number | null): LandedPlot[] {
  const landed: LandedPlot[] = [];
  for (const file of candidates(watch)) {
    const facts = readPlotFileSync(file);
    if (!facts.ok || facts.header.pos !== 2 || facts.header.k !== watch.k) continue;
    // another group writing into the same plots/ lands its plots there too: its meta group tells them apart
    const inPlots = path.dirname(file) === path.resolve(watch.plotsDir);
    if (inPlots && metaGroup !== null && facts.header.pos2!.metaGroup !== metaGroup) {
      watch.counted.add(file);
      continue;
    }
    const seen = `${facts.sizeBytes}:${facts.mtimeMs}`;
    const still = watch.lastSeen.get(file) === seen;
    watch.lastSeen.set(file, seen);
    if (!writerGone && !still) continue;
    const target = path.join(watch.plotsDir, `plot-k${facts.header.k}-${facts.header.plotId}.plot2`);
    if (!inPlots) moveInto(file, target);
    watch.counted.add(inPlots ? file : target);
    watch.lastSeen.delete(file);
    landed.push({
      file: inPlots ? file : target,
      header: facts.header,
      sizeBytes: facts.sizeBytes,
      movedFrom: inPlots ? null : file,
    });
  }
  return landed;
}

/**
 * Into plots/ under a name no harvester loads until it is whole: a rename on one filesystem, else
 * a copy to `.plot2.tmp` beside the target, then the rename, then the source goes.
 */
function moveInto(source: string, target: string): void {
  try {
    fs.renameSync(source, target);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  const partial = `${target}.tmp`;
  fs.copyFileSync(source, partial);
  fs.renameSync(partial, target);
  fs.rmSync(source, { force: true });
}
