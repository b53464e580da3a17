import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

export type ClaimResult = { send: true } | { send: false; lastSentSeconds: number | null; reason: 'too soon' | 'busy' };

/**
 * Decides whether an event of this kind and subject may be sent now, and if so records it, so
 * that of several short-lived processes (tractors, diskhand runs) only one notifies within
 * `gapSeconds`. The decision is made under a lock; a process that finds the lock taken leaves
 * the event to its holder, which is deciding the very same thing.
 */
export function claimNotification(stateDir: string, kind: string, subject: string, gapSeconds: number, nowMs: number): ClaimResult {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, `${kind}.${encodeURIComponent(subject)}`);
  let release: () => void;
  try {
    release = lockfile.lockSync(file, { realpath: false, stale: 10_000 });
  } catch {
    return { send: false, lastSentSeconds: null, reason: 'busy' };
  }
  try {
    const now = Math.floor(nowMs / 1000);
    const last = readLastSent(file);
    if (last !== null && gapSeconds > 0 && now - last < gapSeconds && now >= last) {
      return { send: false, lastSentSeconds: last, reason: 'too soon' };
    }
    writeFileAtomicSync(file, `${now}\n`);
    return { send: true };
  } finally {
    release();
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
