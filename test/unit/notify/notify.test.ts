import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { execa } from 'execa';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { createLogger } from '../../../lib/util/logger.js';
import { createPlotEvents } from '../../../lib/notify/plot-events.js';
import { startHttpRecorder, type HttpRecorder } from '../../helpers/http-recorder.js';
import { logMessages, makeTempHome, type TempHome } from '../../helpers/temp-home.js';
import { waitForEqual } from '../../helpers/wait-for-equal.js';

// a hung target is given up after this; the answering ones must get through well within it on a loaded CI machine
const TIMEOUT_MS = 3000;
const NOW_MS = 1_700_000_000_000;
const WEBHOOK_SECRET = 'wh-Secret-Path-8c1f';
const DISCORD_SECRET = 'dc-Secret-Token-77aa';
const TELEGRAM_TOKEN = '123456:TG-Secret-Token';
const PUSHOVER_TOKEN = 'poAppTokenSecret1';
const PUSHOVER_USER = 'poUserKeySecret2';
const NTFY_TOPIC = 'ntfy-secret-topic';

let home: TempHome;
let server: HttpRecorder;
const recorders: HttpRecorder[] = [];

function writeSecret(name: string, value: string): void {
  fs.writeFileSync(path.join(home.configDir, name), `${value}\n`, { mode: 0o600 });
}

function env(): NodeJS.ProcessEnv {
  return { GOPLOT_TELEGRAM_API: server.url, GOPLOT_PUSHOVER_API: server.url };
}

function makeEvents(clock = { ms: NOW_MS }) {
  return createPlotEvents({
    paths: home,
    config: new ConfigReader(home, () => {}),
    log: createLogger(home, 'diskhand'),
    env: env(),
    now: () => clock.ms,
    host: 'plotter1',
    timeoutMs: TIMEOUT_MS,
  });
}

function writeAllTargets(): void {
  writeSecret('notify_webhook', `${server.url}/hooks/${WEBHOOK_SECRET}`);
  writeSecret('notify_discord', `${server.url}/api/webhooks/1/${DISCORD_SECRET}`);
  writeSecret('notify_telegram', `${TELEGRAM_TOKEN} -1001234`);
  writeSecret('notify_pushover', `${PUSHOVER_TOKEN} ${PUSHOVER_USER}`);
  writeSecret('notify_ntfy', `${server.url}/${NTFY_TOPIC}`);
}

const ALL_SECRETS = [WEBHOOK_SECRET, DISCORD_SECRET, TELEGRAM_TOKEN, PUSHOVER_TOKEN, PUSHOVER_USER, NTFY_TOPIC];

function assertNoSecretInLog(): void {
  const file = path.join(home.logsDir, 'goplot.log');
  const log = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const secret of ALL_SECRETS) assert.ok(!log.includes(secret), `the log shows ${secret}:\n${log}`);
}

beforeEach(async () => {
  home = makeTempHome();
  server = await startHttpRecorder();
  recorders.push(server);
  home.set('notify_gap', 300);
});
afterEach(() => home.cleanup());
after(async () => {
  for (const recorder of recorders) await recorder.close();
});

describe('notification targets', () => {
  test('each configured target gets its own exact request, in parallel', async () => {
    writeAllTargets();
    const outcome = await makeEvents().notifyEvent('disk_full', 'f1/d2', 'disk f1/d2 is full');
    assert.deepEqual(outcome, { sent: ['webhook', 'discord', 'telegram', 'pushover', 'ntfy'], failed: [] });
    const byPath = new Map(server.requests.map((r) => [r.path, r]));
    assert.equal(server.requests.length, 5);
    for (const request of server.requests) assert.equal(request.method, 'POST');

    const webhook = byPath.get(`/hooks/${WEBHOOK_SECRET}`)!;
    assert.match(String(webhook.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(webhook.body), {
      event: 'disk_full',
      subject: 'f1/d2',
      host: 'plotter1',
      text: 'disk f1/d2 is full',
      time: NOW_MS / 1000,
    });

    assert.deepEqual(JSON.parse(byPath.get(`/api/webhooks/1/${DISCORD_SECRET}`)!.body), {
      content: '**plotter1** disk_full: disk f1/d2 is full',
    });

    assert.deepEqual(JSON.parse(byPath.get(`/bot${TELEGRAM_TOKEN}/sendMessage`)!.body), {
      chat_id: '-1001234',
      text: 'plotter1 disk_full: disk f1/d2 is full',
    });

    const pushover = byPath.get('/1/messages.json')!;
    assert.equal(pushover.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(pushover.body)), {
      token: PUSHOVER_TOKEN,
      user: PUSHOVER_USER,
      title: 'goplot plotter1: disk_full',
      message: 'disk f1/d2 is full',
      timestamp: String(NOW_MS / 1000),
    });

    const ntfy = byPath.get(`/${NTFY_TOPIC}`)!;
    assert.equal(ntfy.body, 'disk f1/d2 is full');
    assert.equal(ntfy.headers.title, 'goplot plotter1: disk_full');
    assert.equal(ntfy.headers.tags, 'warning');
    assert.deepEqual(logMessages(home, 'goplot.log'), [
      'notification disk_full (f1/d2) sent to webhook, discord, telegram, pushover, ntfy',
    ]);
    assertNoSecretInLog();
  });

  test('with no secret file nothing is sent and nothing is logged', async () => {
    const outcome = await makeEvents().notifyEvent('harvester_down', 'harvester', 'no eligible line for 60 s');
    assert.deepEqual(outcome, { sent: [], failed: [], skipped: 'no targets' });
    assert.equal(server.requests.length, 0);
    assert.deepEqual(logMessages(home), []);
  });

  test('a malformed secret turns its target off with a message that does not quote it', async () => {
    writeSecret('notify_telegram', TELEGRAM_TOKEN);
    writeSecret('notify_discord', `not a url ${DISCORD_SECRET}`);
    const outcome = await makeEvents().notifyEvent('harvester_up', 'harvester', 'eligible lines again');
    assert.deepEqual(outcome, { sent: [], failed: [], skipped: 'no targets' });
    assert.deepEqual(logMessages(home), [
      'config/notify_discord: expected a Discord webhook URL; this notification target is off until it is fixed',
      'config/notify_telegram: expected BOT_TOKEN CHAT_ID on one line; this notification target is off until it is fixed',
    ]);
  });

  test('a failing target is said once per outage, the others still get the message, and nothing leaks a secret', async () => {
    writeAllTargets();
    server.answer((request) =>
      request.path.startsWith('/hooks/')
        ? { kind: 'reply', status: 500, body: `oops ${WEBHOOK_SECRET}` }
        : request.path.startsWith('/api/webhooks')
          ? { kind: 'hang' }
          : { kind: 'reply', status: 200, body: { ok: true } },
    );
    const events = makeEvents();
    // how long a hung target holds a send is measured in bench/hangs.bench.ts
    const first = await events.notifyEvent('disk_full', 'f1/d1', 'disk f1/d1 is full');
    const second = await events.notifyEvent('disk_full', 'f1/d2', 'disk f1/d2 is full');
    assert.deepEqual(first, { sent: ['telegram', 'pushover', 'ntfy'], failed: ['webhook', 'discord'] });
    assert.deepEqual(second, first);
    assert.deepEqual(logMessages(home), [
      'webhook (config/notify_webhook): HTTP 500 Internal Server Error; notifications to it are lost meanwhile (said once until it answers again)',
      `Discord (config/notify_discord): no answer within ${TIMEOUT_MS} ms; notifications to it are lost meanwhile (said once until it answers again)`,
      'notification disk_full (f1/d1) sent to telegram, pushover, ntfy',
      'notification disk_full (f1/d2) sent to telegram, pushover, ntfy',
    ]);
    server.answer({ kind: 'reply', status: 204 });
    await events.notifyEvent('disk_full', 'f1/d3', 'disk f1/d3 is full');
    assert.deepEqual(logMessages(home).slice(4).sort(), [
      'Discord (config/notify_discord): answering again',
      'notification disk_full (f1/d3) sent to webhook, discord, telegram, pushover, ntfy',
      'webhook (config/notify_webhook): answering again',
    ]);
    assertNoSecretInLog();
  });

  test('a target that is down (connection refused) is logged without its URL', async () => {
    writeSecret('notify_webhook', `${server.url}/hooks/${WEBHOOK_SECRET}`);
    await server.down();
    const outcome = await makeEvents().notifyEvent('plot_failed', 'plot 3', 'plot 3 failed');
    assert.deepEqual(outcome, { sent: [], failed: ['webhook'] });
    const [line] = logMessages(home);
    assert.match(line, /^webhook \(config\/notify_webhook\): ECONNREFUSED: .*; notifications to it are lost meanwhile/);
    assertNoSecretInLog();
  });

  test('the tractor events notify plot_started, plot_finished and plot_failed', async () => {
    writeSecret('notify_webhook', `${server.url}/hooks/${WEBHOOK_SECRET}`);
    const events = makeEvents();
    const plot = {
      index: 12,
      farm: 'f2',
      disk: 'd1',
      tempDir: '/t/1',
      destDir: '/farm/f2/d1/plots',
      plotter: 'chia',
      k: 32,
      pid: 99,
    };
    events.started(plot);
    // started() does not wait for its notification (a tractor starts its plot at once): the test
    // waits for it to arrive before the plot ends, as hours of plotting would
    await waitForEqual('plot_started received', () => server.requests.length, 1);
    await events.finished(plot, 3600);
    await events.failed({ ...plot, index: 13 }, null, 30);
    const bodies = server.requests.map((r) => JSON.parse(r.body) as { event: string; subject: string; text: string });
    assert.deepEqual(
      bodies.map((b) => [b.event, b.subject, b.text]),
      [
        [
          'plot_started',
          'plot 12',
          'plot 12 started on plotter1: chia k32, temp /t/1, destination /farm/f2/d1/plots (pid 99)',
        ],
        ['plot_finished', 'plot 12', 'plot 12 finished on plotter1 in 1h 00m (f2/d1)'],
        ['plot_failed', 'plot 13', 'plot 13 failed on plotter1: plotter was killed after 30s (f2/d1)'],
      ],
    );
  });
});

describe('rate limit', () => {
  test('the same kind and subject is sent at most once per notify_gap, across instances', async () => {
    writeSecret('notify_webhook', `${server.url}/hooks/${WEBHOOK_SECRET}`);
    const clock = { ms: NOW_MS };
    const diskhandRun1 = makeEvents(clock);
    const diskhandRun2 = makeEvents(clock);
    assert.deepEqual(await diskhandRun1.notifyEvent('disk_full', 'f1/d2', 'full'), { sent: ['webhook'], failed: [] });
    clock.ms += 299_000;
    assert.deepEqual(await diskhandRun2.notifyEvent('disk_full', 'f1/d2', 'full'), {
      sent: [],
      failed: [],
      skipped: 'too soon',
    });
    assert.deepEqual(await diskhandRun2.notifyEvent('disk_full', 'f1/d3', 'full'), { sent: ['webhook'], failed: [] });
    assert.deepEqual(await diskhandRun2.notifyEvent('disk_unmounted', 'f1/d2', 'unmounted'), {
      sent: ['webhook'],
      failed: [],
    });
    clock.ms += 1000;
    assert.deepEqual(await diskhandRun2.notifyEvent('disk_full', 'f1/d2', 'full'), { sent: ['webhook'], failed: [] });
    assert.equal(server.requests.length, 4);
  });

  test('notify_gap 0 sends every event', async () => {
    writeSecret('notify_webhook', `${server.url}/hooks/${WEBHOOK_SECRET}`);
    home.set('notify_gap', 0);
    const events = makeEvents();
    await events.notifyEvent('harvester_down', 'harvester', 'down');
    await events.notifyEvent('harvester_down', 'harvester', 'down');
    assert.equal(server.requests.length, 2);
  });

  test('of several processes sending the same event at once, exactly one notifies', async () => {
    writeSecret('notify_webhook', `${server.url}/hooks/${WEBHOOK_SECRET}`);
    const lib = (name: string) => pathToFileURL(path.join(PACKAGE_ROOT, 'lib', name)).href;
    const script = [
      `import { ConfigReader } from '${lib('config/config-reader.js')}';`,
      `import { resolveHome } from '${lib('config/home.js')}';`,
      `import { createPlotEvents } from '${lib('notify/plot-events.js')}';`,
      'const paths = resolveHome({});',
      'const log = { info: () => {}, warn: (m) => console.error(m) };',
      'const events = createPlotEvents({ paths, config: new ConfigReader(paths), log, host: "h" });',
      'const outcome = await events.notifyEvent("harvester_down", "harvester", "down");',
      'console.log(JSON.stringify(outcome));',
    ].join('\n');
    const runs = await Promise.all(
      [1, 2, 3, 4].map(() =>
        execa('node', ['--input-type=module', '-e', script], {
          env: { GOPLOT_HOME: home.home, GOPLOT_HTTP_TIMEOUT_MS: '2000' },
          timeout: 20_000,
          reject: false,
        }),
      ),
    );
    for (const run of runs) assert.equal(run.exitCode, 0, String(run.stderr));
    const outcomes = runs.map((run) => JSON.parse(String(run.stdout)) as { sent: string[] });
    assert.equal(outcomes.filter((o) => o.sent.length === 1).length, 1, JSON.stringify(outcomes));
    assert.equal(server.requests.length, 1);
  });
});
