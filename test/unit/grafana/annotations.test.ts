import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { createLogger } from '../../../lib/util/logger.js';
import { createPlotEvents, type PlotInfo } from '../../../lib/notify/plot-events.js';
import { readSecret } from '../../../lib/config/read-secret.js';
import { startHttpRecorder, type HttpRecorder } from '../../helpers/http-recorder.js';
import { logMessages, makeTempHome, type TempHome } from '../../helpers/temp-home.js';

const TOKEN = 'glsa_Sup3rSecretToken_0123456789';
const TIMEOUT_MS = 300;
const START_MS = 1_700_000_000_000;

const plot: PlotInfo = {
  index: 7,
  farm: 'f1',
  disk: 'd2',
  tempDir: '/plot_temp/1',
  destDir: '/farm/f1/d2/plots',
  plotter: 'madmax',
  k: 32,
  pid: 4242,
};

let home: TempHome;
let grafana: HttpRecorder;
const recorders: HttpRecorder[] = [];

function writeSecret(name: string, value: string, mode = 0o600): string {
  const file = path.join(home.configDir, name);
  fs.writeFileSync(file, `${value}\n`, { mode });
  fs.chmodSync(file, mode);
  return file;
}

function makeEvents(clock: { ms: number }) {
  const logger = createLogger(home, 'tractor');
  const config = new ConfigReader(home, () => {});
  return createPlotEvents({
    paths: home,
    config,
    log: logger,
    env: {},
    now: () => clock.ms,
    host: 'plotter1',
    timeoutMs: TIMEOUT_MS,
  });
}

beforeEach(async () => {
  home = makeTempHome();
  grafana = await startHttpRecorder();
  recorders.push(grafana);
  home.set('grafana_url', grafana.url);
  writeSecret('grafana_token', TOKEN);
});
afterEach(() => home.cleanup());
after(async () => {
  for (const recorder of recorders) await recorder.close();
});

describe('Grafana plot regions', () => {
  test('a plot opens a region at its start and patches its end with the token as Bearer', async () => {
    grafana.answer({ kind: 'reply', status: 200, body: { message: 'Annotation added', id: 42 } });
    const clock = { ms: START_MS };
    const events = makeEvents(clock);
    events.started(plot);
    clock.ms = START_MS + 5 * 3600_000 + 3 * 60_000;
    await events.finished(plot, 5 * 3600 + 3 * 60);

    assert.equal(grafana.requests.length, 2);
    const [start, end] = grafana.requests;
    assert.equal(start.method, 'POST');
    assert.equal(start.path, '/api/annotations');
    assert.equal(start.headers.authorization, `Bearer ${TOKEN}`);
    assert.match(String(start.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(start.body), {
      time: START_MS,
      tags: ['goplot', 'plot_start', 'plotter1'],
      text: 'plot 7 started on plotter1: madmax k32, temp /plot_temp/1, destination /farm/f1/d2/plots (pid 4242)',
    });
    assert.equal(end.method, 'PATCH');
    assert.equal(end.path, '/api/annotations/42');
    assert.equal(end.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(JSON.parse(end.body), {
      timeEnd: START_MS + 5 * 3600_000 + 3 * 60_000,
      tags: ['goplot', 'plot_end', 'plotter1'],
      text: 'plot 7 finished on plotter1 in 5h 03m (f1/d2)',
    });
  });

  test('a failed plot ends its region tagged plot_fail with the exit code and the time it ran', async () => {
    grafana.answer({ kind: 'reply', status: 200, body: { id: 9 } });
    const clock = { ms: START_MS };
    const events = makeEvents(clock);
    events.started(plot);
    clock.ms += 125_000;
    await events.failed(plot, 3, 125);
    const end = grafana.requests[1];
    assert.equal(end.path, '/api/annotations/9');
    assert.deepEqual(JSON.parse(end.body), {
      timeEnd: START_MS + 125_000,
      tags: ['goplot', 'plot_fail', 'plotter1'],
      text: 'plot 7 failed on plotter1: plotter exited with code 3 after 2m 05s (f1/d2)',
    });
  });

  test('when the start did not reach Grafana, the end creates the whole region', async () => {
    grafana.answer(() =>
      grafana.requests.length === 1
        ? { kind: 'reply', status: 500, body: { message: 'database is locked' } }
        : { kind: 'reply', status: 200, body: { id: 5 } },
    );
    const clock = { ms: START_MS };
    const events = makeEvents(clock);
    events.started(plot);
    clock.ms += 60_000;
    await events.finished(plot, 60);
    assert.deepEqual(
      grafana.requests.map((r) => `${r.method} ${r.path}`),
      ['POST /api/annotations', 'POST /api/annotations'],
    );
    assert.deepEqual(JSON.parse(grafana.requests[1].body), {
      time: START_MS,
      timeEnd: START_MS + 60_000,
      tags: ['goplot', 'plot_end', 'plotter1'],
      text: 'plot 7 finished on plotter1 in 1m 00s (f1/d2)',
    });
    assert.deepEqual(logMessages(home), [
      `Grafana annotations (${grafana.url}): HTTP 500 Internal Server Error; plots go on without annotations (said once until it answers again)`,
      `Grafana annotations (${grafana.url}): answering again`,
    ]);
  });

  // What a down or hung Grafana costs a tractor in time is measured in bench/hangs.bench.ts.
  test('Grafana down is said once per outage, even across two tractors, and never holds a plot up', async () => {
    await grafana.down();
    const clock = { ms: START_MS };
    const first = makeEvents(clock);
    const second = makeEvents(clock);
    first.started(plot);
    await first.finished(plot, 10);
    second.started({ ...plot, index: 8 });
    await second.failed({ ...plot, index: 8 }, 1, 10);
    const messages = logMessages(home);
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(
      messages[0],
      new RegExp(
        `^Grafana annotations \\(${grafana.url}\\): ECONNREFUSED: .*; plots go on without annotations \\(said once until it answers again\\)$`,
      ),
    );
  });

  test('a Grafana that never answers costs each request the timeout and no more', async () => {
    grafana.answer({ kind: 'hang' });
    const events = makeEvents({ ms: START_MS });
    events.started(plot);
    await events.finished(plot, 10);
    assert.deepEqual(logMessages(home), [
      `Grafana annotations (${grafana.url}): no answer within ${TIMEOUT_MS} ms; plots go on without annotations (said once until it answers again)`,
    ]);
  });

  test('a refused token (401) is logged without the token', async () => {
    grafana.answer({ kind: 'reply', status: 401, body: { message: `invalid API key ${TOKEN}` } });
    const events = makeEvents({ ms: START_MS });
    events.started(plot);
    await events.finished(plot, 10);
    const log = fs.readFileSync(path.join(home.logsDir, 'goplot.log'), 'utf8');
    assert.ok(!log.includes(TOKEN));
    assert.match(log, /HTTP 401 Unauthorized/);
  });

  test('a plot whose start this process did not see still gets its whole region, from its run time', async () => {
    grafana.answer({ kind: 'reply', status: 200, body: { id: 3 } });
    const events = makeEvents({ ms: START_MS });
    await events.failed(plot, 1, 90);
    assert.equal(grafana.requests.length, 1);
    assert.deepEqual(JSON.parse(grafana.requests[0].body), {
      time: START_MS - 90_000,
      timeEnd: START_MS,
      tags: ['goplot', 'plot_fail', 'plotter1'],
      text: 'plot 7 failed on plotter1: plotter exited with code 1 after 1m 30s (f1/d2)',
    });
  });

  test('without a token the requests go without Authorization and a refusal says the token file is missing', async () => {
    fs.rmSync(path.join(home.configDir, 'grafana_token'));
    grafana.answer({ kind: 'reply', status: 401, body: { message: 'Unauthorized' } });
    const events = makeEvents({ ms: START_MS });
    events.started(plot);
    await events.finished(plot, 10);
    assert.equal(grafana.requests[0].headers.authorization, undefined);
    assert.deepEqual(logMessages(home), [
      `Grafana annotations (${grafana.url}): HTTP 401 Unauthorized (no token: config/grafana_token is missing or empty); plots go on without annotations (said once until it answers again)`,
    ]);
  });

  test('with grafana_url empty nothing is sent', async () => {
    home.set('grafana_url', '');
    const events = makeEvents({ ms: START_MS });
    events.started(plot);
    await events.finished(plot, 10);
    assert.equal(grafana.requests.length, 0);
  });
});

describe('secret files', () => {
  test('a secret is its last non-empty line, trimmed; missing or empty is null', () => {
    const warnings: string[] = [];
    const log = { warn: (m: string) => warnings.push(m) };
    writeSecret('notify_ntfy', '  https://ntfy.sh/farm  \n\n');
    assert.equal(readSecret(home, 'notify_ntfy', log), 'https://ntfy.sh/farm');
    assert.equal(readSecret(home, 'notify_discord', log), null);
    writeSecret('notify_webhook', '   \n');
    assert.equal(readSecret(home, 'notify_webhook', log), null);
    assert.deepEqual(warnings, []);
  });

  test('a secret file readable by others gives one warning naming the file and chmod 600, not the secret', () => {
    const warnings: string[] = [];
    const log = { warn: (m: string) => warnings.push(m) };
    const file = writeSecret('grafana_token', TOKEN, 0o644);
    assert.equal(readSecret(home, 'grafana_token', log), TOKEN);
    assert.equal(readSecret(home, 'grafana_token', log), TOKEN);
    assert.deepEqual(warnings, [
      `${file}: secret file is readable by group or others (mode 644); run chmod 600 ${file}`,
    ]);
  });
});
