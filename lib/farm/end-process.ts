import fs from 'node:fs';
import { unansweredDiskCalls } from './disk-space.js';

/** Where a process that must end by SIGKILL leaves the exit code it meant, for its parent (the loop). */
export const EXIT_CODE_FILE_ENV = 'GOPLOT_EXIT_CODE_FILE';

/**
 * Ends the process, even with a disk call stuck in the kernel. exit(3) joins libuv's threads,
 * and a thread blocked on a dead disk (a FUSE or NFS mount whose server is gone) never comes
 * back: the process would hang at its very end, deaf to SIGTERM, and cron would pile such runs
 * up. Then the work is done and written (logs are written synchronously), and only SIGKILL ends
 * it; stderr says why first.
 */
export function endProcess(name: string, code?: number, say?: (message: string) => void): never {
  // a hung df is a child process of its own: it holds no thread of this one
  const stuck = unansweredDiskCalls().filter((call) => !call.startsWith('df on '));
  if (stuck.length > 0) {
    const message = `ending with SIGKILL: ${stuck.length} disk call${stuck.length === 1 ? ' is' : 's are'} still stuck (${stuck.join(', ')}), and a normal exit would wait for ${stuck.length === 1 ? 'it' : 'them'}`;
    say?.(code === undefined ? message : `${message} (exit code ${code} otherwise)`);
    process.stderr.write(`${name}: ${message}\n`);
    leaveExitCode(code ?? (typeof process.exitCode === 'number' ? process.exitCode : 0));
    process.kill(process.pid, 'SIGKILL');
  }
  // process.exit(undefined) would exit 0 over a process.exitCode set earlier
  if (code === undefined) process.exit();
  process.exit(code);
}

export function leaveExitCode(code: number): void {
  const file = process.env[EXIT_CODE_FILE_ENV];
  if (!file) return;
  try {
    fs.writeFileSync(file, `${code}\n`);
  } catch {
    // the parent then sees SIGKILL alone and counts a crash: the safe side
  }
}

/** The exit code a child left before it ended itself with SIGKILL, or null; the file is removed. */
export function takeLeftExitCode(file: string): number | null {
  try {
    const code = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(code) ? code : null;
  } catch {
    return null;
  } finally {
    fs.rmSync(file, { force: true });
  }
}
