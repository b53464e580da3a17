// A job's plot is tagged with its job in Grafana (a real HTTP server on 127.0.0.1 stands for Grafana).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startHttpRecorder, type HttpRecorder } from '../helpers/http-recorder.js';
import { makeJob } from '../helpers/jobs.js';
import { killTree, makeSimFarm, simEnv, simPlotterPids } from '../helpers/sim-farm.js';
import { runScript, type TempHome } from '../helpers/temp-home.js';

const homes: TempHome[] = [];
const recorders: HttpRecorder[] = [];
after(async () => {
  for (const home of homes) killTree(simPlotterPids(home));
  for (const home of homes) home.cleanup();
  for (const recorder of recorders) await recorder.close();
});

describe("Grafana annotations of a job's plot", () => {
  it('carry the tag job:<name> on the start and the end; a plot outside jobs has none', async () => {
    const home = makeSimFarm({ farm1: ['disk1'] }, ['1']);
    homes.push(home);
    const grafana = await startHttpRecorder();
    recorders.push(grafana);
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
