import fs from 'node:fs';
import path from 'node:path';
import { finishRemoteBatch, type FinishRequest, type FinishResult, type RemoteRequest } from './finish-remote.js';
import type { HostSession } from './host-session.js';
import { sshArgs } from './ssh-args.js';
import { shellQuote } from '../util/shell-quote.js';
import { partialName } from './target-disk.js';
import { errorMessage } from '../util/error-message.js';

export type { FinishRequest, FinishResult } from './finish-remote.js';
function readHead(file: string, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(length);
    return head.subarray(0, fs.readSync(fd, head, 0, length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function sameCopy(file: string, request: FinishRequest): string | null {
  const size = fs.statSync(file).size;
  if (size !== request.size) return `size ${size} instead of ${request.size}`;
  if (!readHead(file, request.head.length).equals(request.head)) return 'its header differs from the source';
  return null;
}

/**
 * Turns a complete copy into a plot: its size and header must equal the source's, then it is
 * renamed to `*.plot` without replacing a file of that name. A copy that is too long or has
 * another header can only be garbage (a plot's name is its id), so it is removed and the next
 * pass starts again. A plot already there with the same size and header is a rename done
 * before a crash: the copy is dropped and the transfer counts as done.
 */
function finishLocal(request: FinishRequest): FinishResult {
  const partial = path.join(request.plotsDir, partialName(request.plotName));
  const final = path.join(request.plotsDir, request.plotName);
  try {
    if (fs.existsSync(final)) {
      const problem = sameCopy(final, request);
      if (problem !== null)
        return {
          ok: false,
          problem: `${final} exists already and is another file (${problem})`,
          removedPartial: false,
        };
      fs.rmSync(partial, { force: true });
      fs.chmodSync(final, request.mode);
      return { ok: true, already: true };
    }
    const problem = sameCopy(partial, request);
    if (problem !== null) {
      fs.rmSync(partial, { force: true });
      return { ok: false, problem: `the copy failed verification (${problem}); removed it`, removedPartial: true };
    }
    // rsync gives a resumed copy the mode of the partial it appended to, not the source's
    fs.chmodSync(partial, request.mode);
    try {
      // link(2) fails when the name exists: a plot is never replaced
      fs.linkSync(partial, final);
      fs.unlinkSync(partial);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
      if (fs.existsSync(final)) return { ok: false, problem: `${final} appeared meanwhile`, removedPartial: false };
      fs.renameSync(partial, final); // a filesystem without hard links (exFAT, NTFS over FUSE)
    }
    return { ok: true, already: false };
  } catch (error) {
    return { ok: false, problem: `cannot finish the copy (${errorMessage(error)})`, removedPartial: false };
  }
}

/**
 * Finishes a batch's copies on one disk: locally one by one, on a harvester in one round trip for
 * the whole batch (finish-remote.ts), in the pass's `session` there while it lives, where `after`
 * (the lease's release) runs in the same script; `afterRan` says it did.
 */
export async function finishCopies(
  requests: FinishRequest[],
  after = '',
  session?: HostSession,
): Promise<{ results: FinishResult[]; afterRan: boolean }> {
  const first = requests[0];
  if (first === undefined) return { results: [], afterRan: false };
  if (first.place.kind === 'local') return { results: requests.map(finishLocal), afterRan: false };
  return finishRemoteBatch(requests as RemoteRequest[], after, session);
}

/**
 * Removes the copy left by a transfer that failed for want of room: it holds space on a full
 * disk, and the next pass may well choose another disk. Only our own `<plot>.plot.partial`, for a
 * plot whose source is still in staging, is ever removed.
 */
export async function removePartial(
  request: Pick<FinishRequest, 'place' | 'sshConfig' | 'plotsDir' | 'plotName' | 'timeoutMs'>,
): Promise<boolean> {
  const partial = path.join(request.plotsDir, partialName(request.plotName));
  if (request.place.kind === 'local') {
    fs.rmSync(partial, { force: true });
    return true;
  }
  // a rare path (a partial copy left by a failed batch): execa loads only when it is taken
  const { execa } = await import('execa');
  const result = await execa(
    'ssh',
    [...sshArgs(request.place, request.sshConfig), 'rm', '-f', '--', shellQuote(partial)],
    { timeout: request.timeoutMs, reject: false },
  );
  return result.exitCode === 0;
}
