import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { TargetPlace } from './archive-targets.js';
import { sshArgs, shellQuote } from './ssh-args.js';
import { partialName } from './target-disk.js';
import { errorMessage } from '../util/error-message.js';

export type FinishResult = { ok: true; already: boolean } | { ok: false; problem: string; removedPartial: boolean };

export interface FinishRequest {
  place: TargetPlace;
  sshConfig: string;
  plotsDir: string;
  plotName: string;
  size: number;
  /** The source's first bytes: the copy must start with the very same header. */
  head: Buffer;
  /** The plot's mode once it is one (archive_mode): a harvester of another user must read it. */
  mode: number;
  timeoutMs: number;
}

/**
 * Turns a complete copy into a plot: its size and header must equal the source's, then it is
 * renamed to `*.plot` without replacing a file of that name. A copy that is too long or has
 * another header can only be garbage (a plot's name is its id), so it is removed and the next
 * pass starts again. A plot already there with the same size and header is a rename done
 * before a crash: the copy is dropped and the transfer counts as done.
 */
export async function finishCopy(request: FinishRequest): Promise<FinishResult> {
  return request.place.kind === 'local' ? finishLocal(request) : finishRemote(request);
}

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

/** The same steps as finishLocal, as one sh script: one round trip. Exit 0 done, 10 already there. */
export function finishScript(request: FinishRequest): string {
  const dir = shellQuote(request.plotsDir);
  const part = shellQuote(partialName(request.plotName));
  const final = shellQuote(request.plotName);
  const hex = request.head.toString('hex');
  const n = request.head.length;
  const mode = request.mode.toString(8).padStart(4, '0');
  return [
    'export LC_ALL=C',
    `cd ${dir} || exit 2`,
    'same() { s=$(wc -c < "$1") || return 1; s=$(echo $s)',
    `  [ "$s" = "${request.size}" ] || { echo "size $s instead of ${request.size}"; return 1; }`,
    `  h=$(od -An -v -tx1 -N ${n} "$1" | tr -d ' \\n')`,
    `  [ "$h" = "${hex}" ] || { echo "its header differs from the source"; return 1; }; }`,
    `if [ -e ${final} ]; then`,
    `  why=$(same ${final}) || { echo "exists already and is another file ($why)"; exit 3; }`,
    `  rm -f ${part}; chmod ${mode} ${final}; exit 10`,
    'fi',
    `why=$(same ${part}) || { rm -f ${part}; echo "the copy failed verification ($why); removed it"; exit 4; }`,
    `chmod ${mode} ${part} || { echo "cannot chmod ${mode} the copy"; exit 5; }`,
    `if ln ${part} ${final} 2>/dev/null; then rm -f ${part}; exit 0; fi`,
    `[ -e ${final} ] && { echo "appeared meanwhile"; exit 3; }`,
    `mv ${part} ${final} || exit 5`,
    '',
  ].join('\n');
}

async function finishRemote(request: FinishRequest): Promise<FinishResult> {
  return (await finishCopies([request]))[0];
}

/** What one copy's script said: its exit code and its one line. */
function finishResult(code: number, said: string): FinishResult {
  if (code === 0) return { ok: true, already: false };
  if (code === 10) return { ok: true, already: true };
  return { ok: false, problem: said || `exit ${code}`, removedPartial: code === 4 };
}

/**
 * Finishes a batch's copies on one disk: locally one by one, on a harvester as one sh script
 * (each copy's steps in a subshell of their own), so a batch of plots costs one round trip.
 */
export async function finishCopies(requests: FinishRequest[]): Promise<FinishResult[]> {
  const first = requests[0];
  if (first === undefined) return [];
  if (first.place.kind === 'local') return requests.map(finishLocal);
  const script = requests
    .map((request, i) => `out=$( (\n${finishScript(request)}) 2>&1 ); echo "goplot-finish ${i} $? $(echo $out)"`)
    .join('\n');
  const result = await execa('ssh', [...sshArgs(first.place, first.sshConfig), 'sh', '-s'], {
    input: `${script}\n`,
    timeout: first.timeoutMs,
    reject: false,
  });
  const answers = new Map<number, FinishResult>();
  for (const match of String(result.stdout).matchAll(/^goplot-finish (\d+) (\d+) ?(.*)$/gm))
    answers.set(Number(match[1]), finishResult(Number(match[2]), match[3]));
  const why = result.timedOut
    ? `no answer within ${first.timeoutMs / 1000} s`
    : String(result.stderr).trim().split('\n').at(-1) || `ssh exited with ${result.exitCode}`;
  return requests.map((_, i) => answers.get(i) ?? { ok: false, problem: why, removedPartial: false });
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
  const result = await execa(
    'ssh',
    [...sshArgs(request.place, request.sshConfig), 'rm', '-f', '--', shellQuote(partial)],
    { timeout: request.timeoutMs, reject: false },
  );
  return result.exitCode === 0;
}
