import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { EXIT_CODE_FILE_ENV, takeLeftExitCode } from '../../../lib/farm/end-process.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-end-process-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A child that leaves `code` and ends itself with SIGKILL, as a tractor stuck on a dead disk does. */
function runKilledChild(file: string, code: number): Promise<NodeJS.Signals | null> {
  const module = pathToFileURL(path.join(PACKAGE_ROOT, 'lib', 'farm', 'end-process.js')).href;
  const script = `import { leaveExitCode } from ${JSON.stringify(module)}; leaveExitCode(${code}); process.kill(process.pid, 'SIGKILL');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, [EXIT_CODE_FILE_ENV]: file },
    stdio: 'ignore',
  });
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

describe('the exit code a process leaves before it ends itself with SIGKILL', () => {
  test('reaches its parent, and the file is gone once read', async () => {
    const file = path.join(dir, 'exit-1');
    assert.equal(await runKilledChild(file, 1), 'SIGKILL');
    assert.equal(takeLeftExitCode(file), 1);
    assert.equal(fs.existsSync(file), false);
  });

  test('is null when the child left none, so the parent counts the SIGKILL as a crash', () => {
    assert.equal(takeLeftExitCode(path.join(dir, 'never-written')), null);
  });

  test('is null for a file that holds no number', () => {
    const file = path.join(dir, 'garbage');
    fs.writeFileSync(file, 'x\n');
    assert.equal(takeLeftExitCode(file), null);
    assert.equal(fs.existsSync(file), false);
  });
});
