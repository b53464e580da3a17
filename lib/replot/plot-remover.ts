import fs from 'node:fs';
import type { ReplotSettings } from './replot-candidates.js';
import type { ReplotCandidate } from './removal-order.js';
import { whyNotRemovable } from './check-victim.js';

/**
 * The one way replot removes an old plot, for a local disk and a disk over ssh alike: the plot is
 * checked again right before it goes (a regular file, not a link, right in `<disk>/plots/`, the
 * same size, mtime and header as when it was chosen, a valid plot the rule still matches) and
 * removed only then. Resolves to null when removed, else why not (nothing removed).
 */
export interface PlotRemover {
  /** Where the disk is, for log lines: `farm1/disk1`, `nas:farm1/disk1`. */
  readonly where: string;
  remove(victim: ReplotCandidate, plotsDir: string): Promise<string | null>;
}

/** A disk this machine mounts: the checks through lstat and a fresh header read, then unlink. */
export function localRemover(where: string, settings: () => ReplotSettings): PlotRemover {
  return {
    where,
    async remove(victim, plotsDir) {
      const refusal = whyNotRemovable(victim, plotsDir, settings());
      if (refusal !== null) return refusal;
      try {
        fs.unlinkSync(victim.path);
      } catch (error) {
        return `unlink failed (${(error as NodeJS.ErrnoException).code ?? 'unknown'})`;
      }
      return null;
    },
  };
}
