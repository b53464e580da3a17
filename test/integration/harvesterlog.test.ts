import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import which from 'which';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { builtScript, logMessages, makeTempHome, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';
import { waitForEqual } from '../helpers/wait-for-equal.js';

const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'debug-logs');
const LOG_FILE = 'harvesterlog.log';

let home: TempHome;
let chiaLog: string;
let promFile: string;
const children: ResultPromise[] = [];

function start(args: string[] = []): ResultPromise {
  const child = execa('node', [builtScript('scripts/harvesterlog.js'), ...args], {
    env: { GOPLOT_HOME: home.home },
    reject: false,
    timeout: 90_000,
  });
  children.push(child);
  return child;
}

/** The value of an unlabelled sample in harvesterlog.prom, or undefined. */
function promValue(name: string): number | undefined {
  if (!fs.existsSync(promFile)) return undefined;
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(fs.readFileSync(promFile, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

const waitForValue = (name: string, value: number, ms = 15_000) =>
  waitFor(`${name} to be ${value} (is ${promValue(name)})`, () => promValue(name) === value, ms);

function eligibleLine(eligible: number, proofs: number, seconds: string, total = 100): string {
  return `2025-06-01T10:00:00.000 2.4.4 harvester chia.harvester.harvester: INFO     ${eligible} plots were eligible for farming 6c1d0e9a2b... Found ${proofs} proofs. Time: ${seconds} s. Total ${total} plots\n`;
}

beforeEach(() => {
  home = makeTempHome('goplot-harvesterlog-');
  chiaLog = path.join(home.root, 'chia', 'log', 'debug.log');
  promFile = path.join(home.root, 'prom', 'harvesterlog.prom');
  home.set('chia_log', chiaLog);
  home.set('prom_dir', path.dirname(promFile));
  fs.mkdirSync(path.dirname(promFile));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  home.cleanup();
});

after(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('harvesterlog (the built script)', () => {
  it('waits for a missing debug.log, then counts every line of every format into a file promtool accepts', async () => {
    start();
    await waitFor('the missing log to be reported', () =>
      logMessages(home, LOG_FILE).some((m) => m.includes('missing')),
    );
    // the log line can come a moment before the first .prom file is written
    await waitForValue('harvesterlog_collector_success', 0);
    assert.equal(
      promValue('harvesterlog_collector_last_success_timestamp_seconds'),
      undefined,
      'no good run yet, so no time of one',
    );
    const followedFrom = Math.floor(Date.now() / 1000);
    fs.mkdirSync(path.dirname(chiaLog), { recursive: true });
    const files = [
      'v1.0-src-prefix.log',
      'v1.x-dated-slow.log',
      'v2.4-version-token.log',
      'v2.5.7-v1-v2.log',
      'masked-garbled.log',
    ];
    fs.writeFileSync(chiaLog, Buffer.concat(files.map((file) => fs.readFileSync(path.join(FIXTURES, file)))));
    // one write can come between the last challenge line and the unparsed lines after it
    await waitForEqual(
      'every line counted in harvesterlog.prom',
      () =>
        Object.fromEntries(
          [
            'farm_harvester_plots_eligible',
            'farm_harvester_proofs_found',
            'farm_harvester_plots',
            'farm_harvester_eligible_plots_total',
            'farm_harvester_proofs_total',
            'farm_harvester_v2_qualities_total',
            'farm_harvester_slow_lookups_total',
            'farm_harvester_slow_plot_warnings_total',
            'farm_harvester_unparsed_lines_total',
            'farm_harvester_lookup_seconds_count',
            'harvesterlog_collector_success',
            'farm_harvester_last_challenge_timestamp_seconds',
            'farm_harvester_challenges_total',
            'farm_harvester_status',
          ].map((name) => [name, promValue(name)]),
        ),
      {
        farm_harvester_plots_eligible: 1,
        farm_harvester_proofs_found: 0,
        farm_harvester_plots: 88,
        farm_harvester_eligible_plots_total: 47,
        farm_harvester_proofs_total: 5,
        farm_harvester_v2_qualities_total: 2,
        farm_harvester_slow_lookups_total: 1,
        farm_harvester_slow_plot_warnings_total: 1,
        farm_harvester_unparsed_lines_total: 5,
        farm_harvester_lookup_seconds_count: 11,
        harvesterlog_collector_success: 1,
        farm_harvester_last_challenge_timestamp_seconds: new Date(2023, 8, 14, 18, 44, 21, 116).getTime() / 1000,
        farm_harvester_challenges_total: 11,
        farm_harvester_status: 1,
      },
    );
    assert.match(fs.readFileSync(promFile, 'utf8'), /^farm_harvester_lookup_seconds_bucket\{le="5"\} 10$/m);
    const lastSuccess = promValue('harvesterlog_collector_last_success_timestamp_seconds') ?? 0;
    assert.ok(
      lastSuccess >= followedFrom && lastSuccess <= Math.ceil(Date.now() / 1000),
      `last success ${lastSuccess}, log there from ${followedFrom}`,
    );

    const promtool = await which('promtool', { nothrow: true });
    if (!promtool)
      assert.fail('promtool is not installed: `apt-get install prometheus` (Debian) to check harvesterlog.prom');
    const check = await execa(promtool, ['check', 'metrics'], { input: fs.readFileSync(promFile), reject: false });
    assert.deepEqual(
      { exitCode: check.exitCode, stdout: check.stdout, stderr: check.stderr },
      { exitCode: 0, stdout: '', stderr: '' },
    );

    const isSkipped = (m: string) => m.startsWith('skipped a harvester line: ');
    const messages = await waitFor('the harvester-up line and 5 skipped lines in the log', () => {
      const all = logMessages(home, LOG_FILE);
      return all.includes(`harvester up: eligible lines arrive in ${chiaLog}`) && all.filter(isSkipped).length >= 5
        ? all
        : null;
    });
    assert.ok(messages.includes(`following ${chiaLog} from its start`), messages.join('\n'));
    const skipped = messages.filter(isSkipped);
    assert.equal(skipped.length, 5);
    assert.equal(
      skipped[0],
      'skipped a harvester line: eligible count "X" is not a number: ' +
        '2023-09-14T18:44:02.310 harvester chia.harvester.harvester: INFO     X plots were eligible for farming fXXXXXXXXX... Found 0 proofs. Time: 0.31020 s. Total X plots',
    );
    assert.equal(
      skipped[4],
      'skipped a harvester line: an eligible-plots line in no known format (further ones are only counted in farm_harvester_unparsed_lines_total): ' +
        '\ufffd\ufffd\ufffd plots were eligible for farming \ufffd(... Found 0 proofs. Time: 0.1 s. Total \ufffd plots',
    );
  });

  it('drops farm_harvester_status to 0 after harvester_threshold seconds of a silent log', async () => {
    home.set('harvester_threshold', 2);
    fs.mkdirSync(path.dirname(chiaLog), { recursive: true });
    fs.writeFileSync(chiaLog, eligibleLine(1, 0, '0.5'));
    start();
    await waitFor('harvesterlog to follow the log', () =>
      logMessages(home, LOG_FILE).some((m) => m.startsWith('following')),
    );
    // an existing line is old: it is not read (tail -n0); the first file may come a moment after the log line
    await waitForValue('farm_harvester_challenges_total', 0);
    fs.appendFileSync(chiaLog, eligibleLine(2, 0, '0.5'));
    await waitForValue('farm_harvester_status', 1);
    await waitForValue('farm_harvester_status', 0, 20_000);
    const statusLines = () => logMessages(home, LOG_FILE).filter((m) => m.startsWith('harvester '));
    await waitFor('the harvester down line in the log', () => statusLines().length >= 2);
    assert.deepEqual(statusLines(), [
      `harvester up: eligible lines arrive in ${chiaLog}`,
      `harvester down: no eligible line in ${chiaLog} for over 2 s`,
    ]);
    assert.equal(promValue('farm_harvester_challenges_total'), 1);
    assert.equal(promValue('harvesterlog_collector_success'), 1, 'a silent log is still a readable log');
  });

  it('counts every line of a million written at once, with bounded memory', async () => {
    fs.mkdirSync(path.dirname(chiaLog), { recursive: true });
    fs.writeFileSync(chiaLog, '');
    const child = start();
    await waitFor('harvesterlog to follow the log', () =>
      logMessages(home, LOG_FILE).some((m) => m.startsWith('following')),
    );
    const lines = 1_000_000;
    const perWrite = 50_000;
    let eligibleSum = 0;
    let proofSum = 0;
    let slow = 0;
    for (let first = 0; first < lines; first += perWrite) {
      let block = '';
      for (let i = first; i < first + perWrite; i++) {
        const eligible = i % 7;
        const proofs = i % 1000 === 0 ? 1 : 0;
        const seconds = i % 10_000 === 0 ? '6.01000' : '0.41234';
        eligibleSum += eligible;
        proofSum += proofs;
        if (seconds === '6.01000') slow++;
        block += eligibleLine(eligible, proofs, seconds, 2000);
        if (i % 100 === 0)
          block +=
            '2025-06-01T10:00:00.100 2.4.4 full_node chia.full_node.full_node: INFO     ⏲️  Finished signage point 7/64: CC: 1f RC: 2e\n';
      }
      fs.appendFileSync(chiaLog, block);
    }
    await waitForValue('farm_harvester_challenges_total', lines, 60_000);
    await waitForValue('farm_harvester_eligible_plots_total', eligibleSum);
    assert.equal(promValue('farm_harvester_proofs_total'), proofSum);
    assert.equal(promValue('farm_harvester_slow_lookups_total'), slow);
    assert.equal(promValue('farm_harvester_unparsed_lines_total'), 0);
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const peakKiB = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]);
    assert.ok(
      peakKiB < 250 * 1024,
      `peak RSS ${Math.round(peakKiB / 1024)} MiB while reading a ${Math.round(fs.statSync(chiaLog).size / 2 ** 20)} MiB burst`,
    );
  });

  it('reads across a rotation by rename and a truncation, each line once', async () => {
    fs.mkdirSync(path.dirname(chiaLog), { recursive: true });
    fs.writeFileSync(chiaLog, eligibleLine(9, 9, '0.1'));
    start();
    await waitFor('harvesterlog to follow the log', () =>
      logMessages(home, LOG_FILE).some((m) => m.startsWith('following')),
    );
    fs.appendFileSync(chiaLog, eligibleLine(1, 0, '0.1') + eligibleLine(1, 0, '0.1'));
    fs.renameSync(chiaLog, `${chiaLog}.1`);
    fs.appendFileSync(`${chiaLog}.1`, eligibleLine(1, 0, '0.1'));
    fs.writeFileSync(chiaLog, eligibleLine(10, 0, '0.1').repeat(4));
    await waitForValue('farm_harvester_challenges_total', 7);
    assert.equal(promValue('farm_harvester_eligible_plots_total'), 43);

    fs.truncateSync(chiaLog, 0);
    fs.appendFileSync(chiaLog, eligibleLine(100, 0, '0.1'));
    await waitForValue('farm_harvester_challenges_total', 8);
    assert.equal(promValue('farm_harvester_eligible_plots_total'), 143);
    const messages = await waitFor('the rotation and truncation lines in the log', () => {
      const all = logMessages(home, LOG_FILE);
      return all.some((m) => m.includes(': rotated or removed; ')) && all.some((m) => m.includes(': truncated to '))
        ? all
        : null;
    });
    assert.ok(
      messages.some((m) => m.startsWith(`${chiaLog}: rotated or removed; read the old file to its end (`)),
      messages.join('\n'),
    );
    assert.ok(
      messages.includes(
        `${chiaLog}: truncated to ${eligibleLine(100, 0, '0.1').length} bytes (was read to byte ${eligibleLine(10, 0, '0.1').length * 4}); reading from the start`,
      ),
      messages.join('\n'),
    );
  });

  it('on SIGTERM writes the file a last time with status and success 0, and exits 0', async () => {
    fs.mkdirSync(path.dirname(chiaLog), { recursive: true });
    fs.writeFileSync(chiaLog, '');
    const child = start();
    await waitFor('harvesterlog to follow the log', () =>
      logMessages(home, LOG_FILE).some((m) => m.startsWith('following')),
    );
    fs.appendFileSync(chiaLog, eligibleLine(3, 0, '0.2'));
    await waitForValue('farm_harvester_status', 1);
    child.kill('SIGTERM');
    const result = await child;
    assert.equal(result.exitCode, 0);
    assert.equal(promValue('farm_harvester_status'), 0);
    assert.equal(promValue('harvesterlog_collector_success'), 0);
    assert.ok(
      (promValue('harvesterlog_collector_last_success_timestamp_seconds') ?? 0) > 0,
      'the last good write keeps its time after the stop',
    );
    assert.equal(promValue('farm_harvester_challenges_total'), 1);
    assert.ok(logMessages(home, LOG_FILE).at(-1)?.startsWith('stop: wrote harvesterlog.prom a last time'));
  });

  it('logs an unwritable prom_dir once and writes the file once the value is fixed', async () => {
    fs.writeFileSync(path.join(home.root, 'not-a-dir'), '');
    home.set('prom_dir', path.join(home.root, 'not-a-dir', 'prom'));
    start();
    const problem = await waitFor('the write problem in the log', () =>
      logMessages(home, LOG_FILE).find((m) =>
        m.startsWith(`cannot write ${home.root}/not-a-dir/prom/harvesterlog.prom: `),
      ),
    );
    assert.equal(
      problem,
      `cannot write ${home.root}/not-a-dir/prom/harvesterlog.prom: prom_dir ${home.root}/not-a-dir/prom is not a directory ` +
        "(make it, or set config/prom_dir.goplot to node_exporter's --collector.textfile.directory); retrying every second",
    );
    home.set('prom_dir', path.dirname(promFile));
    await waitForValue('harvesterlog_collector_success', 0);
    // the file lands first; the child logs that writing works again only after it
    const messages = await waitFor('the "works again" line in the log', () => {
      const all = logMessages(home, LOG_FILE);
      return all.includes(`writing ${path.dirname(promFile)}/harvesterlog.prom works again`) ? all : null;
    });
    assert.equal(messages.filter((m) => m.startsWith('cannot write')).length, 1);
  });

  it('refuses a missing prom_dir as the collectors do: never creates it, writes once it exists', async () => {
    const promDir = path.join(home.root, 'typo-prom');
    home.set('prom_dir', promDir);
    start();
    await waitFor('the missing prom_dir in the log', () =>
      logMessages(home, LOG_FILE).some((m) =>
        m.startsWith(`cannot write ${promDir}/harvesterlog.prom: prom_dir ${promDir} is not a directory`),
      ),
    );
    assert.equal(fs.existsSync(promDir), false);
    fs.mkdirSync(promDir);
    await waitFor('harvesterlog.prom in the new prom_dir', () =>
      fs.existsSync(path.join(promDir, 'harvesterlog.prom')),
    );
    assert.match(
      fs.readFileSync(path.join(promDir, 'harvesterlog.prom'), 'utf8'),
      /^harvesterlog_collector_success 0$/m,
    ); // its chia_log does not exist
  });

  it('--help describes the script and its options', async () => {
    const result = await runScript(home, 'scripts/harvesterlog.js', ['--help']);
    assert.equal(result.exitCode, 0);
    assert.match(String(result.stdout), /follow chia's debug\.log and write harvesterlog\.prom for node_exporter/);
    assert.match(String(result.stdout), /--from-start/);
  });
});
