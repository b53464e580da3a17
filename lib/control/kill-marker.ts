import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

/** Who asked for a plot to end: written before the signal, so its tractor knows it was no failure. */
export interface KillRequest {
  index: number;
  by: string;
  requestedAtMs: number;
}

function markerFile(paths: HomePaths, index: number): string {
  return path.join(paths.logsDir, 'killed', `plot.${index}.json`);
}

export function writeKillMarker(paths: HomePaths, request: KillRequest): void {
  fs.mkdirSync(path.dirname(markerFile(paths, request.index)), { recursive: true });
  writeFileAtomicSync(markerFile(paths, request.index), `${JSON.stringify(request)}\n`);
}

/** The request for this plot, or null; an index is never reused, so a marker names one plot only. */
export function readKillMarker(paths: HomePaths, index: number): KillRequest | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(markerFile(paths, index), 'utf8')) as Partial<KillRequest>;
    return parsed.index === index && typeof parsed.by === 'string'
      ? { index, by: parsed.by, requestedAtMs: Number(parsed.requestedAtMs) || 0 }
      : null;
  } catch {
    return null;
  }
}
