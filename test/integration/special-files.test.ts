import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { runScript, waitFor } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();

describe('special files where goplot expects plain ones', () => {
  test(
    'a FIFO at logs/goplot.log neither hangs the loop nor makes it deaf to SIGTERM',
    { timeout: 60_000 },
    async () => {
      const home = farm({ farm1: ['disk1'] }, ['1']);
      home.set('on_toggle', 'off');
      const log = path.join(home.logsDir, 'goplot.log');
      execFileSync('mkfifo', [log]);
      const loop = runScript(home, 'scripts/goplot.js', [], { env: simEnv(1), timeout: 50_000 });
      started.push(loop.pid!);
      let stderr = '';
      (loop as unknown as { stderr: Readable }).stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await waitFor(
        'the loop to say where its lines go',
        () =>
          stderr.includes(
            `goplot: cannot log to ${log}: it is not a regular file (a FIFO, device or socket); log lines go to stderr instead\n`,
          ),
        20_000,
      );
      await waitFor('a log line on stderr', () => /\] INFO: goplot\[\d+\] /.test(stderr), 20_000);
      process.kill(loop.pid!, 'SIGTERM');
      const result = await loop;
      assert.equal(result.timedOut, false);
      assert.notEqual(result.exitCode ?? result.signal, undefined);
    },
  );
});
