import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { makeCa, signNodeCert } from '../helpers/chia-ssl.js';
import { FARM_ANSWERS, type FakeChiaFarm } from '../helpers/fake-chia-farm.js';
import { fakeFarmSuite } from '../helpers/fake-farm-suite.js';
import { checkMetrics, readSeries } from '../helpers/promtool.js';
import { recordedRun } from '../helpers/record-loads.js';
import { logMessages, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';

const FAKE_CHIA = path.join(PACKAGE_ROOT, 'test', 'fake-bin', 'chia');
const CLI_FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli');
const CLI_OUTPUT = {
  FAKE_CHIA_SHOW_S: path.join(CLI_FIXTURES, 'show-s_not-synced.txt'),
  FAKE_CHIA_FARM_SUMMARY: path.join(CLI_FIXTURES, 'farm-summary_2x_loading-remotes.txt'),
};
const LAUNCHER = '0x55244acf3017c2fc245020b46600827047dce8f54c982adaf95248ff2e955ad8';
const POOL = `{launcher_id="${LAUNCHER}",pool_url="https://asia1.pool.space"}`;
const HARVESTER = '{host="127.0.0.1",node_id="0xbefeeb05fa599f07c5be2b94b2d872b2516f03101ed49cc53312f086de197913"}';
const STATUS =
  /^farm_(fullnode_syncstatus|farmer_farmstatus|fullnode_peak_height|fullnode_sync_\w+|harvesters|harvesters_loading|farmer_last_signage_point_age_seconds|farmer_signage_points|farmer_signage_point_index|farmer_harvester_loading|wallet_synced|wallet_syncing)(\{|$)/;

describe("getfarm_collector through chia's RPC (built script; HTTPS services on 127.0.0.1 that want chia's client certificate)", () => {
  const fake = fakeFarmSuite('goplot-farm-rpc-');

  function rpcHome(mode: 'on' | 'auto'): TempHome & { prom: string } {
    const home = makeTempHome('goplot-getfarm-rpc-');
    fake.homes.push(home);
    const promDir = path.join(home.root, 'prom');
    fs.mkdirSync(promDir);
    home.set('prom_dir', promDir);
    home.set('chia_bin', FAKE_CHIA);
    home.set('chia_rpc', mode);
    home.set('chia_root', fake.farm.chiaRoot);
    return Object.assign(home, { prom: path.join(promDir, 'getfarm.prom') });
  }

  async function collect(
    home: TempHome,
    args: string[] = [],
    env: Record<string, string> = {},
  ): Promise<{ exitCode?: number; stderr: string }> {
    const result = await runScript(home, 'collectors/getfarm_collector.js', args, { env: { ...CLI_OUTPUT, ...env } });
    return { exitCode: result.exitCode, stderr: String(result.stderr) };
  }

  /**
   * What one run loaded: the built collector for packages (the bundle keeps them where its lazy
   * parts import them), its TypeScript source for goplot's own modules (the bundle's lazy parts).
   */
  async function loadsOf(home: TempHome, from: 'built' | 'source'): Promise<string[]> {
    const { result, loaded } = await recordedRun(home, 'collectors/getfarm_collector.js', [], {
      env: CLI_OUTPUT,
      from,
    });
    assert.equal(result.exitCode, 0, String(result.stderr));
    return loaded;
  }

  async function assertPromtool(file: string): Promise<void> {
    const check = await checkMetrics(file);
    assert.equal(check.ok, true, `promtool check metrics ${file}: ${check.output}`);
  }

  const where = (service: keyof FakeChiaFarm['services']) =>
    `${service} RPC at 127.0.0.1:${fake.farm.services[service].port}`;
  const rpcLine = () => `reading chia through its RPC (chia_rpc on): ${where('full_node')} and ${where('farmer')}`;
  const noEffective =
    'plots_effective_size (get_harvesters_summary has no total_effective_plot_size (chia 2.0 and later give it))';

  it('writes every metric from the real answers, with the values the samples hold', async () => {
    fake.farm.replay();
    const home = rpcHome('on');
    const before = Object.fromEntries(
      Object.entries(fake.farm.services).map(([name, service]) => [name, service.requests.length]),
    );
    const result = await collect(home);
    assert.equal(result.exitCode, 0, result.stderr);
    await assertPromtool(home.prom);
    const expected = new Map<string, number>([
      // as the CLI path names them, in goplot's units
      ['farm_fullnode_syncstatus', 1],
      ['farm_fullnode_peak_height', 3326213],
      ['farm_fullnode_difficulty', 1976],
      ['farm_fullnode_netspace', 22376.164677],
      ['farm_fullnode_netspace_bytes', 25193321725003644928],
      ['farm_farmer_farmstatus', 1],
      ['farm_xch_farmed', 0],
      ['farm_plot_count', 1],
      ['farm_plot_sum', 674281385],
      ['farm_plots_size', 0.000613],
      ['farm_plots_size_bytes', 674281385],
      // 18 s between transaction blocks over 674281385 / 25193321725003644928 of the space: 11208965108 whole minutes
      ['farm_expected_time_to_win_seconds', 11208965108 * 60],
      ['farm_harvesters{host="local",location="local"}', 1],
      ['farm_harvesters_loading{host="local",location="local"}', 0],
      ['farm_harvesters_plots{host="local",location="local"}', 1],
      ['farm_harvesters_plots_size_bytes{host="local",location="local"}', 674281385],
      // only the RPC's
      [`farm_farmer_harvester_plots${HARVESTER}`, 1],
      [`farm_farmer_harvester_plots_failed_to_open${HARVESTER}`, 0],
      [`farm_farmer_harvester_plots_no_key${HARVESTER}`, 18],
      [`farm_farmer_harvester_plots_duplicates${HARVESTER}`, 0],
      [`farm_farmer_harvester_plots_size_bytes${HARVESTER}`, 674281385],
      [`farm_farmer_harvester_loading${HARVESTER}`, 0],
      [`farm_farmer_harvester_last_sync_timestamp_seconds${HARVESTER}`, 1677653735.9421551],
      [`farm_pool_points_found_since_start${POOL}`, 0],
      [`farm_pool_points_acknowledged_since_start${POOL}`, 0],
      [`farm_pool_points_found_24h${POOL}`, 0],
      [`farm_pool_points_acknowledged_24h${POOL}`, 0],
      [`farm_pool_errors_24h${POOL}`, 2],
      [`farm_pool_last_error_code${POOL}`, 10],
      [`farm_pool_current_difficulty${POOL}`, 1],
      [`farm_pool_current_points${POOL}`, 0],
      [`farm_pool_plots${POOL}`, 0],
      ['farm_farmer_signage_points', 5],
      ['farm_farmer_signage_point_index', 39],
      ['farm_farmer_signage_points_received_total', 5],
      ['farm_farmer_last_signage_point_age_seconds', 0],
      ['farm_wallet_synced', 1],
      ['farm_wallet_syncing', 0],
      ['farm_wallet_height', 2863319],
      ['farm_wallet_farmed_amount_mojos', 0],
      ['farm_wallet_farmer_reward_amount_mojos', 0],
      ['farm_wallet_pool_reward_amount_mojos', 0],
      ['farm_wallet_fee_amount_mojos', 0],
      ['farm_wallet_last_height_farmed', 0],
      ['farm_wallet_confirmed_balance_mojos{wallet_id="1"}', 999999799],
      ['farm_wallet_spendable_balance_mojos{wallet_id="1"}', 999999799],
      ['getfarm_collector_success', 1],
    ]);
    for (const name of [
      'syncstatus',
      'peak_height',
      'netspace',
      'difficulty',
      'farmstatus',
      'xch_farmed',
      'plot_count',
      'plots_size',
      'expected_time_to_win',
      'pools',
      'signage_points',
      'wallet_sync',
      'wallet_height',
      'farmed_amount',
      'wallet_balance',
    ]) {
      expected.set(`getfarm_collector_value_present{value="${name}"}`, 1);
    }
    expected.set('getfarm_collector_value_present{value="plots_effective_size"}', 0);
    const series = readSeries(home.prom);
    for (const name of ['getfarm_collector_duration_seconds', 'getfarm_collector_last_success_timestamp_seconds']) {
      assert.ok(series.has(name), name);
      series.delete(name);
    }
    assert.deepEqual(series, expected);
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(fake.farm.services).map(([name, service]) => [
          name,
          service.requests.slice(before[name]).sort(),
        ]),
      ),
      {
        full_node: ['get_blockchain_state {}'],
        farmer: ['get_harvesters_summary {}', 'get_pool_state {}', 'get_signage_points {}'],
        harvester: [],
        wallet: [
          'get_farmed_amount {}',
          'get_height_info {}',
          'get_sync_status {}',
          'get_wallet_balance {"wallet_id":1}',
        ],
      },
      'each endpoint once, a JSON body ({} without parameters), no retries',
    );
    assert.deepEqual(logMessages(home, 'collectors.log'), [
      rpcLine(),
      `wrote ${home.prom}`,
      `values missing (left out of getfarm.prom): ${noEffective}`,
    ]);
  });

  it('gives the metrics both paths see the same names, help, type and units as the CLI path', async () => {
    fake.farm.replay();
    const viaRpc = rpcHome('on');
    const viaCli = rpcHome('on');
    viaCli.set('chia_rpc', 'off');
    assert.equal((await collect(viaRpc)).exitCode, 0);
    assert.equal((await collect(viaCli)).exitCode, 0);
    const describe = (file: string) =>
      new Map(
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('# '))
          .map((line) => [line.split(' ').slice(1, 3).join(' '), line] as const),
      );
    const rpc = describe(viaRpc.prom);
    const cli = describe(viaCli.prom);
    const shared = [...cli.keys()].filter((key) => rpc.has(key) && !key.endsWith('_collector_value_present'));
    assert.ok(shared.length >= 30, `only ${shared.length} HELP/TYPE lines in common: ${shared.join(', ')}`);
    for (const key of shared) assert.equal(rpc.get(key), cli.get(key), key);
    const cliOnly = [...cli.keys()].filter((key) => !rpc.has(key));
    assert.deepEqual(
      cliOnly,
      [
        'HELP farm_plots_effective_size_bytes',
        'TYPE farm_plots_effective_size_bytes',
        'HELP farm_harvesters_plots_effective_size_bytes',
        'TYPE farm_harvesters_plots_effective_size_bytes',
      ],
      'the RPC sample is from chia 1.7, before effective sizes',
    );
  });

  it('keeps integers beyond 2^53 exact until the last step', async () => {
    fake.farm.replay();
    const farmed = fake.farm
      .fixtureText(FARM_ANSWERS.wallet.get_farmed_amount)
      .replace('"farmed_amount": 0', '"farmed_amount": 9007199254740993');
    assert.notEqual(farmed, fake.farm.fixtureText(FARM_ANSWERS.wallet.get_farmed_amount));
    fake.farm.services.wallet.answers.set('get_farmed_amount', { text: farmed });
    const home = rpcHome('on');
    assert.equal((await collect(home)).exitCode, 0);
    const series = readSeries(home.prom);
    // 9007199254740993 mojo is 9007.199254740993 XCH; JSON.parse and a division would give 9007.199254740992
    assert.equal(series.get('farm_xch_farmed'), Number('9007.199254740993'));
    assert.notEqual(series.get('farm_xch_farmed'), JSON.parse(farmed).farmed_amount / 1e12);
    assert.equal(
      series.get('farm_fullnode_netspace'),
      22376.164677,
      '25193321725003644928 bytes over 2^50, from the exact integer',
    );
    assert.match(
      fs.readFileSync(home.prom, 'utf8'),
      /^farm_fullnode_netspace_bytes 25193321725003645000$/m,
      'the double nearest the exact value',
    );
  });

  it('reads 2.x pool states: [timestamp, error] pairs, points as [timestamp, difficulty], partials by result', async () => {
    fake.farm.replay();
    // the real 1.7 answer put in the 2.0+ shape FACTS.md gives from chia's farmer.py (no real 2.x sample exists)
    const pool = JSON.parse(fake.farm.fixtureText(FARM_ANSWERS.farmer.get_pool_state)) as {
      pool_state: Record<string, unknown>[];
    };
    const state = pool.pool_state[0]!;
    state.pool_errors_24h = (state.pool_errors_24h as unknown[]).map((error, i) => [1677651000 + i, error]);
    state.points_found_24h = [
      [1677650000, 1],
      [1677650100, 2],
      [1677650200, 2],
    ];
    state.points_acknowledged_24h = [
      [1677650000, 1],
      [1677650100, 2],
    ];
    Object.assign(state, {
      valid_partials_since_start: 2,
      invalid_partials_since_start: 1,
      stale_partials_since_start: 0,
      insufficient_partials_since_start: 0,
      missing_partials_since_start: 1,
    });
    fake.farm.services.farmer.answers.set('get_pool_state', { text: JSON.stringify(pool) });
    const home = rpcHome('on');
    assert.equal((await collect(home)).exitCode, 0);
    await assertPromtool(home.prom);
    const series = readSeries(home.prom);
    assert.equal(series.get(`farm_pool_points_found_24h${POOL}`), 5);
    assert.equal(series.get(`farm_pool_points_acknowledged_24h${POOL}`), 3);
    assert.equal(series.get(`farm_pool_errors_24h${POOL}`), 2);
    assert.equal(series.get(`farm_pool_last_error_code${POOL}`), 10);
    const partial = (result: string) =>
      `farm_pool_partials_since_start{launcher_id="${LAUNCHER}",pool_url="https://asia1.pool.space",result="${result}"}`;
    assert.deepEqual(
      ['valid', 'invalid', 'insufficient', 'stale', 'missing'].map((result) => series.get(partial(result))),
      [2, 1, 0, 0, 1],
    );
  });

  it('counts signage points across runs and ages the newest while none come', async () => {
    fake.farm.replay();
    const home = rpcHome('on');
    assert.equal((await collect(home)).exitCode, 0);
    assert.equal(readSeries(home.prom).get('farm_farmer_signage_points_received_total'), 5);
    // five minutes pass without a new signage point: the memory says when the newest was first seen
    const memoryFile = path.join(home.logsDir, 'getfarm.signage-points.json');
    const memory = JSON.parse(fs.readFileSync(memoryFile, 'utf8')) as { seenAtMs: number };
    fs.writeFileSync(memoryFile, JSON.stringify({ ...memory, seenAtMs: memory.seenAtMs - 300_000 }));
    assert.equal((await collect(home)).exitCode, 0);
    let series = readSeries(home.prom);
    assert.ok(
      series.get('farm_farmer_last_signage_point_age_seconds')! >= 300,
      String(series.get('farm_farmer_last_signage_point_age_seconds')),
    );
    assert.equal(series.get('farm_farmer_signage_points_received_total'), 5, 'the same points are not counted twice');
    // two new ones arrive
    const points = JSON.parse(fake.farm.fixtureText(FARM_ANSWERS.farmer.get_signage_points)) as {
      signage_points: { signage_point: Record<string, unknown> }[];
    };
    const newest = points.signage_points.at(-1)!;
    for (const index of [40, 41]) {
      points.signage_points.push({
        ...newest,
        signage_point: {
          ...newest.signage_point,
          signage_point_index: index,
          challenge_chain_sp: `0x${String(index).repeat(32)}`,
        },
      });
    }
    fake.farm.services.farmer.answers.set('get_signage_points', { text: JSON.stringify(points) });
    assert.equal((await collect(home)).exitCode, 0);
    series = readSeries(home.prom);
    assert.equal(series.get('farm_farmer_signage_points_received_total'), 7);
    assert.equal(series.get('farm_farmer_signage_point_index'), 41);
    assert.ok(series.get('farm_farmer_last_signage_point_age_seconds')! < 300, 'a new point resets the age');
  });

  /** Two good runs, then the failure twice, then a good run: the file after the failures and the log. */
  async function failThenRecover(
    home: TempHome & { prom: string },
    fail: () => Promise<void> | void,
    recover: () => Promise<void> | void,
    args: string[] = [],
  ): Promise<{ before: Map<string, number>; kept: Map<string, number>; stderr: string[] }> {
    assert.equal((await collect(home, args)).exitCode, 0);
    const before = readSeries(home.prom);
    await fail();
    const stderr: string[] = [];
    for (let run = 0; run < 2; run += 1) {
      const failed = await collect(home, args);
      assert.equal(failed.exitCode, 1);
      stderr.push(failed.stderr);
    }
    await assertPromtool(home.prom);
    const kept = readSeries(home.prom);
    await recover();
    assert.equal((await collect(home, args)).exitCode, 0);
    assert.equal(readSeries(home.prom).get('getfarm_collector_success'), 1);
    return { before, kept, stderr };
  }

  function lastGood(before: Map<string, number>): Map<string, number> {
    const expected = new Map([...before].filter(([name]) => !STATUS.test(name)));
    expected.set('getfarm_collector_success', 0);
    return expected;
  }

  it('a farmer that is down: success 0, the last good totals kept without the status metrics, one log line', async () => {
    fake.farm.replay();
    const home = rpcHome('on');
    const port = fake.farm.services.farmer.port;
    const { before, kept, stderr } = await failThenRecover(
      home,
      () => fake.farm.stop('farmer'),
      () => fake.farm.start('farmer'),
    );
    const problem =
      `farmer RPC at 127.0.0.1:${port}: connection refused (is the service running, and is this its rpc_port?); ` +
      `kept the last good values (without the status metrics) in ${home.prom} with getfarm_collector_success 0`;
    assert.deepEqual(
      stderr,
      [`getfarm_collector: ${problem}`, `getfarm_collector: ${problem}`],
      'each run says it on stderr',
    );
    assert.deepEqual(kept, lastGood(before));
    assert.ok(kept.has(`farm_pool_errors_24h${POOL}`) && !kept.has('farm_farmer_last_signage_point_age_seconds'));
    assert.deepEqual(
      logMessages(home, 'collectors.log'),
      [
        rpcLine(),
        `wrote ${home.prom}`,
        `values missing (left out of getfarm.prom): ${noEffective}`,
        problem,
        `recovered: wrote ${home.prom} with getfarm_collector_success 1`,
      ],
      'the failure once, however many runs it lasts',
    );
  });

  it('a farmer too slow to answer: success 0 after --rpc-timeout, without retries', async () => {
    fake.farm.replay();
    const home = rpcHome('on');
    const answer = fake.farm.services.farmer.answers.get('get_harvesters_summary')!;
    const calls = () =>
      fake.farm.services.farmer.requests.filter((request) => request.startsWith('get_harvesters_summary')).length;
    let callsBefore = 0;
    const { before, kept, stderr } = await failThenRecover(
      home,
      () => {
        callsBefore = calls();
        // far beyond the timeout, which is itself generous: the good runs before and after answer
        // within it on a loaded 2-core machine too
        fake.farm.services.farmer.answers.set('get_harvesters_summary', { ...answer, delayMs: 60_000 });
      },
      () => {
        fake.farm.services.farmer.answers.set('get_harvesters_summary', answer);
      },
      ['--rpc-timeout', '3s'],
    );
    const problem =
      `farmer RPC at 127.0.0.1:${fake.farm.services.farmer.port}: no answer to get_harvesters_summary within 3 s; ` +
      `kept the last good values (without the status metrics) in ${home.prom} with getfarm_collector_success 0`;
    assert.deepEqual(stderr, [`getfarm_collector: ${problem}`, `getfarm_collector: ${problem}`]);
    assert.deepEqual(kept, lastGood(before));
    assert.equal(calls() - callsBefore, 3, 'one request per run: two slow runs and the good one');
    assert.deepEqual(logMessages(home, 'collectors.log').slice(3), [
      problem,
      `recovered: wrote ${home.prom} with getfarm_collector_success 1`,
    ]);
  });

  it("success: false from the full node fails the run; from the wallet it leaves out only the wallet's value", async () => {
    fake.farm.replay();
    const home = rpcHome('on');
    const emptyError = fake.farm.fixtureText(
      'wallet_get_wallet_balance_v1.1-pool-reference-issue20_error-empty-string.json',
    );
    const { before, kept, stderr } = await failThenRecover(
      home,
      () => {
        fake.farm.services.full_node.answers.set('get_blockchain_state', { text: emptyError });
      },
      () => fake.farm.replay(),
    );
    const problem =
      `full_node RPC at 127.0.0.1:${fake.farm.services.full_node.port}: get_blockchain_state failed: (chia gave no error text); ` +
      `kept the last good values (without the status metrics) in ${home.prom} with getfarm_collector_success 0`;
    assert.deepEqual(stderr, [`getfarm_collector: ${problem}`, `getfarm_collector: ${problem}`]);
    assert.deepEqual(kept, lastGood(before));

    fake.farm.services.wallet.answers.set('get_wallet_balance', {
      text: fake.farm.fixtureText('wallet_get_wallet_balance_v1.1-issue2989_error-keyerror-wallet-id-0.json'),
    });
    assert.equal((await collect(home)).exitCode, 0);
    const series = readSeries(home.prom);
    assert.equal(series.get('getfarm_collector_success'), 1);
    assert.equal(series.get('getfarm_collector_value_present{value="wallet_balance"}'), 0);
    assert.equal(series.has('farm_wallet_confirmed_balance_mojos{wallet_id="1"}'), false);
    assert.equal(series.get('farm_wallet_height'), 2863319, "the wallet's other answers stay");
    assert.deepEqual(logMessages(home, 'collectors.log').slice(3), [
      problem,
      `recovered: wrote ${home.prom} with getfarm_collector_success 1`,
      `values missing (left out of getfarm.prom): ${noEffective}, wallet_balance (wallet RPC at 127.0.0.1:${fake.farm.services.wallet.port}: get_wallet_balance failed: "0")`,
    ]);
  });

  it('auto: the RPC while the farmer answers, the CLI while it does not, and the RPC again; the log says each switch once', async () => {
    fake.farm.replay();
    const home = rpcHome('auto');
    const calls = path.join(home.root, 'chia-calls.txt');
    const env = { FAKE_CHIA_CALLS: calls };
    const port = fake.farm.services.farmer.port;
    assert.equal((await collect(home, [], env)).exitCode, 0);
    assert.equal(readSeries(home.prom).get(`farm_pool_errors_24h${POOL}`), 2);
    await fake.farm.stop('farmer');
    for (let run = 0; run < 2; run += 1) {
      assert.equal((await collect(home, [], env)).exitCode, 0);
      const series = readSeries(home.prom);
      assert.equal(series.get('getfarm_collector_success'), 1);
      assert.equal(
        series.get('farm_harvesters_plots{host="10.1.2.3",location="remote"}'),
        5200,
        "chia farm summary's numbers",
      );
      assert.equal(series.has(`farm_pool_errors_24h${POOL}`), false);
    }
    await fake.farm.start('farmer');
    assert.equal((await collect(home, [], env)).exitCode, 0);
    assert.equal(readSeries(home.prom).get(`farm_pool_errors_24h${POOL}`), 2);
    assert.equal(
      fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean).length,
      4,
      'chia ran only while the farmer was down',
    );
    const rpc = `reading chia through its RPC (chia_rpc auto): ${where('full_node')} and ${where('farmer')} answer`;
    assert.deepEqual(
      logMessages(home, 'collectors.log').filter((line) => line.startsWith('reading chia')),
      [
        rpc,
        `reading chia through its CLI (chia_rpc auto): farmer RPC at 127.0.0.1:${port}: connection refused (is the service running, and is this its rpc_port?)`,
        rpc,
      ],
    );
  });

  it("auto without chia's certificates uses the CLI and says which file is missing", async () => {
    const home = rpcHome('auto');
    const emptyRoot = path.join(home.root, 'no-chia');
    home.set('chia_root', emptyRoot);
    assert.equal((await collect(home)).exitCode, 0);
    assert.equal(readSeries(home.prom).get('farm_harvesters_plots{host="10.1.2.3",location="remote"}'), 5200);
    assert.equal(
      logMessages(home, 'collectors.log')[0],
      'reading chia through its CLI (chia_rpc auto): no RPC certificates for the full_node: ' +
        `cannot read ${path.join(emptyRoot, 'config', 'ssl', 'ca', 'private_ca.crt')} (ENOENT)`,
    );
    home.set('chia_rpc', 'on');
    const failed = await collect(home);
    assert.equal(failed.exitCode, 1);
    assert.match(
      failed.stderr,
      /^getfarm_collector: no RPC certificates for the full_node: cannot read .*private_ca\.crt \(ENOENT\); kept the last good values/,
    );
  });

  it("auto without chia's certificates, run as cron runs it, loads neither got nor the RPC client, YAML, exact JSON or commander (issue 21 item 7)", async () => {
    const home = rpcHome('auto');
    home.set('chia_root', path.join(home.root, 'no-chia'));
    // a loader hook in the collector's process writes down every module it loads
    const built = await loadsOf(home, 'built');
    // the hook saw the run: the collector loaded
    assert.ok(
      built.some((url) => url.endsWith('/collectors/getfarm_collector.js')),
      built.join('\n'),
    );
    assert.deepEqual(
      built.filter((url) => /\/node_modules\/(got|js-yaml|lossless-json|commander)\//.test(url)),
      [],
    );
    const source = await loadsOf(home, 'source');
    assert.ok(
      source.some((url) => url.endsWith('/lib/chia-cli/parse-farm-summary.ts')),
      source.join('\n'),
    );
    assert.deepEqual(
      source.filter((url) => /\/lib\/chia-rpc\/(rpc-client|https-post|chia-config|chia-json)\.ts$/.test(url)),
      [],
    );
  });

  it("through the RPC, run as cron runs it, loads neither chia's CLI output parsers nor execa (issue 21 item 7)", async () => {
    fake.farm.replay();
    const home = rpcHome('on');
    const built = await loadsOf(home, 'built');
    // the hook saw the run: the collector and the exact JSON parser of chia's answers loaded
    assert.ok(
      built.some((url) => url.endsWith('/collectors/getfarm_collector.js')),
      built.join('\n'),
    );
    assert.ok(
      built.some((url) => url.includes('/node_modules/lossless-json/')),
      built.join('\n'),
    );
    assert.deepEqual(
      built.filter((url) => url.includes('/node_modules/execa/')),
      [],
    );
    fake.farm.replay();
    const source = await loadsOf(home, 'source');
    assert.ok(
      source.some((url) => url.endsWith('/lib/metrics/rpc-farm-source.ts')),
      source.join('\n'),
    );
    assert.deepEqual(
      source.filter((url) => /\/lib\/chia-cli\/|\/lib\/metrics\/farm-registry\.ts$/.test(url)),
      [],
    );
  });

  it("keeps config.yaml's host and ports in logs/chia-endpoints.json and reads them from there until config.yaml changes", async () => {
    fake.farm.replay();
    const home = rpcHome('on');
    assert.equal((await collect(home)).exitCode, 0);
    const cacheFile = path.join(home.logsDir, 'chia-endpoints.json');
    const cache = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { endpoints: { ports: Record<string, number> } };
    assert.equal(cache.endpoints.ports.farmer, fake.farm.services.farmer.port);
    // a port only the cache says: the next run goes there, so the run took it from the cache
    cache.endpoints.ports.farmer = 1;
    fs.writeFileSync(cacheFile, JSON.stringify(cache));
    const fromCache = await collect(home);
    assert.equal(fromCache.exitCode, 1);
    assert.match(fromCache.stderr, /^getfarm_collector: farmer RPC at 127\.0\.0\.1:1: connection refused/);
    // the same values in other words: config.yaml is read again and the farmer found where it is
    const configYaml = path.join(fake.farm.chiaRoot, 'config', 'config.yaml');
    fs.appendFileSync(configYaml, '# edited\n');
    assert.equal((await collect(home)).exitCode, 0);
    assert.equal(
      (JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as typeof cache).endpoints.ports.farmer,
      fake.farm.services.farmer.port,
    );
  });

  it('a farmer certificate from another CA is refused: success 0 and the log says which certificate', async () => {
    fake.farm.replay();
    const otherRoot = path.join(fake.root, 'wrong-farmer-cert');
    fs.cpSync(fake.farm.chiaRoot, otherRoot, { recursive: true });
    const farmerDir = path.join(otherRoot, 'config', 'ssl', 'farmer');
    fs.rmSync(farmerDir, { recursive: true });
    const otherCa = makeCa(path.join(fake.root, 'another-ca'), 'Another CA');
    signNodeCert(otherCa, path.join(farmerDir, 'private_farmer.crt'), path.join(farmerDir, 'private_farmer.key'));
    const home = rpcHome('on');
    home.set('chia_root', otherRoot);
    const before = fake.farm.services.farmer.requests.length;
    const refused = await collect(home);
    assert.equal(refused.exitCode, 1);
    const where = `farmer RPC at 127.0.0.1:${fake.farm.services.farmer.port}`;
    // TLS 1.3: the server's refusal arrives after our request left, as an alert or a reset
    const asAlert = `${where}: the service refused our client certificate (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA): it is not signed by the CA this service trusts`;
    const asReset =
      `${where}: the service closed the connection without an answer (ECONNRESET): a chia service does that when it does not trust ` +
      `our client certificate ${path.join(farmerDir, 'private_farmer.crt')} (not signed by its private CA), or while it stops`;
    const kept = `; kept the last good values (without the status metrics) in ${home.prom} with getfarm_collector_success 0`;
    assert.ok(
      [asAlert, asReset].some((problem) => refused.stderr === `getfarm_collector: ${problem}${kept}`),
      refused.stderr,
    );
    assert.equal(fake.farm.services.farmer.requests.length, before, 'no request reached the farmer');
    assert.deepEqual(readSeries(home.prom), new Map([['getfarm_collector_success', 0]]));
    assert.equal(logMessages(home, 'collectors.log').filter((line) => line.startsWith(where)).length, 1);
  });
});
