import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fixtureAnswer, startFakeChiaService } from '../helpers/chia-rpc-server.js';
import { makeChiaSsl, writeChiaConfig } from '../helpers/chia-ssl.js';
import { FARM_ANSWERS, RPC_FIXTURES } from '../helpers/fake-chia-farm.js';
import { fakeFarmSuite } from '../helpers/fake-farm-suite.js';
import { checkMetrics, readSeries } from '../helpers/promtool.js';
import { logMessages, makeDisks, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';

describe("getharvester_collector with the harvester's RPC (built script; HTTPS on 127.0.0.1 with mutual TLS)", () => {
  const fake = fakeFarmSuite('goplot-harvester-rpc-');

  function harvesterHome(
    mode: 'on' | 'auto',
    chiaRoot = fake.farm.chiaRoot,
  ): TempHome & { prom: string; proc: string } {
    const home = makeTempHome('goplot-getharvester-rpc-');
    fake.homes.push(home);
    const promDir = path.join(home.root, 'prom');
    const proc = path.join(home.root, 'proc');
    fs.mkdirSync(promDir);
    fs.mkdirSync(proc);
    home.set('prom_dir', promDir);
    home.set('chia_rpc', mode);
    home.set('chia_root', chiaRoot);
    makeDisks(home, { farm1: ['disk1'] });
    fs.writeFileSync(path.join(home.farmRoot, 'farm1', 'disk1', 'plots', 'plot-k32-a.plot'), 'x'.repeat(100));
    return Object.assign(home, { prom: path.join(promDir, 'getharvester.prom'), proc });
  }

  async function collect(home: TempHome & { proc: string }): Promise<{ exitCode?: number; stderr: string }> {
    const result = await runScript(home, 'collectors/getharvester_collector.js', ['--proc-dir', home.proc]);
    return { exitCode: result.exitCode, stderr: String(result.stderr) };
  }

  const where = () => `harvester RPC at 127.0.0.1:${fake.farm.services.harvester.port}`;

  it('adds what chia has loaded, failed to open, has no key for, and holds twice, by plot directory', async () => {
    fake.farm.replay();
    const home = harvesterHome('on');
    const result = await collect(home);
    assert.equal(result.exitCode, 0, result.stderr);
    const check = await checkMetrics(home.prom);
    assert.equal(check.ok, true, check.output);
    const series = readSeries(home.prom);
    for (const name of [
      'getharvester_collector_duration_seconds',
      'getharvester_collector_last_success_timestamp_seconds',
    ])
      series.delete(name);
    assert.deepEqual(
      series,
      new Map([
        ['farm_harvester_process_running', 0],
        ['farm_harvester_processes_defunct', 0],
        ['farm_local_plots', 1],
        ['farm_local_plots_size_bytes', 100],
        // the sample: the same k25 plot twice (a _2 copy), one file without this farm's key, two directories
        ['farm_harvester_loaded_plots', 2],
        ['farm_harvester_loaded_plots_size_bytes', 2 * 674281385],
        ['farm_harvester_plots_failed_to_open', 0],
        ['farm_harvester_plots_no_key', 1],
        ['farm_harvester_plots_duplicates', 1],
        ['farm_harvester_plot_directories', 2],
        ['farm_harvester_directory_loaded_plots{directory="/plots"}', 2],
        ['farm_harvester_directory_loaded_plots{directory="/plots_new"}', 0],
        ['getharvester_collector_success', 1],
        ['getharvester_collector_value_present{value="local_plots"}', 1],
        ['getharvester_collector_value_present{value="harvester_rpc"}', 1],
      ]),
    );
    assert.deepEqual(fake.farm.services.harvester.requests.slice(-2).sort(), [
      'get_plot_directories {}',
      'get_plots {}',
    ]);
    assert.deepEqual(logMessages(home, 'collectors.log'), [
      `reading the harvester's RPC (chia_rpc on): ${where()}`,
      `wrote ${home.prom}`,
    ]);
  });

  it('keeps its /proc and file-count values when the harvester is down or answers success: false, and says why once', async () => {
    fake.farm.replay();
    const home = harvesterHome('on');
    assert.equal((await collect(home)).exitCode, 0);
    await fake.farm.stop('harvester');
    for (let run = 0; run < 2; run += 1) {
      const down = await collect(home);
      assert.equal(down.exitCode, 0, down.stderr);
      const series = readSeries(home.prom);
      assert.equal(series.get('getharvester_collector_success'), 1);
      assert.equal(series.get('getharvester_collector_value_present{value="harvester_rpc"}'), 0);
      assert.equal(series.get('farm_local_plots'), 1);
      assert.equal(
        series.has('farm_harvester_loaded_plots'),
        false,
        'not kept from the last good run: it says what chia farms now',
      );
    }
    await fake.farm.start('harvester');
    assert.equal((await collect(home)).exitCode, 0);
    fake.farm.services.harvester.answers.set(
      'get_plots',
      fixtureAnswer(RPC_FIXTURES, 'wallet_get_wallet_balance_v1.1-pool-reference-issue20_error-empty-string.json'),
    );
    assert.equal((await collect(home)).exitCode, 0);
    fake.farm.services.harvester.answers.set(
      'get_plots',
      fixtureAnswer(RPC_FIXTURES, FARM_ANSWERS.harvester.get_plots),
    );
    assert.equal((await collect(home)).exitCode, 0);
    assert.equal(readSeries(home.prom).get('farm_harvester_loaded_plots'), 2);
    assert.deepEqual(logMessages(home, 'collectors.log'), [
      `reading the harvester's RPC (chia_rpc on): ${where()}`,
      `wrote ${home.prom}`,
      `values missing (left out of getharvester.prom): harvester_rpc (${where()}: connection refused (is the service running, and is this its rpc_port?))`,
      'all values present',
      `values missing (left out of getharvester.prom): harvester_rpc (${where()}: get_plots failed: (chia gave no error text))`,
      'all values present',
    ]);
  });

  it('auto on a harvester-only host: its own certificates are enough; without them it reads no RPC and says so once', async () => {
    const harvesterRoot = path.join(fake.root, 'harvester-only');
    const ssl = makeChiaSsl(harvesterRoot, ['harvester']);
    const harvester = await startFakeChiaService({ ca: ssl.ca, server: ssl.daemon, lifetimeMs: 60_000 });
    try {
      for (const [endpoint, file] of Object.entries(FARM_ANSWERS.harvester))
        harvester.answers.set(endpoint, fixtureAnswer(RPC_FIXTURES, file));
      writeChiaConfig(harvesterRoot, '127.0.0.1', { harvester: harvester.port });
      const home = harvesterHome('auto', harvesterRoot);
      assert.equal((await collect(home)).exitCode, 0);
      assert.equal(readSeries(home.prom).get('farm_harvester_loaded_plots'), 2);
      assert.equal(
        logMessages(home, 'collectors.log')[0],
        `reading the harvester's RPC (chia_rpc auto): harvester RPC at 127.0.0.1:${harvester.port}`,
      );
    } finally {
      await harvester.close();
    }
    const bare = harvesterHome('auto', path.join(fake.root, 'no-chia'));
    for (let run = 0; run < 2; run += 1) assert.equal((await collect(bare)).exitCode, 0);
    const series = readSeries(bare.prom);
    assert.equal(series.has('getharvester_collector_value_present{value="harvester_rpc"}'), false);
    assert.equal(series.get('farm_local_plots'), 1);
    assert.deepEqual(logMessages(bare, 'collectors.log'), [
      `reading no harvester RPC (chia_rpc auto): no RPC certificates for the harvester: cannot read ${path.join(fake.root, 'no-chia', 'config', 'ssl', 'ca', 'private_ca.crt')} (ENOENT)`,
      `wrote ${bare.prom}`,
    ]);
  });
});
