import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TargetPlace } from './archive-targets.js';
import { rsyncRemote, sshTransportArgs } from './ssh-args.js';
import { partialName } from './target-disk.js';

export interface RsyncRequest {
  source: string;
  place: TargetPlace;
  sshConfig: string;
  plotsDir: string;
  plotName: string;
  /** KiB/s, 0 for no limit. */
  bwlimit: number;
  onBytes?: (bytesDone: number) => void;
  signal?: AbortSignal;
}

export type RsyncResult =
  | { ok: true }
  | { ok: false; code: number | null; problem: string; kind: 'full' | 'unreachable' | 'stopped' | 'failed' };

/** A word for rsync's `-e`, which splits on spaces and honours quotes. */
function rsyncWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/**
 * rsync's arguments for one plot. It writes straight into `<plot>.plot.partial` (no harvester
 * loads that name); --append-verify resumes a partial left by a killed transfer and checks the
 * whole file's checksum, sending it again if the checksum differs. --timeout ends a transfer
 * whose network went silent.
 */
export function rsyncArgs(request: RsyncRequest): string[] {
  const destination = path.join(request.plotsDir, partialName(request.plotName));
  const args = ['--append-verify', '--times', '--progress', '--timeout=120'];
  if (request.bwlimit > 0) args.push(`--bwlimit=${request.bwlimit}`);
  if (request.place.kind === 'remote') {
    args.push('-e', ['ssh', ...sshTransportArgs(request.place, request.sshConfig, false)].map(rsyncWord).join(' '));
    return [...args, '--', request.source, rsyncRemote(request.place, destination)];
  }
  return [...args, '--', request.source, destination];
}

/** rsync's exit codes that mean the other side was not reached or went away. */
const UNREACHABLE = new Set([5, 10, 12, 30, 35, 255]);

/** Runs rsync for one plot; progress is read from its `--progress` lines. */
export function runRsync(request: RsyncRequest): Promise<RsyncResult> {
  return new Promise((resolve) => {
    const child = spawn('rsync', rsyncArgs(request), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stopped = false;
    const onAbort = () => {
      stopped = true;
      child.kill('SIGTERM');
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const matches = [...chunk.matchAll(/(\d[\d,]*)\s+\d+%/g)];
      const last = matches.at(-1);
      if (last) request.onBytes?.(Number(last[1].replace(/,/g, '')));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error) =>
      resolve({ ok: false, code: null, problem: `cannot run rsync (${error.message})`, kind: 'failed' }),
    );
    child.on('close', (code, signal) => {
      request.signal?.removeEventListener('abort', onAbort);
      if (code === 0) return resolve({ ok: true });
      const lines = stderr
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      // the cause (ENOSPC on the receiver) often comes before the last lines, which only say the pipe broke
      const cause = lines.find((line) => /No space left on device|Disk quota exceeded|Permission denied/.test(line));
      const shown = [...new Set([...(cause ? [cause] : []), ...lines.slice(-2)])];
      const problem = `rsync ${code === null ? `killed by ${signal}` : `exit ${code}`}${shown.length > 0 ? `: ${shown.join(' | ')}` : ''}`;
      const kind = stopped
        ? 'stopped'
        : /No space left on device|Disk quota exceeded/i.test(stderr)
          ? 'full'
          : code !== null && UNREACHABLE.has(code)
            ? 'unreachable'
            : 'failed';
      resolve({ ok: false, code, problem, kind });
    });
  });
}
