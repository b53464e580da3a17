import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { errorMessage } from '../../../lib/util/error-message.js';

const runMainModule = path.join(PACKAGE_ROOT, 'lib', 'util', 'run-main.ts');

/** A real Node process whose main is the given body, run through runMain as an entry script is. */
function runEntry(body: string, options = '{}') {
  const script =
    `import { runMain } from ${JSON.stringify(runMainModule)};\n` +
    `void runMain('demo-entry', async () => { ${body} }, ${options});\n`;
  return execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    reject: false,
    cwd: PACKAGE_ROOT,
    timeout: 30_000,
  });
}

describe('errorMessage', () => {
  it("gives an Error's message and anything else as text", () => {
    assert.equal(errorMessage(new TypeError('bad value')), 'bad value');
    assert.equal(errorMessage('plain text'), 'plain text');
    assert.equal(errorMessage(42), '42');
    assert.equal(errorMessage(undefined), 'undefined');
  });
});

describe('runMain (a spawned entry script)', () => {
  it('prints "<name>: <message>" without a stack trace and exits 1 when main throws', async () => {
    const result = await runEntry("throw new Error('no farm_root');");
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr, 'demo-entry: no farm_root');
  });

  it('uses the failure code a script asks for', async () => {
    const result = await runEntry("throw new Error('crashed');", '{ failureCode: 3 }');
    assert.equal(result.exitCode, 3);
    assert.equal(result.stderr, 'demo-entry: crashed');
  });

  it('leaves the exit code alone when main succeeds, and exitWhenDone ends a process an open handle would keep', async () => {
    const result = await runEntry(
      "setInterval(() => {}, 1000); process.stdout.write('done');",
      '{ exitWhenDone: true }',
    );
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, 'done');
    assert.equal(result.stderr, '');
  });
});
