import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export type ChiaRunResult =
  | { ok: true; command: string; stdout: string; stderr: string; exitCode: number; durationMs: number }
  | {
      ok: false;
      command: string;
      /** missing: chia_bin cannot be started; timeout: killed after timeoutMs; error: anything else. */
      reason: 'missing' | 'timeout' | 'error';
      message: string;
      stdout: string;
      stderr: string;
      durationMs: number;
    };

export interface RunChiaOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Output beyond this is not chia's summary (a runaway or garbage); the run fails. */
  maxOutputBytes?: number;
  /** After SIGTERM to the process group, SIGKILL follows this much later. */
  killGraceMs?: number;
}

export type RunChia = (args: string[]) => Promise<ChiaRunResult>;

/** What the child did, gathered from its events. */
interface ChildOutcome {
  stdout: string;
  stderr: string;
  /** Set when it could not be started (ENOENT, EACCES…). */
  spawnError: NodeJS.ErrnoException | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  overflow: boolean;
  /** Killed at the time limit. */
  timedOut: boolean;
}

const DEFAULT_MAX_OUTPUT_BYTES = 1_048_576;
const NOT_RUN = { stdout: '', stderr: '', exitCode: null, signal: null, overflow: false, timedOut: false };

/**
 * Runs the chia CLI with an argument array, stdin closed (a passphrase prompt must not wait for
 * a cron job's keyboard) and a hard time limit. chia runs in its own process group, and the
 * whole group is killed on timeout: a child that keeps stdout open must not keep us waiting.
 * Never throws: the outcome is data. node:child_process, not execa: this one spawn is all a
 * getfarm run does, and execa's 100-odd modules cost a cron run more than chia's answer.
 */
export async function runChia(chiaBin: string, args: string[], options: RunChiaOptions): Promise<ChiaRunResult> {
  const started = performance.now();
  const outcome = await runInOwnGroup(chiaBin, args, options);
  return judgeOutcome(chiaBin, args, options, outcome, performance.now() - started);
}

/** Spawns chia in its own process group and waits for it, killing the group at the time limit or on too much output. */
async function runInOwnGroup(chiaBin: string, args: string[], options: RunChiaOptions): Promise<ChildOutcome> {
  let timedOut = false;
  let forceTimer: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  let pid: number | undefined;
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (pid !== undefined) process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const outcome = await new Promise<ChildOutcome>((resolve) => {
    const child = spawn(chiaBin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: options.env ?? process.env,
    });
    pid = child.pid;
    const output = collectOutput(child, options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, () => killGroup('SIGKILL'));
    child.once('error', (error: NodeJS.ErrnoException) => {
      // it never ran: no close follows a failed spawn
      if (child.pid === undefined) resolve({ ...NOT_RUN, spawnError: error });
    });
    child.once('close', (exitCode, signal) =>
      resolve({ ...output.read(), spawnError: null, exitCode, signal, timedOut }),
    );
    timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      forceTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 2000);
    }, options.timeoutMs);
  });
  clearTimeout(timer);
  if (forceTimer) clearTimeout(forceTimer);
  // whatever of its group outlived it goes too
  if (timedOut) killGroup('SIGKILL');
  return { ...outcome, timedOut };
}

/** Keeps stdout and stderr up to `maxBytes` together; past that, says so once through onOverflow and keeps nothing more. */
function collectOutput(
  child: ChildProcessByStdio<null, Readable, Readable>,
  maxBytes: number,
  onOverflow: () => void,
): { read(): Pick<ChildOutcome, 'stdout' | 'stderr' | 'overflow'> } {
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  let bytes = 0;
  let overflow = false;
  for (const name of ['stdout', 'stderr'] as const) {
    child[name].on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        if (!overflow) onOverflow();
        overflow = true;
        return;
      }
      chunks[name].push(chunk);
    });
  }
  const text = (name: 'stdout' | 'stderr') => Buffer.concat(chunks[name]).toString('utf8');
  return { read: () => ({ stdout: text('stdout'), stderr: text('stderr'), overflow }) };
}

/** What the run comes to: the first of timeout, not startable, not started, too much output, killed; else ok. */
function judgeOutcome(
  chiaBin: string,
  args: string[],
  options: RunChiaOptions,
  outcome: ChildOutcome,
  durationMs: number,
): ChiaRunResult {
  const command = [chiaBin, ...args].join(' ');
  const base = { command, stdout: outcome.stdout, stderr: outcome.stderr, durationMs };
  const failed = (reason: 'missing' | 'timeout' | 'error', message: string): ChiaRunResult => ({
    ok: false,
    reason,
    message,
    ...base,
  });
  if (outcome.timedOut)
    return failed('timeout', `"${command}" did not finish within ${formatMs(options.timeoutMs)}; killed it`);
  const code = outcome.spawnError?.code;
  if (code === 'ENOENT' || code === 'EACCES') {
    const why = code === 'ENOENT' ? 'not found' : 'not executable (permission denied)';
    return failed('missing', `cannot run chia_bin "${chiaBin}": ${why}`);
  }
  if (outcome.spawnError) return failed('error', `"${command}" could not start: ${outcome.spawnError.message}`);
  if (outcome.overflow) {
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    return failed('error', `"${command}" printed more than ${maxBytes} bytes; not chia's output`);
  }
  if (outcome.exitCode === null) return failed('error', `"${command}" was killed by ${outcome.signal ?? 'a signal'}`);
  // A non-zero exit is not a failure by itself: chia exits 1 after `Connection error…`, which is
  // news the collector reports (a dead node), not a broken collector. The parsers decide.
  return { ok: true, exitCode: outcome.exitCode, ...base };
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

// kept here too for the callers that import it from run-chia
export { parseTimeout } from './parse-timeout.js';
