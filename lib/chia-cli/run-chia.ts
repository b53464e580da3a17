import { execa } from 'execa';

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

/**
 * Runs the chia CLI with an argument array, stdin closed (a passphrase prompt must not wait for
 * a cron job's keyboard) and a hard time limit. chia runs in its own process group, and the
 * whole group is killed on timeout: a child that keeps stdout open must not keep us waiting.
 * Never throws: the outcome is data.
 */
export async function runChia(chiaBin: string, args: string[], options: RunChiaOptions): Promise<ChiaRunResult> {
  const command = [chiaBin, ...args].join(' ');
  const started = performance.now();
  const subprocess = execa(chiaBin, args, {
    reject: false,
    stdin: 'ignore',
    detached: true,
    env: options.env ?? process.env,
    extendEnv: false,
    maxBuffer: options.maxOutputBytes ?? 1_048_576,
    stripFinalNewline: false,
  });
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (subprocess.pid !== undefined) process.kill(-subprocess.pid, signal);
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGTERM');
    forceTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 2000);
  }, options.timeoutMs);
  let forceTimer: NodeJS.Timeout | undefined;
  const result = await subprocess;
  clearTimeout(timer);
  if (forceTimer) clearTimeout(forceTimer);
  if (timedOut) killGroup('SIGKILL');
  const durationMs = performance.now() - started;
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  const base = { command, stdout, stderr, durationMs };

  if (timedOut) {
    return { ok: false, reason: 'timeout', message: `"${command}" did not finish within ${formatMs(options.timeoutMs)}; killed it`, ...base };
  }
  if (result.code === 'ENOENT' || result.code === 'EACCES') {
    const why = result.code === 'ENOENT' ? 'not found' : 'not executable (permission denied)';
    return { ok: false, reason: 'missing', message: `cannot run chia_bin "${chiaBin}": ${why}`, ...base };
  }
  if (result.isMaxBuffer) {
    return { ok: false, reason: 'error', message: `"${command}" printed more than ${options.maxOutputBytes ?? 1_048_576} bytes; not chia's output`, ...base };
  }
  if (result.exitCode === undefined) {
    const why = result.signal ? `was killed by ${result.signal}` : (result.originalMessage || result.shortMessage);
    return { ok: false, reason: 'error', message: `"${command}" ${why}`, ...base };
  }
  // A non-zero exit is not a failure by itself: chia exits 1 after `Connection error…`, which is
  // news the collector reports (a dead node), not a broken collector. The parsers decide.
  return { ok: true, exitCode: result.exitCode, ...base };
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

// kept here too for the callers that import it from run-chia
export { parseTimeout } from './parse-timeout.js';
