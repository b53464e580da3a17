import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { buildPos2Plot } from '../../lib/plot-file/build-plot-header.js';
import { startFakeChiaFarm } from '../helpers/fake-chia-farm.js';
import { writePlotFile } from '../helpers/plot-files.js';
import { makeDisks, makeTempHome, runScript, type TempHome } from '../helpers/temp-home.js';

const GiB = 2 ** 30;
const FAKE_BIN = path.join(PACKAGE_ROOT, 'test', 'fake-bin');
const SHOW_S = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli', 'show-s_v1.2_2021-09_mainnet.txt');
const NOW = '2026-12-06T12:00:00Z';
const homes: TempHome[] = [];
after(() => {
  for (const home of homes) home.cleanup();
});

/** A k28 pos2 plot of exactly 1 GiB (sparse past its header), last written at `mtime`. */
function writePos2(dir: string, mtime: Date): void {
  const plotId = crypto.randomBytes(32).toString('hex');
  const built = buildPos2Plot({
    plotId,
    k: 28,
    strength: 2,
    plotIndex: 0,
    metaGroup: 0,
    memo: 'pool',
    chunkCount: 4,
    chunkBytes: 4096,
  });
  const file = path.join(dir, `plot-k28-${plotId}.plot2`);
  fs.writeFileSync(file, built.header);
  fs.truncateSync(file, GiB);
  fs.utimesSync(file, mtime, mtime);
}

/**
 * The farm: 20 pos1 k32 plots of 100 GiB (2,000 GiB), and 120 pos2 k28 plots of 1 GiB landed over
 * the simulated weeks: 3 on 2026-11-28, then 10, 12, 14, 16, 18, 20, 22 on 2026-11-29..12-05 (112
 * in the 7 whole days before "now"), and 5 on 2026-12-06 before noon.
 */
function farmHome(): TempHome {
  const home = makeTempHome('goplot-migrate-');
  homes.push(home);
  makeDisks(home, { farm1: ['disk1', 'disk2'] });
  const disk1 = path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
  const disk2 = path.join(home.farmRoot, 'farm1', 'disk2', 'plots');
  for (let i = 0; i < 20; i++)
    writePlotFile(i < 12 ? disk1 : disk2, { sizeBytes: 100 * GiB, mtime: new Date(Date.UTC(2025, 0, 1 + i)) });
  const days: [number, number, number][] = [
    [10, 28, 3],
    [10, 29, 10],
    [10, 30, 12],
    [11, 1, 14],
    [11, 2, 16],
    [11, 3, 18],
    [11, 4, 20],
    [11, 5, 22],
    [11, 6, 5],
  ];
  for (const [month, day, count] of days)
    for (let i = 0; i < count; i++)
      writePos2(i % 2 === 0 ? disk1 : disk2, new Date(Date.UTC(2026, month, day, 1 + Math.floor(i / 3), i * 7)));
  home.set('chia_bin', path.join(home.root, 'no-chia-here'));
  return home;
}

async function migrate(home: TempHome, args: string[], env: Record<string, string> = {}) {
  const result = await runScript(home, 'scripts/goplot-cli.js', ['migrate', '--now', NOW, ...args], { env });
  assert.equal(result.exitCode, 0, result.stderr);
  return result;
}

function near(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) < 1e-6 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} is not ${expected}`,
  );
}

describe('goplot migrate on a farm whose last week is known', () => {
  it('measures the rate, the finish and the rates needed, as computed by hand, after the fork', async () => {
    const home = farmHome();
    home.set('chain_height', 9_700_000);
    const { stdout } = await migrate(home, ['--json']);
    const { height, plan } = JSON.parse(stdout);
    assert.deepEqual([height.height, height.source], [9_700_000, 'value']);
    // c = floor((9,562,000 + 255 * 4,608 - 9,700,000) / 4,608) = floor(1,037,040 / 4,608) = 225
    assert.equal(plan.pos1Weight, 0.87890625);
    assert.deepEqual([plan.pos1.plots, plan.pos1.bytes], [20, 2000 * GiB]);
    // 20 * 108,877,420,953.6 = 2,177,548,419,072; times 225/256 = 1,913,860,915,200
    near(plan.pos1.fullEffectiveBytes, 2_177_548_419_072, 'pos1 at weight 1');
    near(plan.pos1.effectiveBytes, 1_913_860_915_200, 'pos1 now');
    // 120 * 1,340,029,796.04
    assert.deepEqual([plan.pos2.plots, plan.pos2.bytes], [120, 120 * GiB]);
    near(plan.pos2.effectiveBytes, 160_803_575_524.8, 'pos2 now');
    assert.equal(plan.pos2ToMake, 2000);
    assert.deepEqual(plan.measured.lastDay, { day: '2026-12-05', plots: 22 });
    assert.deepEqual(plan.measured.lastWeek, { from: '2026-11-29', to: '2026-12-05', plots: 112 });
    assert.deepEqual(plan.measured.today, { day: '2026-12-06', plots: 5 });
    // 112 / 7 = 16 pos2 plots a day, each taking 1 GiB of pos1 room: 16 GiB of pos1 a day
    assert.deepEqual(plan.measured.rate, { pos2PlotsPerDay: 16, pos1BytesPerDay: 16 * GiB });
    // 2,000 plots / 16 a day = 125 days = 576,000 blocks: height 10,276,000 on 2027-04-10 12:00
    assert.equal(plan.finish.days, 125);
    assert.equal(plan.finish.height, 10_276_000);
    assert.equal(plan.finish.atMs, Date.UTC(2027, 3, 10, 12, 0, 0));
    // under 0.5 from F + 127 E + 1 = 10,147,217: 447,217 blocks = 97.0523003 days away
    assert.equal(plan.target.height, 10_147_217);
    near(plan.target.days, 97.05230034722223, 'days to the target');
    near(plan.target.needed.pos2PlotsPerDay, 20.60744560247039, 'needed for the target'); // 2,000 * 4,608 / 447,217
    near(plan.target.needed.pos1BytesPerDay, 22_127_076_229.177334, 'pos1 bytes a day for the target');
    // 447,217 blocks * 18.75 s = 8,385,318.75 s after noon
    assert.equal(plan.target.atMs, Date.UTC(2027, 2, 13, 13, 15, 18, 750));
    // weight 0 from 10,732,433: 1,032,433 blocks; 2,000 * 4,608 / 1,032,433
    assert.equal(plan.zero.height, 10_732_433);
    near(plan.zero.needed.pos2PlotsPerDay, 8.926487239365654, 'needed before weight 0');
    assert.equal(plan.raceStart.fromFork, false);
  });

  it('says it in words, the race behind, with the units', async () => {
    const home = farmHome();
    home.set('chain_height', 9_700_000);
    const { stdout } = await migrate(home, []);
    const lines = stdout.split('\n');
    const expected = [
      `Chain height 9,700,000 (from the chain_height value: ${home.configDir}/chain_height.goplot), clock 2026-12-06 12:00 UTC`,
      'pos1 left: 20 plots, 1.95 TiB on disk, 1.74 TiB effective now (1.98 TiB at weight 1)',
      'pos2 made: 120 plots, 0.12 TiB on disk, 0.15 TiB effective now',
      "Still to make: 2,000 pos2 plots (k28, the farm's mean pos2 file, 1.000 GiB) fill the room of the pos1 plots left",
      '  last day (2026-12-05): 22.0 pos2 plots/day = 0.021 TiB/day of pos1 replaced',
      '  last week (2026-11-29..2026-12-05, 112 plots): 16.0 pos2 plots/day = 0.016 TiB/day of pos1 replaced',
      "All pos2 at last week's rate: height 10,276,000, 2027-04-10 12:00 UTC (125.0 days from the start)",
      '  before the pos1 weight falls under 0.5 (height 10,147,217, 2027-03-13 13:15 UTC, 97.1 days): 20.6 pos2 plots/day = 0.020 TiB/day of pos1 replaced',
      "  BEHIND: last week's 16.0 pos2 plots/day is below the 20.6 needed for weight 0.5",
    ];
    for (const line of expected) assert.ok(lines.includes(line), `missing line ${JSON.stringify(line)} in\n${stdout}`);
  });

  it('before the fork, plans the same race from the fork', async () => {
    const home = farmHome();
    home.set('chain_height', 9_500_000);
    const { plan } = JSON.parse((await migrate(home, ['--json'])).stdout);
    assert.equal(plan.pos1Weight, 1);
    assert.equal(plan.pos2.effectiveBytes, 0); // pos2 counts for nothing before the fork
    assert.deepEqual([plan.raceStart.height, plan.raceStart.fromFork], [9_562_000, true]);
    // 62,000 blocks * 18.75 s = 1,162,500 s after noon: 2026-12-19 22:55
    assert.equal(plan.fork.atMs, Date.UTC(2026, 11, 19, 22, 55, 0));
    // from the fork: 125 days = 576,000 blocks
    assert.equal(plan.finish.height, 10_138_000);
    // 2,000 * 4,608 / (10,147,217 - 9,562,000) and / (10,732,433 - 9,562,000)
    near(plan.target.needed.pos2PlotsPerDay, 15.748004586332932, 'needed for the target from the fork');
    near(plan.zero.needed.pos2PlotsPerDay, 7.874009020593234, 'needed before weight 0 from the fork');
  });
});

describe('the chain height goplot migrate plans from', () => {
  it("comes from chia's RPC (full_node get_blockchain_state) over mutual TLS when the node answers", async () => {
    const home = farmHome();
    const chia = await startFakeChiaFarm(home.root, 60_000);
    try {
      home.set('chia_root', chia.chiaRoot);
      home.set('chia_rpc', 'auto');
      home.set('chain_height', 1);
      const { height } = JSON.parse((await migrate(home, ['--json'])).stdout);
      // the real answer's peak height
      assert.deepEqual(
        [height.height, height.source, height.where],
        [3_326_213, 'rpc', `full_node RPC at 127.0.0.1:${chia.services.full_node.port}`],
      );
      assert.ok(chia.services.full_node.requests.includes('get_blockchain_state {}'));
    } finally {
      await chia.close();
    }
  });

  it('comes from `chia show -s` (chia_bin found on PATH) when the RPC is off', async () => {
    const home = farmHome();
    home.set('chia_bin', 'chia');
    home.set('chain_height', 1);
    const { height } = JSON.parse(
      (await migrate(home, ['--json'], { PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`, FAKE_CHIA_SHOW_S: SHOW_S }))
        .stdout,
    );
    assert.deepEqual([height.height, height.source, height.where], [876_939, 'cli', '"chia show -s"']);
  });

  it('comes from chain_height when neither answers, saying why each gave nothing', async () => {
    const home = farmHome();
    home.set('chia_rpc', 'auto');
    home.set('chain_height', 9_600_000);
    const { height } = JSON.parse((await migrate(home, ['--json'])).stdout);
    assert.deepEqual([height.height, height.source], [9_600_000, 'value']);
    assert.deepEqual(height.problems, [
      `no RPC certificates for the full_node: cannot read ${home.root}/chia-root/config/ssl/ca/private_ca.crt (ENOENT)`,
      `cannot run chia_bin "${home.root}/no-chia-here": not found`,
    ]);
  });

  it('is refused as unknown, with each reason and the way out, when no source gives one', async () => {
    const home = farmHome();
    const result = await runScript(home, 'scripts/goplot-cli.js', ['migrate']);
    assert.equal(result.exitCode, 1);
    assert.equal(
      result.stderr,
      `goplot migrate: the chain height is unknown (cannot run chia_bin "${home.root}/no-chia-here": not found; ` +
        `${home.configDir}/chain_height.goplot: not set); on a host with no chia node, set it: goplot set chain_height HEIGHT`,
    );
  });

  it('refuses a chain_height that is not a height, naming the file and the value, and goes on without it', async () => {
    const home = farmHome();
    home.set('chain_height', 'soon');
    const result = await runScript(home, 'scripts/goplot-cli.js', ['migrate']);
    assert.equal(result.exitCode, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `chain_height\\.goplot: invalid value "soon" \\(expected a block height \\(a whole number\\), or nothing to read it from chia\\)`,
      ),
    );
  });
});
