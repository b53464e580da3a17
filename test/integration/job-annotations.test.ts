// A job's plot is tagged with its job in Grafana (a real HTTP server on 127.0.0.1 stands for Grafana).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { recordersOfThisFile } from '../helpers/http-recorder.js';
import { makeJob } from '../helpers/jobs.js';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { runScript } from '../helpers/temp-home.js';

const { farm } = simFarmsOfThisFile();
const startRecorder = recordersOfThisFile();

describe("Grafana annotations of a job's plot", () => {
  it('carry the tag job:<name> on the start and the end; a plot outside jobs has none', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const grafana = await startRecorder();
    home.set('grafana_url', grafana.url);
    fs.writeFileSync(path.join(home.configDir, 'grafana_token'), 'glsa_job_test_token_0123456789\n', { mode: 0o600 });
    grafana.answer({ kind: 'reply', status: 200, body: { id: 5 } });
    makeJob(home, 'fast', { threads: 3 });
    const result = await runScript(home, 'scripts/tractor.js', ['--job', 'fast'], { env: simEnv(1) });
    assert.equal(result.exitCode, 0, result.stderr);
    const tags = grafana.requests.map((request) => (JSON.parse(request.body) as { tags: string[] }).tags);
    assert.deepEqual(
      tags.map((list) => [list[1], list.slice(3)]),
      [
        ['plot_start', ['job:fast']],
        ['plot_end', ['job:fast']],
      ],
    );
    const plain = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(1) });
    assert.equal(plain.exitCode, 0, plain.stderr);
    assert.deepEqual((JSON.parse(grafana.requests[2]!.body) as { tags: string[] }).tags.length, 3);
  });
});
