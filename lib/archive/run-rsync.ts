import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { TargetPlace } from './archive-targets.js';
import { rsyncRemote, sshTransportArgs } from './ssh-args.js';
import { partialName } from './target-disk.js';

export interface RsyncRequest {
  /** A folder holding, for each plot, a link `<plot>.partial` to its source (rsync -L sends the file). */
  linkDir: string;
  plotNames: string[];
  place: TargetPlace;
  sshConfig: string;
  plotsDir: string;
  /** KiB/s, 0 for no limit. */
  bwlimit: number;
  onBytes?: (plotName: string, bytesDone: number) => void;
  signal?: AbortSignal;
}

export type RsyncResult =
  | { ok: true }
  | {
      ok: false;
      code: number | null;
      problem: string;
      kind: 'full' | 'unreachable' | 'stopped' | 'failed';
      /** The plots rsync said it sent whole before it failed: they may still be finished. */
      sent: Set<string>;
    };

/** A word for rsync's `-e`, which splits on spaces and honours quotes. */
function rsyncWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** The line rsync prints as it begins a file: the marker, then the file's name. */
const BEGIN = 'goplot-file ';

/**
 * rsync's arguments for a batch of plots to one disk, in one run (one ssh connection). Each is written straight into `<plot>.plot.partial` (no harvester loads that name):
 * the sources are links of that name in linkDir, which -L sends as the files they point at.
 * --append-verify resumes a partial left by a killed transfer and checks the whole file's
 * checksum, sending it again if it differs. --timeout ends a transfer whose network went silent.
 * The names come on stdin (rsyncList), NUL-separated: rsync connects before it reads them, so
 * the links are made while ssh logs in, and a batch of thousands of plots fits no command line.
 */
export function rsyncArgs(request: Omit<RsyncRequest, 'plotNames'>): string[] {
  const args = ['--copy-links', '--append-verify', '--times', '--progress', `--out-format=${BEGIN}%n`, '--timeout=120'];
  if (request.bwlimit > 0) args.push(`--bwlimit=${request.bwlimit}`);
  args.push('--files-from=-', '--from0');
  const from = `${request.linkDir}/`;
  const into = `${request.plotsDir}/`;
  if (request.place.kind === 'remote') {
    args.push('-e', ['ssh', ...sshTransportArgs(request.place, request.sshConfig, false)].map(rsyncWord).join(' '));
    return [...args, '--', from, rsyncRemote(request.place, into)];
  }
  return [...args, '--', from, into];
}

/** What rsync reads on stdin for --files-from=- --from0: each link's name, relative to linkDir. */
export function rsyncList(plotNames: string[]): string {
  return plotNames.map((name) => `${partialName(name)}\0`).join('');
}

/**
 * Reads rsync's stdout: `goplot-file <name>` as a file begins, progress lines as it goes, and
 * `(xfr#N, …)` when it is complete.
 */
function progressReader(request: RsyncRequest, sent: Set<string>): (chunk: string) => void {
  let current: string | null = null;
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk).split(/[\r\n]/);
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(BEGIN)) {
        const name = line.slice(BEGIN.length);
        current = name.endsWith('.partial') ? name.slice(0, -'.partial'.length) : name;
        continue;
      }
      if (current === null) continue;
      const bytes = /^\s*(\d[\d,]*)\s+\d+%/.exec(line);
      if (bytes) request.onBytes?.(current, Number(bytes[1].replace(/,/g, '')));
      if (/\(xfr#\d+/.test(line)) sent.add(current);
    }
  };
}

/** rsync's exit codes that mean the other side was not reached or went away. */
const UNREACHABLE = new Set([5, 10, 12, 30, 35, 255]);

/**
 * Runs rsync for a batch of plots to one disk; progress is read from its `--progress` lines.
 * `prepare` (making the links) runs once rsync has started, while it connects; the names are
 * given to rsync after it. If it throws, rsync is given no name (it sends nothing), and once
 * it has exited the error is the caller's.
 */
export async function runRsync(request: RsyncRequest, prepare: () => void = () => undefined): Promise<RsyncResult> {
  let failure = null as { error: unknown } | null;
  const result = await spawnRsync(request, (stdin) => {
    let list = '';
    try {
      prepare();
      list = rsyncList(request.plotNames);
    } catch (error) {
      failure = { error };
    } finally {
      stdin.end(list);
    }
  });
  if (failure !== null) throw failure.error;
  return result;
}

function spawnRsync(request: RsyncRequest, feed: (stdin: Writable) => void): Promise<RsyncResult> {
  return new Promise((resolve) => {
    const child = spawn('rsync', rsyncArgs(request), { stdio: ['pipe', 'pipe', 'pipe'] });
    // rsync that could not start or died early closes its stdin: said by its exit below
    child.stdin.on('error', () => undefined);
    let stderr = '';
    let stopped = false;
    const sent = new Set<string>();
    const onAbort = () => {
      stopped = true;
      child.kill('SIGTERM');
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', progressReader(request, sent));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error) =>
      resolve({ ok: false, code: null, problem: `cannot run rsync (${error.message})`, kind: 'failed', sent }),
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
      resolve({ ok: false, code, problem, kind, sent });
    });
    feed(child.stdin);
  });
}
