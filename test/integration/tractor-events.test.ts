import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { recordersOfThisFile, type HttpRecorder } from '../helpers/http-recorder.js';
import { simEnv, simFarmsOfThisFile, simPlotterPids } from '../helpers/sim-farm.js';
import { logMessages, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

const TOKEN = 'glsa_tractor_test_token_0123456789';
const { farm } = simFarmsOfThisFile();
const startRecorder = recordersOfThisFile();

async function setUp(): Promise<{ home: TempHome; grafana: HttpRecorder; hook: HttpRecorder }> {
  const home = farm({ farm1: ['disk1'] }, ['1']);
  const grafana = await startRecorder();
  const hook = await startRecorder();
  home.set('grafana_url', grafana.url);
  home.set('notify_gap', 0);
  fs.writeFileSync(path.join(home.configDir, 'grafana_token'), `${TOKEN}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(home.configDir, 'notify_webhook'), `${hook.url}/goplot\n`, { mode: 0o600 });
  return { home, grafana, hook };
}

const events = (hook: HttpRecorder) =>
  hook.requests.map((request) => (JSON.parse(request.body) as { event: string }).event);

describe('the tractor tells Grafana and the notification targets', () => {
  it('opens a region and sends plot_started, then closes it and sends plot_finished', async () => {
    const { home, grafana, hook } = await setUp();
    grafana.answer({ kind: 'reply', status: 200, body: { id: 17 } });
    const result = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(1) });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(
      grafana.requests.map((request) => `${request.method} ${request.path} ${request.headers.authorization}`),
      [`POST /api/annotations Bearer ${TOKEN}`, `PATCH /api/annotations/17 Bearer ${TOKEN}`],
    );
    assert.deepEqual((JSON.parse(grafana.requests[0]!.body) as { tags: string[] }).tags.slice(0, 2), [
      'goplot',
      'plot_start',
    ]);
    assert.deepEqual((JSON.parse(grafana.requests[1]!.body) as { tags: string[] }).tags.slice(0, 2), [
      'goplot',
      'plot_end',
    ]);
    assert.deepEqual(events(hook), ['plot_started', 'plot_finished']);
    assert.equal(
      fs.readFileSync(path.join(home.logsDir, 'goplot.log'), 'utf8').includes(TOKEN),
      false,
      'the token is never logged',
    );
  });

  it('closes the region as plot_fail and sends plot_failed when the plotter fails', async () => {
    const { home, grafana, hook } = await setUp();
    grafana.answer({ kind: 'reply', status: 200, body: { id: 18 } });
    const result = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(1, { SIMPLOTTER_FAIL_PHASE: '2' }) });
    assert.equal(result.exitCode, 1);
    assert.deepEqual((JSON.parse(grafana.requests[1]!.body) as { tags: string[] }).tags.slice(0, 2), [
      'goplot',
      'plot_fail',
    ]);
    assert.deepEqual(events(hook), ['plot_started', 'plot_failed']);
  });

  it('closes the region of a plot ended by goplot kill as plot_end tagged killed, and notifies nothing', async () => {
    const { home, grafana, hook } = await setUp();
    grafana.answer({ kind: 'reply', status: 200, body: { id: 19 } });
    const tractor = runScript(home, 'scripts/tractor.js', [], { env: simEnv(60), timeout: 100_000 });
    await waitFor('the region opened', () => grafana.requests.length === 1, 30_000);
    await waitFor('the plot in /proc', () => simPlotterPids(home).length === 1, 30_000);
    const killed = await runScript(home, 'scripts/goplot-cli.js', ['kill', '1', '--yes']);
    assert.equal(killed.exitCode, 0, killed.stderr);
    const result = await tractor;
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(grafana.requests.length, 2);
    const closing = JSON.parse(grafana.requests[1]!.body) as { tags: string[]; text: string };
    assert.equal(grafana.requests[1]!.path, '/api/annotations/19');
    assert.deepEqual([closing.tags[0], closing.tags[1], closing.tags.at(-1)], ['goplot', 'plot_end', 'killed']);
    assert.match(
      closing.text,
      /^plot 1 ended on request on \S+ \(by \S+ \(pid \d+\) with goplot kill\) after \d+s \(farm1\/disk1\)$/,
    );
    assert.deepEqual(events(hook), ['plot_started']);
  });

  it('plots just the same while Grafana and the webhook hang, and says so once', async () => {
    const { home, grafana, hook } = await setUp();
    grafana.answer({ kind: 'hang' });
    hook.answer({ kind: 'hang' });
    // what the hangs cost the tractor in time is measured in bench/hangs.bench.ts
    const result = await runScript(home, 'scripts/tractor.js', [], {
      env: simEnv(1, { GOPLOT_HTTP_TIMEOUT_MS: '500' }),
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.ok(logMessages(home).some((line) => /^plot 1 finished in \ds \(farm1\/disk1\)$/.test(line)));
    const lines = logMessages(home);
    assert.deepEqual(
      lines.filter((line) => line.includes('no answer within')),
      [
        `Grafana annotations (${grafana.url}): no answer within 500 ms; plots go on without annotations (said once until it answers again)`,
        'webhook (config/notify_webhook): no answer within 500 ms; notifications to it are lost meanwhile (said once until it answers again)',
      ],
    );
    assert.equal(fs.readFileSync(path.join(home.logsDir, 'goplot.log'), 'utf8').includes(TOKEN), false);
  });
});
