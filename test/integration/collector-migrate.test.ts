import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildPos2Plot } from '../../lib/plot-file/build-plot-header.js';
import { writePlotFile } from '../helpers/plot-files.js';
import { checkMetrics } from '../helpers/promtool.js';
import { makeDisks, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';
import { PACKAGE_ROOT } from '../../lib/config/home.js';

const GiB = 2 ** 30;
const homes: TempHome[] = [];
after(() => {
  for (const home of homes) home.cleanup();
});

/**
 * 2 pos1 k32 plots of 100 GiB and 7 pos2 k28 plots of 1 GiB, all landed three days ago: whatever
 * the clock, that day is one of the 7 whole days before today and never yesterday.
 */
function farmHome(): TempHome {
  const home = makeTempHome('goplot-collector-migrate-');
  homes.push(home);
  makeDisks(home, { farm1: ['disk1'] });
  fs.mkdirSync(path.join(home.root, 'prom'));
  home.set('prom_dir', path.join(home.root, 'prom'));
  home.set('require_mount', 'no');
  home.set('chia_bin', path.join(home.root, 'no-chia-here'));
  const plots = path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
  for (let i = 0; i < 2; i++) writePlotFile(plots, { sizeBytes: 100 * GiB });
  const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
  for (let i = 0; i < 7; i++) {
    const plotId = crypto.randomBytes(32).toString('hex');
    const built = buildPos2Plot({
      plotId,
      k: 28,
      strength: 2,
      plotIndex: i,
      metaGroup: 0,
      memo: 'pool',
      chunkCount: 2,
      chunkBytes: 4096,
    });
    const file = path.join(plots, `plot-k28-${plotId}.plot2`);
    fs.writeFileSync(file, built.header);
    fs.truncateSync(file, GiB);
    fs.utimesSync(file, threeDaysAgo, threeDaysAgo);
  }
  return home;
}

async function collect(home: TempHome, env: Record<string, string> = {}): Promise<Map<string, number>> {
  const result = await runScript(home, 'collectors/goplot_collector.js', [], { env });
  assert.equal(result.exitCode, 0, result.stderr);
  const prom = path.join(home.root, 'prom', 'goplot.prom');
  const check = await checkMetrics(prom);
  assert.equal(check.ok, true, check.output);
  const series = new Map<string, number>();
  for (const line of fs.readFileSync(prom, 'utf8').split('\n')) {
    const match =
      /^((?:goplot_(?:chain|pos1|farm_eff|migrate)|goplot_collector_(?:success|value_present\{value="chain))\S*) (\S+)$/.exec(
        line,
      );
    if (match) series.set(match[1]!, Number(match[2]));
  }
  return series;
}

function near(actual: number | undefined, expected: number, what: string): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) < 1e-6 * expected,
    `${what}: ${actual} is not ${expected}`,
  );
}

describe('the goplot collector exports the phase-out', () => {
  it('writes the weight, effective space by pos, the phase-out line and the measured and needed rates', async () => {
    const home = farmHome();
    home.set('chain_height', 9_700_000);
    const series = await collect(home);
    assert.equal(series.get('goplot_collector_success'), 1);
    assert.equal(series.get('goplot_collector_value_present{value="chain_height"}'), 1);
    assert.equal(series.get('goplot_chain_height{source="value"}'), 9_700_000);
    assert.equal(series.get('goplot_pos1_weight'), 0.87890625); // 225/256, as in migrate.test.ts
    // 2 * 108,877,420,953.6 * 225/256 and 7 * 1,340,029,796.04
    near(series.get('goplot_farm_effective_bytes{pos="1"}'), 191_386_091_520, 'pos1');
    near(series.get('goplot_farm_effective_bytes{pos="2"}'), 9_380_208_572.28, 'pos2');
    // all 207 GiB as pos1 at the farm's 217,754,841,907.2 bytes per 200 GiB: 217,754,841,907.2 * 1.035 * 225/256
    near(series.get('goplot_farm_effective_no_replot_bytes'), 198_084_604_723.2, 'no replot');
    assert.equal(series.get('goplot_migrate_measured_plots_per_day{window="day"}'), 0);
    assert.equal(series.get('goplot_migrate_measured_plots_per_day{window="week"}'), 1); // 7 plots / 7 days
    // 200 pos2 plots fill the 200 GiB of pos1: 200 * 4,608 / 447,217 and 200 * 4,608 / 1,032,433
    near(series.get('goplot_migrate_needed_plots_per_day{deadline="target"}'), 2.060744560247039, 'target');
    near(series.get('goplot_migrate_needed_plots_per_day{deadline="zero"}'), 0.8926487239365654, 'zero');
    assert.equal(series.get('goplot_migrate_pos1_left_bytes'), 200 * GiB);
  });

  it('leaves every phase-out series out, and the scrape whole, while the height is unknown', async () => {
    const home = farmHome();
    const series = await collect(home);
    assert.deepEqual([...series.entries()], [['goplot_collector_success', 1]]);
  });
});

describe("the goplot collector takes the chain height from the farm collector's fresh getfarm.prom", () => {
  const fixtures = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli');
  /** The fake chia first on PATH, answering as chia 1.2 did (peak 876,939), logging every call. */
  function chiaHome(): { home: TempHome; env: Record<string, string>; calls: string } {
    const home = farmHome();
    home.set('chia_bin', 'chia');
    home.set('chia_rpc', 'off');
    home.set('chain_height', 1);
    const calls = path.join(home.root, 'chia-calls.txt');
    const env = {
      PATH: `${path.join(PACKAGE_ROOT, 'test', 'fake-bin')}:${process.env.PATH ?? ''}`,
      FAKE_CHIA_SHOW_S: path.join(fixtures, 'show-s_v1.2_2021-09_mainnet.txt'),
      FAKE_CHIA_FARM_SUMMARY: path.join(fixtures, 'farm-summary_v1.6-1.7_2023-02_local-harvester.txt'),
      FAKE_CHIA_CALLS: calls,
    };
    return { home, env, calls };
  }
  /** getfarm.prom as the built farm collector writes it; then the calls file starts afresh. */
  async function runGetfarm(home: TempHome, env: Record<string, string>, calls: string): Promise<string> {
    const farm = await runScript(home, 'collectors/getfarm_collector.js', [], { env });
    assert.equal(farm.exitCode, 0, farm.stderr);
    const prom = path.join(home.root, 'prom', 'getfarm.prom');
    assert.match(fs.readFileSync(prom, 'utf8'), /^farm_fullnode_peak_height 876939$/m);
    fs.rmSync(calls);
    return prom;
  }
  const chiaCalls = (calls: string) => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n') : []);

  it('does not run chia when getfarm.prom is fresh', async () => {
    const { home, env, calls } = chiaHome();
    await runGetfarm(home, env, calls);
    const series = await collect(home, env);
    assert.deepEqual(chiaCalls(calls), []);
    assert.equal(series.get('goplot_chain_height{source="getfarm"}'), 876_939);
    assert.equal(series.get('goplot_collector_value_present{value="chain_height"}'), 1);
  });

  it('runs `chia show -s` when getfarm.prom is stale, as before', async () => {
    const { home, env, calls } = chiaHome();
    const prom = await runGetfarm(home, env, calls);
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    fs.utimesSync(prom, tenMinutesAgo, tenMinutesAgo);
    const series = await collect(home, env);
    assert.ok(chiaCalls(calls).includes('show -s'), `chia calls: ${chiaCalls(calls).join(', ')}`);
    assert.equal(series.get('goplot_chain_height{source="cli"}'), 876_939);
    assert.equal(series.get('goplot_chain_height{source="getfarm"}'), undefined);
  });
});
