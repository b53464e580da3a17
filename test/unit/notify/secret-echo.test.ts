import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { createPlotEvents } from '../../../lib/notify/plot-events.js';
import { createLogger } from '../../../lib/util/logger.js';
import { logMessages, makeTempHome } from '../../helpers/temp-home.js';

const SECRET_PATH = '/hooks/T0k3n-9f8e7d6c5b4a';
const home = makeTempHome();
let server: http.Server;
let url = '';

before(async () => {
  // a server that quotes the path it was asked for in its status text, as some proxies do
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(404, `no webhook at ${req.url}`);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  home.cleanup();
});

test("the webhook URL's secret path never reaches the log, even when the server echoes it in its status text", async () => {
  fs.writeFileSync(path.join(home.configDir, 'notify_webhook'), `${url}${SECRET_PATH}\n`, { mode: 0o600 });
  const events = createPlotEvents({
    paths: home,
    config: new ConfigReader(home, () => {}),
    log: createLogger(home, 'tractor'),
    env: {},
    now: () => 1_700_000_000_000,
    host: 'plotter1',
    timeoutMs: 2000,
  });
  assert.deepEqual(await events.notifyEvent('plot_failed', 'plot 3', 'plot 3 failed'), {
    sent: [],
    failed: ['webhook'],
  });
  const log = fs.readFileSync(path.join(home.logsDir, 'goplot.log'), 'utf8');
  assert.equal(log.includes('T0k3n-9f8e7d6c5b4a'), false, log);
  assert.deepEqual(logMessages(home), [
    'webhook (config/notify_webhook): HTTP 404 no webhook at ***; notifications to it are lost meanwhile (said once until it answers again)',
  ]);
});
