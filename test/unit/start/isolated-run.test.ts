import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { isolateJob, type RunOutcome } from '../../../lib/start/isolated-run.js';
import { waitFor } from '../../helpers/temp-home.js';

/** A real pino logger whose lines land in an array. */
function memoryLog() {
  const lines: string[] = [];
  const log = pino(
    { base: null, timestamp: false },
    { write: (json: string) => lines.push((JSON.parse(json) as { msg: string }).msg) },
  );
  return { log, lines };
}

describe('isolateJob', () => {
  it('says a throwing job once, runs it again on the next tick, and says when it works again', async () => {
    const { log, lines } = memoryLog();
    const results: (() => RunOutcome)[] = [
      () => {
        throw new Error('disk exploded');
      },
      () => {
        throw new Error('disk exploded');
      },
      () => ({ ok: false, problem: 'chia is missing' }),
      () => ({ ok: true }),
    ];
    let runs = 0;
    const run = isolateJob({ name: 'diskhand', timeoutMs: 5000, run: async () => results[runs++]!() }, log);
    for (let tick = 0; tick < 4; tick++) await run();
    assert.equal(runs, 4);
    assert.deepEqual(lines, [
      'diskhand failed: disk exploded (said once until it works again)',
      'diskhand works again',
    ]);
  });

  it('says a hung run once at its timeout, never starts a second one beside it, and runs again once it ends', async () => {
    const { log, lines } = memoryLog();
    let release: (() => void) | null = null;
    let runs = 0;
    const run = isolateJob(
      {
        name: 'the getfarm collector',
        timeoutMs: 50,
        run: async () => {
          runs++;
          if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
          return { ok: true };
        },
      },
      log,
    );
    await run();
    assert.deepEqual(lines, [
      'the getfarm collector did not finish within 0 s (a hung disk or command?); its next run waits until this one ends',
    ]);
    await run();
    await run();
    assert.equal(runs, 1, 'ticks while it hangs start nothing');
    release!();
    await waitFor('the end of the hung run to be said', () => lines.length === 2);
    assert.match(lines[1]!, /^the getfarm collector: the run that hung ended after \d+ s; its runs go on$/);
    await run();
    assert.equal(runs, 2);
    await run.settled();
  });
});
