import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parseFarmSummary } from '../../lib/chia-cli/parse-farm-summary.js';
import { parseChiaNumber, parseSize } from '../../lib/chia-cli/parse-size.js';
import { parseShowState } from '../../lib/chia-cli/parse-show-state.js';
import { parseTimeToWin } from '../../lib/chia-cli/parse-farm-summary.js';
import { parseTimeout } from '../../lib/chia-cli/run-chia.js';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { checkMetrics, readSeries } from '../helpers/promtool.js';
import { logMessages, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';
import { FAKE_BIN } from '../helpers/fake-df.js';

const FAKE_CHIA = path.join(FAKE_BIN, 'chia');
const OWN = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli');
const TiB = 2 ** 40;
const PiB = 2 ** 50;
const EiB = 2 ** 60;

function ownText(name: string): string {
  return fs.readFileSync(path.join(OWN, name), 'utf8');
}

/** Pids whose command line is exactly argv. */
function findProcesses(argv: string[]): number[] {
  const wanted = `${argv.join('\0')}\0`;
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1') === wanted ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

describe('chia CLI numbers and sizes', () => {
  it('reads chia sizes in binary units, effective sizes and scientific notation, and nothing else', () => {
    assert.equal(parseSize('9.008 TiB'), Math.round(9.008 * TiB));
    assert.equal(parseSize('35.360 EiB'), Math.round(35.36 * EiB));
    assert.equal(parseSize('136.225 PiB'), Math.round(136.225 * PiB));
    assert.equal(parseSize('168.835 TiBe'), Math.round(168.835 * TiB));
    assert.equal(parseSize('0.000 MiB'), 0);
    assert.equal(parseSize('1.5e3 GiB'), 1500 * 2 ** 30);
    assert.equal(parseSize('12 TB'), 12e12);
    assert.equal(parseSize('Unknown'), null);
    assert.equal(parseSize('Invalid'), null);
    assert.equal(parseSize('12 parsecs'), null);
    assert.equal(parseChiaNumber('5e-05'), 0.00005);
    assert.equal(parseChiaNumber('67.878699253013'), 67.878699253013);
    assert.equal(parseChiaNumber('Unknown'), null);
  });

  it('reads the expected time to win as chia words it', () => {
    assert.equal(parseTimeToWin('1 year and 9 months'), (12 * 43_800 + 9 * 43_800) * 60);
    assert.equal(parseTimeToWin('1 week'), 7 * 86_400);
    assert.equal(parseTimeToWin('3 days and 4 hours'), 3 * 86_400 + 4 * 3600);
    assert.equal(parseTimeToWin('5 minutes'), 300);
    assert.equal(parseTimeToWin('Now'), 0);
    assert.equal(parseTimeToWin('Never (no plots)'), null);
    assert.equal(parseTimeToWin('Unknown'), null);
  });

  it('reads the --timeout option as seconds or milliseconds', () => {
    assert.equal(parseTimeout('30'), 30_000);
    assert.equal(parseTimeout('1.5s'), 1500);
    assert.equal(parseTimeout('500ms'), 500);
    assert.equal(parseTimeout('soon'), null);
    assert.equal(parseTimeout('0'), null);
  });
});

describe('parsing chia show -s', () => {
  it('reads every real sample', () => {
    assert.deepEqual(parseShowState(ownText('show-s_v1.0_2021-03_mainnet.txt')), {
      recognized: true,
      unreachable: [],
      status: 'Full Node Synced',
      synced: true,
      peakHeight: 19882,
      syncProgressHeight: null,
      syncTipHeight: null,
      netspaceBytes: Math.round(136.225 * PiB),
      difficulty: 9,
    });
    assert.deepEqual(parseShowState(ownText('show-s_v1.2_2021-09_mainnet.txt')), {
      recognized: true,
      unreachable: [],
      status: 'Full Node Synced',
      synced: true,
      peakHeight: 876939,
      syncProgressHeight: null,
      syncTipHeight: null,
      netspaceBytes: Math.round(35.36 * EiB),
      difficulty: 2992,
    });
    assert.deepEqual(parseShowState(ownText('show-s_v1.5-1.6_2022-09_simulator.txt')), {
      recognized: true,
      unreachable: [],
      status: 'Full Node Synced',
      synced: true,
      peakHeight: 1,
      syncProgressHeight: null,
      syncTipHeight: null,
      netspaceBytes: 0,
      difficulty: 1024,
    });
  });

  it('reads a 2.x node that is syncing, one that is not synced, and one that is down', () => {
    assert.deepEqual(parseShowState(ownText('show-s_2x_syncing.txt')), {
      recognized: true,
      unreachable: [],
      status: 'Syncing 6589000/6599872 (10872 behind). (99.84% synced)',
      synced: false,
      peakHeight: 6589000,
      syncProgressHeight: 6589000,
      syncTipHeight: 6599872,
      netspaceBytes: Math.round(16.512 * EiB),
      difficulty: 11136,
    });
    const notSynced = parseShowState(ownText('show-s_not-synced.txt'));
    assert.equal(notSynced.synced, false);
    assert.equal(notSynced.peakHeight, 412377);
    assert.equal(notSynced.netspaceBytes, Math.round(20133.411 * PiB));
    assert.deepEqual(parseShowState(ownText('show-s_connection-error.txt')), {
      recognized: true,
      unreachable: ['full node'],
      status: 'full node not reachable',
      synced: false,
      peakHeight: null,
      syncProgressHeight: null,
      syncTipHeight: null,
      netspaceBytes: null,
      difficulty: null,
    });
  });

  it('reads through carriage returns and colour codes, and recognizes nothing in garbage', () => {
    const state = parseShowState(
      '\x1b[32mCurrent Blockchain Status: Full Node Synced\x1b[0m\r\nCurrent difficulty: 7\r\n',
    );
    assert.equal(state.synced, true);
    assert.equal(state.difficulty, 7);
    assert.equal(parseShowState('Segmentation fault\n12345\n').recognized, false);
    assert.equal(parseShowState('').recognized, false);
  });
});

describe('parsing chia farm summary', () => {
  it('reads a 1.1 harvester-only host whose node, farmer and wallet are down', () => {
    assert.deepEqual(parseFarmSummary(ownText('farm-summary_v1.1_2021-04_harvester-only-host_chia-issue3157.txt')), {
      recognized: true,
      unreachable: ['wallet', 'full node', 'farmer'],
      farmingStatus: 'Not available',
      farming: false,
      xchFarmed: null,
      plotCount: 91,
      plotsBytes: Math.round(9.008 * TiB),
      plotsEffectiveBytes: null,
      netspaceBytes: null,
      expectedTimeToWinSeconds: null,
      harvesters: [],
    });
  });

  it('reads a 1.1 farm with no plots', () => {
    const summary = parseFarmSummary(ownText('farm-summary_v1.1_2021-05_no-plots_ChiaMonitor-issue6.txt'));
    assert.equal(summary.farming, true);
    assert.equal(summary.xchFarmed, 0);
    assert.equal(summary.plotCount, 0);
    assert.equal(summary.plotsBytes, 0);
    assert.equal(summary.netspaceBytes, Math.round(5968.663 * PiB));
    assert.equal(summary.expectedTimeToWinSeconds, null);
  });

  it('sums two harvesters behind one IP and leaves out the totals the partial sample lacks', () => {
    const summary = parseFarmSummary(
      ownText('farm-summary_v1.2_2022-06_remote-harvesters-partial_chia-exporter-issue34.txt'),
    );
    assert.equal(summary.plotCount, null);
    assert.equal(summary.plotsBytes, null);
    assert.deepEqual(summary.harvesters, [
      {
        location: 'remote',
        host: '10.0.12.13',
        harvesters: 2,
        loading: 0,
        plots: 3285,
        bytes: Math.round(16.331 * TiB) + Math.round(308.795 * TiB),
        effectiveBytes: null,
      },
      {
        location: 'remote',
        host: '10.0.0.12',
        harvesters: 1,
        loading: 0,
        plots: 494,
        bytes: Math.round(48.892 * TiB),
        effectiveBytes: null,
      },
    ]);
  });

  it('reads the 1.6 local harvester and the 2.x on-disk and effective sizes', () => {
    const local = parseFarmSummary(ownText('farm-summary_v1.6-1.7_2023-02_local-harvester.txt'));
    assert.equal(local.plotCount, 111);
    assert.equal(local.expectedTimeToWinSeconds, 21 * 43_800 * 60);
    assert.deepEqual(local.harvesters, [
      {
        location: 'local',
        host: 'local',
        harvesters: 1,
        loading: 0,
        plots: 111,
        bytes: Math.round(7.728 * TiB),
        effectiveBytes: null,
      },
    ]);
    const effective = parseFarmSummary(ownText('farm-summary_v2.5_2025_local+2-remote_effective.txt'));
    assert.equal(effective.xchFarmed, 67.878699253013);
    assert.equal(effective.plotCount, 4522);
    assert.equal(effective.plotsBytes, Math.round(447.566 * TiB));
    assert.equal(effective.plotsEffectiveBytes, Math.round(447.784 * TiB));
    assert.equal(effective.netspaceBytes, Math.round(13.162 * EiB));
    assert.deepEqual(
      effective.harvesters.map((group) => [group.host, group.plots, group.effectiveBytes]),
      [
        ['local', 1705, Math.round(168.835 * TiB)],
        ['192.168.1.192', 1378, Math.round(136.454 * TiB)],
        ['192.168.1.188', 1439, Math.round(142.495 * TiB)],
      ],
    );
  });

  it('reads a 2.x farm whose farmer is down, and one that syncs with a harvester still loading', () => {
    const down = parseFarmSummary(ownText('farm-summary_2x_farmer-down.txt'));
    assert.deepEqual(
      [down.unreachable, down.farmingStatus, down.farming, down.xchFarmed, down.plotCount, down.plotsBytes],
      [['farmer'], 'Not running', false, 2, null, null],
    );
    const loading = parseFarmSummary(ownText('farm-summary_2x_loading-remotes.txt'));
    assert.equal(loading.farming, false);
    assert.equal(loading.xchFarmed, 0.00005);
    assert.equal(loading.plotsBytes, Math.round(1.352 * PiB));
    assert.equal(loading.expectedTimeToWinSeconds, 3 * 86_400 + 4 * 3600);
    assert.deepEqual(loading.harvesters[0], {
      location: 'local',
      host: 'local',
      harvesters: 1,
      loading: 1,
      plots: 0,
      bytes: 0,
      effectiveBytes: 0,
    });
    assert.deepEqual(loading.harvesters[1], {
      location: 'remote',
      host: '10.1.2.3',
      harvesters: 2,
      loading: 0,
      plots: 5200,
      bytes: Math.round(296.914 * TiB) + Math.round(1.061 * PiB),
      effectiveBytes: Math.round(302.102 * TiB) + Math.round(1.07 * PiB),
    });
    assert.equal(parseFarmSummary('<html>502 Bad Gateway</html>').recognized, false);
  });
});

describe('getfarm_collector (built script, fake chia on the command line)', () => {
  const homes: TempHome[] = [];
  after(() => homes.forEach((home) => home.cleanup()));

  function farmHome(): TempHome & { prom: string } {
    const home = makeTempHome('goplot-getfarm-');
    homes.push(home);
    const promDir = path.join(home.root, 'prom');
    fs.mkdirSync(promDir);
    home.set('prom_dir', promDir);
    home.set('chia_bin', FAKE_CHIA);
    return Object.assign(home, { prom: path.join(promDir, 'getfarm.prom') });
  }

  async function collect(
    home: TempHome,
    env: Record<string, string>,
    args: string[] = [],
  ): Promise<{ exitCode?: number; stderr: string }> {
    const result = await runScript(home, 'collectors/getfarm_collector.js', args, { env });
    return { exitCode: result.exitCode, stderr: String(result.stderr) };
  }

  async function assertPromtool(file: string): Promise<void> {
    const check = await checkMetrics(file);
    assert.equal(check.ok, true, `promtool check metrics ${file}: ${check.output}`);
  }

  it("writes every real sample pair to a file promtool accepts, in goplot's units", async () => {
    const pairs: [string, string, Record<string, number>][] = [
      [
        'show-s_v1.2_2021-09_mainnet.txt',
        'farm-summary_v2.5_2025_local+2-remote_effective.txt',
        {
          farm_fullnode_syncstatus: 1,
          farm_farmer_farmstatus: 1,
          farm_fullnode_difficulty: 2992,
          farm_fullnode_peak_height: 876939,
          farm_fullnode_netspace: 35.36 * 1024,
          farm_fullnode_netspace_bytes: Math.round(35.36 * EiB),
          farm_xch_farmed: 67.878699253013,
          farm_plot_count: 4522,
          farm_plot_sum: Math.round(447.566 * TiB),
          farm_plots_size_bytes: Math.round(447.566 * TiB),
          farm_plots_effective_size_bytes: Math.round(447.784 * TiB),
          farm_expected_time_to_win_seconds: 604_800,
          'farm_harvesters_plots{host="192.168.1.188",location="remote"}': 1439,
          getfarm_collector_success: 1,
        },
      ],
      [
        'show-s_v1.0_2021-03_mainnet.txt',
        'farm-summary_v1.1_2021-05_no-plots_ChiaMonitor-issue6.txt',
        {
          farm_fullnode_netspace: 136.225,
          farm_plot_count: 0,
          farm_plots_size: 0,
          farm_xch_farmed: 0,
          'getfarm_collector_value_present{value="plots_effective_size"}': 0,
          getfarm_collector_success: 1,
        },
      ],
      [
        'show-s_v1.5-1.6_2022-09_simulator.txt',
        'farm-summary_v1.6-1.7_2023-02_local-harvester.txt',
        {
          farm_fullnode_netspace_bytes: 0,
          farm_fullnode_difficulty: 1024,
          farm_plot_count: 111,
          'farm_harvesters{host="local",location="local"}': 1,
          getfarm_collector_success: 1,
        },
      ],
      [
        'show-s_v1.2_2021-09_mainnet.txt',
        'farm-summary_v1.2_2022-06_remote-harvesters-partial_chia-exporter-issue34.txt',
        {
          'farm_harvesters{host="10.0.12.13",location="remote"}': 2,
          'farm_harvesters_plots{host="10.0.12.13",location="remote"}': 3285,
          'getfarm_collector_value_present{value="plot_count"}': 0,
          getfarm_collector_success: 1,
        },
      ],
    ];
    for (const [show, summary, expected] of pairs) {
      const home = farmHome();
      const result = await collect(home, {
        FAKE_CHIA_SHOW_S: path.join(OWN, show),
        FAKE_CHIA_FARM_SUMMARY: path.join(OWN, summary),
      });
      assert.equal(result.exitCode, 0, `${show} + ${summary}: ${result.stderr}`);
      await assertPromtool(home.prom);
      const series = readSeries(home.prom);
      for (const [name, value] of Object.entries(expected)) {
        assert.ok(series.has(name), `${summary}: ${name} is missing`);
        assert.ok(
          Math.abs(series.get(name)! - value) <= Math.abs(value) * 1e-12,
          `${summary}: ${name} is ${series.get(name)}, expected ${value}`,
        );
      }
      if (summary.includes('partial'))
        assert.equal(series.has('farm_plot_count'), false, 'a value chia did not print is left out');
    }
  });

  it('reports a dead full node as not synced and leaves out what it could not say', async () => {
    const home = farmHome();
    const result = await collect(home, {
      FAKE_CHIA_SHOW_S: path.join(OWN, 'show-s_connection-error.txt'),
      FAKE_CHIA_FARM_SUMMARY: path.join(OWN, 'farm-summary_v1.1_2021-04_harvester-only-host_chia-issue3157.txt'),
      FAKE_CHIA_EXIT: '1',
    });
    assert.equal(result.exitCode, 0, result.stderr);
    await assertPromtool(home.prom);
    const series = readSeries(home.prom);
    assert.equal(series.get('farm_fullnode_syncstatus'), 0);
    assert.equal(series.get('farm_farmer_farmstatus'), 0);
    assert.equal(series.get('farm_plot_count'), 91);
    assert.equal(series.get('farm_plots_size'), 9.008);
    for (const absent of [
      'farm_fullnode_netspace',
      'farm_fullnode_netspace_bytes',
      'farm_fullnode_difficulty',
      'farm_xch_farmed',
      'farm_fullnode_peak_height',
    ]) {
      assert.equal(series.has(absent), false, `${absent} must be left out, not written as 0`);
    }
    assert.equal(series.get('getfarm_collector_value_present{value="netspace"}'), 0);
    assert.equal(series.get('getfarm_collector_value_present{value="syncstatus"}'), 1);
    assert.equal(series.get('getfarm_collector_success'), 1);
    assert.deepEqual(logMessages(home, 'collectors.log'), [
      `wrote ${home.prom}`,
      'values missing (left out of getfarm.prom): peak_height (full node not reachable), netspace (full node not reachable; ' +
        'wallet, full node, farmer not reachable), difficulty (full node not reachable), xch_farmed (wallet, full node, farmer not reachable), ' +
        'plots_effective_size (wallet, full node, farmer not reachable (chia 2.0 and later print it)), ' +
        'expected_time_to_win (wallet, full node, farmer not reachable)',
    ]);
  });

  it('writes a syncing node and remote harvesters from a 2.x farm', async () => {
    const home = farmHome();
    const result = await collect(home, {
      FAKE_CHIA_SHOW_S: path.join(OWN, 'show-s_2x_syncing.txt'),
      FAKE_CHIA_FARM_SUMMARY: path.join(OWN, 'farm-summary_2x_loading-remotes.txt'),
    });
    assert.equal(result.exitCode, 0, result.stderr);
    await assertPromtool(home.prom);
    const series = readSeries(home.prom);
    assert.equal(series.get('farm_fullnode_syncstatus'), 0);
    assert.equal(series.get('farm_fullnode_sync_progress_height'), 6589000);
    assert.equal(series.get('farm_fullnode_sync_tip_height'), 6599872);
    assert.equal(series.get('farm_xch_farmed'), 0.00005);
    assert.equal(series.get('farm_harvesters_loading{host="local",location="local"}'), 1);
    assert.equal(series.get('farm_harvesters_plots{host="10.1.2.9",location="remote"}'), 10);
  });

  it('calls chia with argument arrays, found on PATH when chia_bin is a bare name', async () => {
    const home = farmHome();
    home.set('chia_bin', 'chia');
    const calls = path.join(home.root, 'calls.txt');
    const result = await collect(home, {
      PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`,
      FAKE_CHIA_DIR: OWN,
      FAKE_CHIA_CALLS: calls,
      FAKE_CHIA_SHOW_S: path.join(OWN, 'show-s_not-synced.txt'),
      FAKE_CHIA_FARM_SUMMARY: path.join(OWN, 'farm-summary_2x_farmer-down.txt'),
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean).sort(), ['farm summary', 'show -s']);
  });

  /** A synced, farming node: our own samples with chia's words for that. */
  function syncedAndFarming(home: TempHome): Record<string, string> {
    const show = path.join(home.root, 'show-s_synced.txt');
    const summary = path.join(home.root, 'farm-summary_farming.txt');
    fs.writeFileSync(
      show,
      ownText('show-s_not-synced.txt').replace(
        'Current Blockchain Status: Not Synced.',
        'Current Blockchain Status: Full Node Synced',
      ),
    );
    fs.writeFileSync(
      summary,
      ownText('farm-summary_2x_loading-remotes.txt').replace('Farming status: Syncing', 'Farming status: Farming'),
    );
    return { FAKE_CHIA_SHOW_S: show, FAKE_CHIA_FARM_SUMMARY: summary };
  }

  it('keeps the last good totals with success 0, and drops the status metrics, when chia fails', async () => {
    const home = farmHome();
    const good = syncedAndFarming(home);
    assert.equal((await collect(home, good)).exitCode, 0);
    assert.equal((await collect(home, good)).exitCode, 0);
    const before = readSeries(home.prom);
    assert.equal(before.get('farm_fullnode_syncstatus'), 1);
    assert.equal(before.get('farm_farmer_farmstatus'), 1);

    const failed = await collect(home, { ...good, FAKE_CHIA_MODE: 'fail' });
    assert.equal(failed.exitCode, 1);
    const stderr = JSON.stringify("ModuleNotFoundError: No module named 'chia'");
    const problem =
      `"${FAKE_CHIA} show -s" printed nothing and exited with code 1: stderr ${stderr}; ` +
      `"${FAKE_CHIA} farm summary" printed nothing and exited with code 1: stderr ${stderr}; ` +
      `kept the last good values (without the status metrics) in ${home.prom} with getfarm_collector_success 0`;
    assert.equal(failed.stderr, `getfarm_collector: ${problem}`);
    await assertPromtool(home.prom);
    const kept = readSeries(home.prom);
    const status =
      /^farm_(fullnode_syncstatus|farmer_farmstatus|fullnode_peak_height|fullnode_sync_\w+|harvesters|harvesters_loading)(\{|$)/;
    const expected = new Map([...before].filter(([name]) => !status.test(name)));
    expected.set('getfarm_collector_success', 0);
    assert.deepEqual(kept, expected, 'totals and sizes stay; what says "synced" or "farming" now does not');
    assert.equal(kept.has('farm_fullnode_syncstatus'), false);
    assert.equal(kept.has('farm_farmer_farmstatus'), false);
    assert.equal(kept.get('farm_plots_size_bytes'), before.get('farm_plots_size_bytes'));
    assert.doesNotMatch(fs.readFileSync(home.prom, 'utf8'), /farm_farmer_farmstatus/, 'its HELP and TYPE lines go too');

    const again = await collect(home, { ...good, FAKE_CHIA_MODE: 'fail' });
    assert.equal(again.exitCode, 1);
    assert.equal(again.stderr, `getfarm_collector: ${problem}`, 'each run still says it on stderr');
    assert.equal((await collect(home, good)).exitCode, 0);
    assert.equal(readSeries(home.prom).get('getfarm_collector_success'), 1);
    assert.equal((await collect(home, { ...good, FAKE_CHIA_MODE: 'fail' })).exitCode, 1);
    assert.deepEqual(
      logMessages(home, 'collectors.log'),
      [`wrote ${home.prom}`, problem, `recovered: wrote ${home.prom} with getfarm_collector_success 1`, problem],
      'good runs are quiet; a failure is said when it starts (not every run), the recovery once, and a new failure again',
    );
  });

  it('kills a hanging chia and its children after --timeout and keeps the last good file', async () => {
    const home = farmHome();
    const good = {
      FAKE_CHIA_SHOW_S: path.join(OWN, 'show-s_2x_syncing.txt'),
      FAKE_CHIA_FARM_SUMMARY: path.join(OWN, 'farm-summary_2x_farmer-down.txt'),
    };
    assert.equal((await collect(home, good)).exitCode, 0);
    const sleepSeconds = String(200 + (process.pid % 97));
    // the run ends by itself (runScript would kill it at 60 s, long before chia's 200 s); its time is in bench/hangs.bench.ts
    const hung = await collect(home, { ...good, FAKE_CHIA_MODE: 'hang', FAKE_CHIA_HANG_SECONDS: sleepSeconds }, [
      '--timeout',
      '1',
    ]);
    assert.equal(hung.exitCode, 1);
    assert.equal(
      hung.stderr,
      `getfarm_collector: "${FAKE_CHIA} show -s" did not finish within 1 s; killed it; ` +
        `"${FAKE_CHIA} farm summary" did not finish within 1 s; killed it; kept the last good values (without the status metrics) in ${home.prom} with getfarm_collector_success 0`,
    );
    const series = readSeries(home.prom);
    assert.equal(series.get('getfarm_collector_success'), 0);
    assert.equal(series.get('farm_fullnode_netspace_bytes'), Math.round(16.512 * EiB), 'the last good totals stay');
    assert.equal(series.has('farm_fullnode_sync_tip_height'), false, 'how far a sync got is status, dropped');
    assert.deepEqual(findProcesses(['sleep', sleepSeconds]), [], "the hanging chia's child was killed with it");
  });

  it('fails on garbage and on a missing chia, with a file promtool accepts even on a first run', async () => {
    const home = farmHome();
    const garbage = await collect(home, { FAKE_CHIA_MODE: 'garbage' });
    assert.equal(garbage.exitCode, 1);
    assert.match(
      garbage.stderr,
      /^getfarm_collector: ".*\/chia show -s" printed nothing chia prints: "Segmentation fault"; /,
    );
    assert.deepEqual(readSeries(home.prom), new Map([['getfarm_collector_success', 0]]));
    await assertPromtool(home.prom);

    home.set('chia_bin', '/nonexistent/bin/chia');
    const missing = await collect(home, {});
    assert.equal(missing.exitCode, 1);
    const problem =
      'cannot run chia_bin "/nonexistent/bin/chia": not found; ' +
      `kept the last good values (without the status metrics) in ${home.prom} with getfarm_collector_success 0`;
    assert.equal(missing.stderr, `getfarm_collector: ${problem}`);
    assert.equal((await collect(home, {})).exitCode, 1);
    assert.equal((await collect(home, {})).exitCode, 1);
    assert.deepEqual(
      logMessages(home, 'collectors.log').filter((line) => line.startsWith('cannot run chia_bin')),
      [problem],
      'a host without chia gets one line when the reason changes, not one a minute',
    );
  });

  it('refuses a prom_dir that does not exist, as every collector does, without running chia or making the dir', async () => {
    const home = farmHome();
    const missing = path.join(home.root, 'no-such-prom');
    home.set('prom_dir', missing);
    const calls = path.join(home.root, 'calls.txt');
    const result = await collect(home, {
      FAKE_CHIA_CALLS: calls,
      FAKE_CHIA_SHOW_S: path.join(OWN, 'show-s_not-synced.txt'),
      FAKE_CHIA_FARM_SUMMARY: path.join(OWN, 'farm-summary_2x_farmer-down.txt'),
    });
    assert.equal(result.exitCode, 1);
    const problem = `prom_dir ${missing} is not a directory (make it, or set config/prom_dir.goplot to node_exporter's --collector.textfile.directory)`;
    assert.equal(result.stderr, `getfarm_collector: ${problem}`);
    assert.equal(fs.existsSync(missing), false, 'no dir is made where node_exporter does not look');
    assert.equal(fs.existsSync(calls), false, 'chia is not run for nothing');
    assert.equal(logMessages(home, 'collectors.log').at(-1), problem);
  });

  it('rejects a bad --timeout before running chia', async () => {
    const home = farmHome();
    const result = await collect(home, {}, ['--timeout', 'soon']);
    assert.notEqual(result.exitCode, 0);
    assert.match(
      result.stderr,
      /option '--timeout <duration>' argument 'soon' is invalid\. expected seconds \(30, 30s\) or milliseconds \(500ms\) up to 1 hour, got "soon"/,
    );
    assert.equal(fs.existsSync(home.prom), false);
  });
});
