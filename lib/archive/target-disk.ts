/** A disk of a target as one pass sees it. */
export interface TargetDisk {
  target: string;
  hostKey: string;
  farm: string;
  disk: string;
  /** `<root>/<farm>/<disk>/plots` on the target's host. */
  plotsDir: string;
  /** Why it takes no plot (`unmounted`, `read-only`, `off`, `unreadable: …`), or null. */
  problem: string | null;
  totalBytes: number;
  /** Free space less what other plotters' live leases hold there. */
  freeBytes: number;
  /** What other plotters' live leases hold there (DESIGN §15). */
  leasedBytes?: number;
  /** Our unfinished copies there, `<plot>.plot.partial` → bytes: a resumed copy needs only the rest. */
  partials: Map<string, number>;
  /** The pos2 meta groups of the plots there (and of our copies arriving), when the survey read them. */
  metaGroups?: Set<number>;
  /** The pos2 groups there (disk-groups.ts groupIdentity), when the survey read them: a group's own disk holds its identity. */
  groups?: Set<string>;
  /** A remote disk's `*.plot` regular files, listed by the survey when replot is on. */
  plotFiles?: ListedPlot[];
}

/** One plot file as a remote survey lists it (mtime to the second). */
export interface ListedPlot {
  name: string;
  sizeBytes: number;
  mtimeMs: number;
}

export type HostSurvey =
  | {
      hostKey: string;
      ok: true;
      disks: TargetDisk[];
      /** Whether the host's CPU does AES-GCM in hardware (a remote survey says; false without /proc/cpuinfo). */
      aesGcm?: boolean;
    }
  | { hostKey: string; ok: false; problem: string };

/** The name a copy has until it is complete and verified: chia's harvester loads only `*.plot`. */
export function partialName(plotName: string): string {
  return `${plotName}.partial`;
}

export const PARTIAL_SUFFIX = '.plot.partial';
