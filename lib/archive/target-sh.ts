import type { TargetPlace } from './archive-targets.js';
import { sshArgs } from './ssh-args.js';

export type ShAnswer = { ok: true; stdout: string } | { ok: false; problem: string };

/**
 * Runs an sh script where a target's disks are: here with this host's sh, on a harvester through
 * the host's master connection. The scripts use only what DESIGN §15 asks of the remote side.
 */
export async function runTargetSh(
  place: TargetPlace,
  sshConfig: string,
  script: string,
  timeoutMs: number,
): Promise<ShAnswer> {
  const [command, args] =
    place.kind === 'remote' ? ['ssh', [...sshArgs(place, sshConfig), 'sh', '-s']] : ['sh', ['-s']];
  // loaded at the first script run outside a host's session: a pass whose scripts all go through
  // the session (lib/archive/host-session.ts) loads none of execa's hundred-odd modules
  const { execa } = await import('execa');
  const result = await execa(command, args, { input: script, timeout: timeoutMs, reject: false });
  if (result.timedOut) return { ok: false, problem: `no answer within ${timeoutMs / 1000} s` };
  if (result.exitCode !== 0) {
    const said = String(result.stderr).trim().split('\n').filter(Boolean).at(-1);
    return { ok: false, problem: said ?? `${command} exited with ${result.exitCode}` };
  }
  return { ok: true, stdout: String(result.stdout) };
}
