import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import type { ArchiveTarget, TargetPlace } from './archive-targets.js';
import { closeMasterArgs, sshArgs } from './ssh-args.js';

export type ShAnswer = { ok: true; stdout: string } | { ok: false; problem: string };

/**
 * One `sh -s` on a target host that takes several scripts, one after the other, in one ssh
 * session (over the host's master connection): a pass surveys, claims its leases and finishes
 * its batches there. Every ssh session starts the target user's login shell, whose rc files may
 * take a second (bench/RESULTS.md); a script sent here pays no login of its own. Each script runs
 * as its own subshell with stdin from /dev/null (so nothing it runs reads the scripts that follow),
 * then a line with a random marker and its exit code tells where its output ends.
 */
export class HostSession {
  private readonly child: ChildProcess;
  private readonly marker = `goplot-done-${crypto.randomBytes(8).toString('hex')}`;
  private stdout = '';
  private stderr = '';
  private dead: string | null = null;
  private closing = false;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting: ((ended: string) => void) | null = null;
  /** Scripts sent so far (the tests count them). */
  runs = 0;

  private constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // decoded as a stream: a file name's UTF-8 character split across two chunks stays whole
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      this.stdout += chunk;
      this.check();
    });
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
      this.check();
    });
    // a closed pipe is said by the exit below: a write after it must not crash the archiver
    this.child.stdin!.on('error', () => undefined);
    this.child.on('error', (error) => this.end(error.message));
    this.child.on('close', (code, signal) =>
      this.end(this.lastError() ?? `${String(this.child.spawnfile)} exited with ${code ?? signal}`),
    );
  }

  /** A session on the place's host (ssh through its master), or here with this host's sh. */
  static open(place: TargetPlace, sshConfig: string): HostSession {
    return place.kind === 'remote'
      ? new HostSession('ssh', [...sshArgs(place, sshConfig), 'sh', '-s'])
      : new HostSession('sh', ['-s']);
  }

  /** False once the session ended or is closing (its host went away, a script timed out, or it was closed). */
  get alive(): boolean {
    return this.dead === null && !this.closing;
  }

  /** Runs a script there, after the ones sent before it; its stdout, or why there is none. */
  async run(script: string, timeoutMs: number): Promise<ShAnswer> {
    const answer = await this.tryRun(script, timeoutMs);
    return answer ?? { ok: false, problem: this.closing ? 'it was closed' : (this.dead ?? 'it ended') };
  }

  /** As run, but null when the script was never sent: the session had ended before its turn. */
  tryRun(script: string, timeoutMs: number): Promise<ShAnswer | null> {
    if (this.closing) return Promise.resolve(null);
    const next = this.queue.then(() => this.runNow(script, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the session once the scripts sent before have answered: sh reads the end of its input and exits. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    void this.queue.then(() => this.child.stdin!.end());
  }

  private async runNow(script: string, timeoutMs: number): Promise<ShAnswer | null> {
    if (this.dead !== null) return null;
    this.runs += 1;
    this.stdout = '';
    this.stderr = '';
    const ended = new Promise<string>((resolve) => {
      this.waiting = resolve;
    });
    // the marker on stderr too: what the script said there has been read when both arrive
    const end = `s=$?; printf '\\n${this.marker}\\n' >&2; printf '\\n${this.marker} %s\\n' $s`;
    this.child.stdin!.write(`(\n${script}\n) </dev/null\n${end}\n`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const how = await Promise.race([ended, timedOut]);
    clearTimeout(timer);
    this.waiting = null;
    if (how === 'timeout') {
      this.end(`no answer within ${timeoutMs / 1000} s`);
      this.child.kill('SIGTERM');
      // a child of the script may still hold the pipes: nothing more is read from them
      for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) stream?.destroy();
      return { ok: false, problem: `no answer within ${timeoutMs / 1000} s` };
    }
    const done = new RegExp(`\\n${this.marker} (\\d+)\\n`).exec(this.stdout);
    if (done === null) return { ok: false, problem: this.lastError() ?? how };
    const stdout = this.stdout.slice(0, done.index);
    this.stdout = this.stdout.slice(done.index + done[0].length);
    const code = Number(done[1]);
    if (code !== 0) return { ok: false, problem: this.lastError() ?? `sh exited with ${code}` };
    return { ok: true, stdout };
  }

  /** The last line the session said on stderr since the current script began (its marker left out). */
  private lastError(): string | undefined {
    return this.stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && line !== this.marker)
      .at(-1);
  }

  private check(): void {
    // the marker's line is the last a script's answer holds: only the tail is searched, so a
    // survey of a disk with 100,000 plots is not scanned again for every chunk it arrives in
    if (
      this.waiting !== null &&
      new RegExp(`\\n${this.marker} \\d+\\n$`).test(this.stdout.slice(-(this.marker.length + 16))) &&
      this.stderr.includes(`\n${this.marker}\n`)
    )
      this.waiting('done');
  }

  private end(why: string): void {
    this.dead ??= why;
    this.waiting?.(why);
  }
}

/**
 * Runs one sh script where a target's disks are: here with this host's sh, on a harvester through
 * the host's master connection, in a session of its own that ends with it. The scripts use only
 * what DESIGN §15 asks of the remote side.
 */
export async function runTargetSh(
  place: TargetPlace,
  sshConfig: string,
  script: string,
  timeoutMs: number,
): Promise<ShAnswer> {
  const session = HostSession.open(place, sshConfig);
  try {
    return await session.run(script, timeoutMs);
  } finally {
    session.close();
  }
}

/**
 * A script on the session while it lives, else in a session of its own (runTargetSh): a session
 * that ended before the script was sent (its host went away meanwhile) costs a login, not the script.
 */
export async function runOnHost(
  session: HostSession | undefined,
  place: TargetPlace,
  sshConfig: string,
  script: string,
  timeoutMs: number,
): Promise<ShAnswer> {
  const answer = session?.alive ? await session.tryRun(script, timeoutMs) : null;
  return answer ?? runTargetSh(place, sshConfig, script, timeoutMs);
}

/** One user's hold on a host's session: done() once it sends no more (the last one closes it). */
export interface SessionUse {
  session: HostSession;
  done: () => void;
}

/**
 * The archiver's one live session per host (and ssh_config): a pass surveys and claims there, its
 * batches renew their leases and finish there, and the next pass, started while they run, finds
 * it open. It closes once nobody uses it, so an idle archiver holds no session.
 */
export class SessionPool {
  private readonly entries = new Map<string, { session: HostSession; users: number }>();

  /** `open` makes a session (tests pass one that runs sh here). */
  constructor(private readonly open: (place: TargetPlace, sshConfig: string) => HostSession = HostSession.open) {}

  use(place: Extract<TargetPlace, { kind: 'remote' }>, hostKey: string, sshConfig: string): SessionUse {
    const key = `${hostKey}\0${sshConfig}`;
    let entry = this.entries.get(key);
    if (entry === undefined || !entry.session.alive) {
      entry = { session: this.open(place, sshConfig), users: 0 };
      this.entries.set(key, entry);
    }
    const held = entry;
    held.users += 1;
    let ended = false;
    const done = () => {
      if (ended) return;
      ended = true;
      held.users -= 1;
      if (held.users > 0) return;
      held.session.close();
      if (this.entries.get(key) === held) this.entries.delete(key);
    };
    return { session: held.session, done };
  }
}

/** Ends the master connection of each remote target's host (`ssh -O exit`), once per host. */
export function closeMasters(targets: ArchiveTarget[], sshConfig: string): void {
  const seen = new Set<string>();
  for (const target of targets) {
    if (target.place.kind !== 'remote' || seen.has(target.hostKey)) continue;
    seen.add(target.hostKey);
    spawnSync('ssh', closeMasterArgs(target.place, sshConfig), { stdio: 'ignore', timeout: 5000 });
  }
}
