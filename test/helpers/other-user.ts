import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type Options } from 'execa';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import type { ScriptRun, TempHome } from './temp-home.js';

/** The unprivileged user every Linux has: a farmer without root, as far as permissions go. */
export const NOBODY = { uid: 65534, gid: 65534 };

/** What a built entry script needs at run time: the rest of the checkout stays where it is. */
const RUNTIME_PARTS = ['package.json', 'lib', 'scripts', 'collectors', 'node_modules'];

let reachable: string | null = null;

/**
 * A copy of the built package that any user can reach. A farmer may clone under /root or a
 * `mktemp -d` (mode 700): another user cannot even enter the checkout there, so a script run as
 * that user must come from elsewhere. Hard links where the temp dir shares the checkout's
 * filesystem (a second or so), a full copy otherwise; made once per test process, removed at exit.
 */
export function reachableCheckout(): string {
  if (reachable !== null) return reachable;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-checkout-'));
  fs.chmodSync(root, 0o755);
  process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  for (const part of RUNTIME_PARTS) {
    const from = path.join(PACKAGE_ROOT, part);
    try {
      execFileSync('cp', ['-al', from, root], { stdio: 'ignore' });
    } catch {
      fs.rmSync(path.join(root, part), { recursive: true, force: true });
      execFileSync('cp', ['-a', from, root]);
    }
  }
  reachable = root;
  return root;
}

/** Path of a built entry script in the copy another user can reach. */
export function reachableScript(relative: string): string {
  return path.join(reachableCheckout(), relative);
}

/**
 * Runs a built script as another user, as a farmer without root would run it: `node scripts/x.js`
 * from the reachable copy, with GOPLOT_HOME set and no supplementary groups.
 */
export function runScriptAs(
  user: { uid: number; gid: number },
  home: TempHome,
  relative: string,
  args: string[] = [],
  options: Pick<Options, 'env' | 'timeout'> = {},
): ScriptRun {
  const child = execa(
    'setpriv',
    [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', 'node', reachableScript(relative), ...args],
    {
      reject: false,
      timeout: 60_000,
      cwd: os.tmpdir(),
      ...options,
      env: { GOPLOT_HOME: home.home, ...(options.env ?? {}) },
    },
  );
  return child as unknown as ScriptRun;
}
