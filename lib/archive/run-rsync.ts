import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TargetPlace } from './archive-targets.js';
import { rsyncRemote, sshTransportArgs } from './ssh-args.js';
import { partialName } from './target-disk.js';

/** What an rsync starts with, before its batch is known: where it writes, where its links lie. */
export interface RsyncStart {
  place: TargetPlace;
  sshConfig: string;
  /** KiB/s, 0 for no limit. */
  bwlimit: number;
  /** The ciphers its ssh asks for (archive_cipher), null or absent for ssh's own. */
  ciphers?: string | null;
  /** The folder rsync writes under: the batch's plots folder, or a folder above it (the target's root). */
  root: string;
  /** The batch's links go under it, where its plots folder lies under root. */
  linkDir: string;
}

/** The plots an rsync is given, all for one plots folder. */
export interface RsyncBatch {
  plotsDir: string;
  plotNames: string[];
  onBytes?: (plotName: string, bytesDone: number) => void;
  signal?: AbortSignal;
}

/** One batch in an rsync of its own that writes into the plots folder itself. */
export interface RsyncRequest extends Omit<RsyncStart, 'root'>, RsyncBatch {}

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
 * rsync's arguments for a batch of plots to one disk, in one run (one ssh connection). Each is
 * written straight into `<plot>.plot.partial` (no harvester loads that name): the sources are
 * links of that name under linkDir, which -L sends as the files they point at. --append-verify
 * resumes a partial left by a killed transfer and checks the whole file's checksum, sending it
 * again if it differs. --timeout ends a transfer whose network went silent. The names come on
 * stdin (rsyncList), NUL-separated, relative to root: rsync connects before it reads them, so it
 * logs in while the links are made (or while the pass that will give it its batch still plans),
 * and a batch of thousands of plots fits any command line. --no-implied-dirs: the folders above
 * a plots folder (`farm1/disk1/`) keep their times; rsync sends only the plots.
 */
export function rsyncArgs(start: RsyncStart): string[] {
  const args = ['--copy-links', '--append-verify', '--times', '--progress', `--out-format=${BEGIN}%n`, '--timeout=120'];
  if (start.bwlimit > 0) args.push(`--bwlimit=${start.bwlimit}`);
  args.push('--files-from=-', '--from0', '--no-implied-dirs');
  const from = `${start.linkDir}/`;
  const into = `${start.root}/`;
  if (start.place.kind === 'remote') {
    const ciphers = start.ciphers ? ['-o', `Ciphers=${start.ciphers}`] : [];
    args.push(
      '-e',
      ['ssh', ...sshTransportArgs(start.place, start.sshConfig, false), ...ciphers].map(rsyncWord).join(' '),
    );
    return [...args, '--', from, rsyncRemote(start.place, into)];
  }
  return [...args, '--', from, into];
}

/** The plots folder's place under root (`farm1/disk1/plots`, '' for root itself), or null when it is not under it. */
function placeUnder(root: string, plotsDir: string): string | null {
  const relative = path.relative(root, plotsDir);
  return relative === '..' || relative.startsWith('../') || path.isAbsolute(relative) ? null : relative;
}

/** What rsync reads on stdin for --files-from=- --from0: each link's name, relative to root. */
export function rsyncList(plotNames: string[], under = ''): string {
  return plotNames.map((name) => `${path.join(under, partialName(name))}\0`).join('');
}

/**
 * Reads rsync's stdout: `goplot-file <path>` as a file begins, progress lines as it goes, and
 * `(xfr#N, …)` when it is complete; `onBytes` is the batch's, once it is given.
 */
function progressReader(onBytes: () => RsyncBatch['onBytes'], sent: Set<string>): (chunk: string) => void {
  let current: string | null = null;
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk).split(/[\r\n]/);
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(BEGIN)) {
        const name = path.basename(line.slice(BEGIN.length));
        current = name.endsWith('.partial') ? name.slice(0, -'.partial'.length) : name;
        continue;
      }
      if (current === null) continue;
      const bytes = /^\s*(\d[\d,]*)\s+\d+%/.exec(line);
      if (bytes) onBytes()?.(current, Number(bytes[1].replace(/,/g, '')));
      if (/\(xfr#\d+/.test(line)) sent.add(current);
    }
  };
}

/** rsync's exit codes that mean the other side was not reached or went away. */
const UNREACHABLE = new Set([5, 10, 12, 30, 35, 255]);

/** What rsync's exit means. */
function resultOf(
  code: number | null,
  signal: string | null,
  stderr: string,
  stopped: boolean,
  sent: Set<string>,
): RsyncResult {
  if (code === 0) return { ok: true };
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
  return { ok: false, code, problem, kind, sent };
}

/**
 * An rsync started before its batch is known: it connects (ssh's login) while the caller still
 * plans, and sends nothing until send() names the plots; cancel() gives it none and it exits.
 */
export class StartedRsync {
  private readonly child: ChildProcess;
  private readonly done: Promise<RsyncResult>;
  private batch: RsyncBatch | null = null;
  private given = false;
  private stopped = false;

  constructor(readonly start: RsyncStart) {
    const sent = new Set<string>();
    let stderr = '';
    // rsync goes into it to read the names: an rsync given none then ends without a complaint
    fs.mkdirSync(start.linkDir, { recursive: true });
    this.child = spawn('rsync', rsyncArgs(start), { stdio: ['pipe', 'pipe', 'pipe'] });
    // an rsync that could not start or died early closes its stdin: said by its exit below
    this.child.stdin!.on('error', () => undefined);
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on(
      'data',
      progressReader(() => this.batch?.onBytes, sent),
    );
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    this.done = new Promise((resolve) => {
      this.child.on('error', (error) =>
        resolve({ ok: false, code: null, problem: `cannot run rsync (${error.message})`, kind: 'failed', sent }),
      );
      this.child.on('close', (code, signal) => resolve(resultOf(code, signal, stderr, this.stopped, sent)));
    });
  }

  /** Whether it still runs, waiting for its batch (one that failed to connect has exited). */
  get waiting(): boolean {
    return !this.given && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Where a batch's links for plotsDir go, or null when this rsync does not write there. */
  linksFor(plotsDir: string): string | null {
    const under = placeUnder(this.start.root, plotsDir);
    return under === null ? null : path.join(this.start.linkDir, under);
  }

  /**
   * Gives it its batch: `prepare` makes the links (in the folder it is given), then rsync reads
   * their names. If prepare throws, rsync is given no name (it sends nothing), and once it has
   * exited the error is the caller's. A batch that signal stops ends rsync.
   */
  async send(batch: RsyncBatch, prepare: (linkDir: string) => void): Promise<RsyncResult> {
    const linkDir = this.linksFor(batch.plotsDir);
    if (this.given || linkDir === null) throw new Error(`this rsync cannot take a batch for ${batch.plotsDir}`);
    this.given = true;
    this.batch = batch;
    const onAbort = () => {
      this.stopped = true;
      this.child.kill('SIGTERM');
    };
    batch.signal?.addEventListener('abort', onAbort, { once: true });
    if (batch.signal?.aborted) onAbort();
    let failure = null as { error: unknown } | null;
    let list = '';
    try {
      prepare(linkDir);
      list = rsyncList(batch.plotNames, placeUnder(this.start.root, batch.plotsDir)!);
    } catch (error) {
      failure = { error };
    } finally {
      this.child.stdin!.end(list);
    }
    const result = await this.done;
    batch.signal?.removeEventListener('abort', onAbort);
    if (failure !== null) throw failure.error;
    return result;
  }

  /** Gives it no batch: it sends nothing and exits. */
  cancel(): Promise<RsyncResult> {
    if (!this.given) {
      this.given = true;
      this.child.stdin!.end('');
    }
    return this.done;
  }
}

/**
 * Runs rsync for a batch of plots to one disk (writing into its plots folder); progress is read
 * from its `--progress` lines. `prepare` makes the links while rsync connects (StartedRsync.send).
 */
export function runRsync(
  request: RsyncRequest,
  prepare: (linkDir: string) => void = () => undefined,
): Promise<RsyncResult> {
  const started = new StartedRsync({ ...request, root: request.plotsDir });
  return started.send(request, prepare);
}
