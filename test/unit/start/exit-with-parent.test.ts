import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitWithSupervisor, SUPERVISOR_PID_ENV } from '../../../lib/start/exit-with-parent.js';
import { waitFor } from '../../helpers/temp-home.js';

describe('exitWithSupervisor', () => {
  it('calls back once when the parent is no longer the supervisor, and takes the variable out of the environment', async () => {
    const env: NodeJS.ProcessEnv = { [SUPERVISOR_PID_ENV]: '4242' };
    let parent = 4242;
    const gone: number[] = [];
    exitWithSupervisor(env, (pid) => gone.push(pid), { everyMs: 10, ppid: () => parent });
    assert.equal(env[SUPERVISOR_PID_ENV], undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(gone, []);
    parent = 1;
    await waitFor('the callback', () => gone.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(gone, [4242]);
  });

  it('calls back at once when the supervisor was gone before the watch began', async () => {
    const gone: number[] = [];
    exitWithSupervisor({ [SUPERVISOR_PID_ENV]: '4242' }, (pid) => gone.push(pid), { everyMs: 60_000, ppid: () => 1 });
    await waitFor('the callback', () => gone.length > 0);
    assert.deepEqual(gone, [4242]);
  });

  it('watches nothing when started without a supervisor', async () => {
    const gone: number[] = [];
    exitWithSupervisor({}, (pid) => gone.push(pid), { everyMs: 10, ppid: () => 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(gone, []);
  });
});
