// Which chunk files a build may remove. A chunk's name carries a hash of its content, so a process
// started from an earlier build (a tractor hours into its plot, the loop for months) still finds
// the chunks it imports lazily after `npm install` rebuilt the checkout, as long as they stay.
// They stay while they belong to one of the last KEEP_BUILDS builds or to one made within
// KEEP_DAYS; after an upgrade the services are restarted (docs/development.md, Build).

export const KEEP_BUILDS = 4;
export const KEEP_DAYS = 14;

/** One build's chunk files (relative to the package root), newest build first in a history. */
export interface ChunkBuild {
  at: string;
  files: string[];
}

export interface Retention {
  history: ChunkBuild[];
  remove: string[];
}

/**
 * The history after a build that wrote `written`, and the chunk files on disk (`present`) no kept
 * build holds. A build that wrote the same files as the last one is not a new build. Files on disk
 * no build of the history holds (a history lost or never written) count as a build made now.
 */
export function retainChunks(history: ChunkBuild[], written: string[], present: string[], now: Date): Retention {
  const known = new Set(history.flatMap((build) => build.files));
  const unknown = present.filter((file) => !known.has(file) && !written.includes(file));
  let next = unknown.length > 0 ? [{ at: now.toISOString(), files: unknown.sort() }, ...history] : history;
  if (!sameFiles(next[0]?.files ?? [], written))
    next = [{ at: now.toISOString(), files: [...written].sort() }, ...next];
  const oldest = now.getTime() - KEEP_DAYS * 86_400_000;
  const kept = next.filter((build, index) => index < KEEP_BUILDS || Date.parse(build.at) >= oldest);
  const keep = new Set(kept.flatMap((build) => build.files));
  return { history: kept, remove: present.filter((file) => !keep.has(file)).sort() };
}

function sameFiles(a: string[], b: string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((file) => set.has(file));
}
