import fs from 'node:fs';
import path from 'node:path';
import { takeDirLock } from '../util/dir-lock.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

export type ClaimResult = { send: true } | { send: false; lastSentSeconds: number | null; reason: 'too soon' | 'busy' };

/**
 * Decides whether an event of this kind and subject may be sent now, and if so records it, so
 * that of several short-lived processes (tractors, diskhand runs) only one notifies within
 * `gapSeconds`. The decision is made under a lock; a process that finds the lock taken leaves
 * the event to its holder, which is deciding the very same thing.
 */
export function claimNotification(
  stateDir: string,
  kind: string,
  subject: string,
  gapSeconds: number,
  nowMs: number,
): ClaimResult {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, `${kind}.${encodeURIComponent(subject)}`);
  let release: () => void;
  try {
    const take = takeDirLock(`${file}.lock`, { stale: 10_000 });
    if (!take.held) return { send: false, lastSentSeconds: null, reason: 'busy' };
    release = take.release;
  } catch {
    // a lock that cannot be taken at all (no permission): sent unchecked, it could go out on every run
    return { send: false, lastSentSeconds: null, reason: 'busy' };
  }
  try {
    const now = Math.floor(nowMs / 1000);
    const last = readLastSent(file);
    if (last !== null && gapSeconds > 0 && now - last < gapSeconds && now >= last) {
      return { send: false, lastSentSeconds: last, reason: 'too soon' };
    }
    writeFileAtomicSync(file, `${now}\n`);
    pruneOldClaims(stateDir, gapSeconds, nowMs);
    return { send: true };
  } finally {
    release();
  }
}

/** Claims older than this (and than the gap) decide nothing any more. */
export const CLAIM_MAX_AGE_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

/**
 * Each plot leaves two claims (`plot_started.plot 12`, `plot_finished.plot 12`): months of
 * plotting would fill the folder with thousands. Whoever records a claim removes, at most once
 * an hour, the claims too old to matter. Outage markers (`down.*`) and locks stay.
 */
function pruneOldClaims(stateDir: string, gapSeconds: number, nowMs: number): void {
  const marker = path.join(stateDir, '.pruned');
  try {
    if (nowMs - fs.statSync(marker).mtimeMs < PRUNE_EVERY_MS) return;
  } catch {
    // never pruned yet
  }
  const maxAgeMs = Math.max(CLAIM_MAX_AGE_MS, gapSeconds * 1000);
  try {
    fs.writeFileSync(marker, '');
    for (const name of fs.readdirSync(stateDir)) {
      if (name.startsWith('.') || name.startsWith('down.') || name.endsWith('.lock')) continue;
      const file = path.join(stateDir, name);
      const stat = fs.lstatSync(file);
      if (stat.isFile() && nowMs - stat.mtimeMs > maxAgeMs) fs.rmSync(file, { force: true });
    }
  } catch {
    // pruning is housekeeping: a failure here must not cost a notification
  }
}

function readLastSent(file: string): number | null {
  try {
    const value = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(value) ? value : null;
  } catch {
    return null;
  }
}
