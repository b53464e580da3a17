import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { FAKE_BIN, killTree, makeSimFarm } from '../helpers/sim-farm.js';
import { builtScript, logMessages, makeTempHome, waitFor, type TempHome } from '../helpers/temp-home.js';

const homes: TempHome[] = [];
const suites: ChildProcess[] = [];
after(() => {
  for (const home of homes) killTree(scriptPids(home));
  killTree(suites.map((suite) => suite.pid!).filter(Boolean));
  for (const home of homes) home.cleanup();
});

/** Pids of this home's scripts, by the `--home` the suite gives each child. */
function scriptPids(home: TempHome, script?: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes(home.home) && (!script || argv.some((arg) => path.basename(arg) === script))) pids.push(Number(entry));
    } catch {
      // gone while reading
    }
  }
  return pids;
}

/** `node scripts/start.js` for this home, in its own process group (as a terminal would run it). */
function startSuite(home: TempHome, env: Record<string, string> = {}) {
  const suite = spawn('node', [builtScript('scripts/start.js')], {
    env: { ...process.env, GOPLOT_HOME: home.home, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  suites.push(suite);
  const output = { stdout: '', stderr: '' };
  suite.stdout!.on('data', (chunk) => (output.stdout += chunk));
  suite.stderr!.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => suite.once('exit', (code) => resolve(code)));
  return { suite, output, exited };
}

function lineCount(file: string): number {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

describe('npm start (scripts/start.js)', () => {
  it('runs the loop and harvesterlog, runs diskhand and the collectors, restarts a crashed child, and stops on SIGTERM', { timeout: 60_000 }, async () => {
    const home = makeSimFarm({ farm1: ['disk1'] }, ['1']);
    homes.push(home);
    home.set('on_toggle', 'off');
    home.set('collector_schedule', '*/2 * * * * *');
    fs.writeFileSync(path.join(home.root, 'debug.log'), '');
    home.set('chia_log', path.join(home.root, 'debug.log'));
    const suite = spawn('node', [builtScript('scripts/start.js')], { env: { ...process.env, GOPLOT_HOME: home.home }, stdio: ['ignore', 'pipe', 'pipe'] });
    suites.push(suite);
    let stdout = '';
    suite.stdout!.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => suite.once('exit', (code) => resolve(code)));

    await waitFor('the loop and harvesterlog', () => scriptPids(home, 'goplot.js').length === 1 && scriptPids(home, 'harvesterlog.js').length === 1);
    await waitFor('diskhand and the collectors', () => fs.existsSync(path.join(home.disksDir, 'farm1', 'disk1.goplot')) && fs.existsSync(path.join(home.root, 'prom', 'goplot.prom')));
    const onToggleOff = /^on_toggle is "off": nothing will plot until you run `npx goplot start` \(or echo run > .*on_toggle\.goplot\)$/m;
    await waitFor('the on_toggle line on stdout', () => onToggleOff.test(stdout));
    assert.match(stdout, /^goplot-ts running for home .*; Ctrl-C stops it, plots keep running$/m);
    await waitFor('the idle loop says why', () => logMessages(home).some((line) => line.startsWith('not started: on_toggle is "off"')));

    const [harvesterlog] = scriptPids(home, 'harvesterlog.js');
    process.kill(harvesterlog!, 'SIGKILL');
    await waitFor('the restart', () => {
      const pids = scriptPids(home, 'harvesterlog.js');
      return pids.length === 1 && pids[0] !== harvesterlog;
    });
    // the new child can be in /proc a moment before the suite logs that it started it
    const startLog = await waitFor('the second "harvesterlog started" line', () => {
      const lines = logMessages(home, 'start.log');
      return lines.filter((line) => /^harvesterlog started \(pid \d+\)$/.test(line)).length >= 2 ? lines : null;
    });
    assert.ok(startLog.includes('harvesterlog exited (SIGKILL); restarting in 1 s'), startLog.join('\n'));
    assert.equal(startLog.filter((line) => /^harvesterlog started \(pid \d+\)$/.test(line)).length, 2);

    suite.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(scriptPids(home, 'goplot.js').concat(scriptPids(home, 'harvesterlog.js')), []);
    assert.ok(logMessages(home, 'start.log').includes('suite stopped; running plots keep running'));
  });

  it('stops on Ctrl-C to its process group without calling the children\'s exits crashes or restarting them', { timeout: 60_000 }, async () => {
    const home = makeSimFarm({ farm1: ['disk1'] }, ['1']);
    homes.push(home);
    home.set('on_toggle', 'off');
    fs.writeFileSync(path.join(home.root, 'debug.log'), '');
    home.set('chia_log', path.join(home.root, 'debug.log'));
    const { suite, exited } = startSuite(home);
    await waitFor('the loop and harvesterlog', () => scriptPids(home, 'goplot.js').length === 1 && scriptPids(home, 'harvesterlog.js').length === 1);
    await waitFor('the loop to settle', () => logMessages(home).some((line) => line.startsWith('not started: on_toggle is "off"')));
    process.kill(-suite.pid!, 'SIGINT');
    assert.equal(await exited, 0);
    const startLog = logMessages(home, 'start.log');
    assert.deepEqual(startLog.filter((line) => / exited \(|restarting/.test(line)), [], startLog.join('\n'));
    assert.equal(startLog.filter((line) => / started \(pid \d+\)$/.test(line)).length, 2, 'nothing was restarted');
    assert.equal(startLog.at(-1), 'suite stopped; running plots keep running');
    assert.deepEqual(scriptPids(home, 'goplot.js').concat(scriptPids(home, 'harvesterlog.js')), []);
  });

  it('follows a schedule change without a restart, refuses a schedule node-cron cannot run, and says a failing collector once', { timeout: 60_000 }, async () => {
    const home = makeSimFarm({ farm1: ['disk1'] }, ['1']);
    homes.push(home);
    home.set('on_toggle', 'off');
    home.set('diskhand_schedule', '99 * * * *');
    home.set('collector_schedule', '0 0 1 1 *');
    home.set('chia_bin', path.join(FAKE_BIN, 'chia'));
    const calls = path.join(home.root, 'chia-calls');
    const { exited, output } = startSuite(home, { FAKE_CHIA_MODE: 'fail', FAKE_CHIA_CALLS: calls });
    await waitFor('the first collector run', () => lineCount(calls) >= 2);
    const said = (pattern: RegExp) => logMessages(home, 'start.log').filter((line) => pattern.test(line));
    await waitFor('the suite started line', () => said(/^suite started: /).length > 0);
    assert.deepEqual(said(/diskhand_schedule/), [
      `${home.configDir}/diskhand_schedule.goplot: invalid value "99 * * * *" (expected a cron schedule of five or six fields, such as */5 * * * *; "99" is not a valid minute); using * * * * * (the default)`,
    ]);
    assert.ok(said(/^suite started: /)[0]?.includes('diskhand at "* * * * *", collectors at "0 0 1 1 *"'), logMessages(home, 'start.log').join('\n'));

    home.set('collector_schedule', '*/1 * * * * *');
    await waitFor('the change to be logged', () => said(/^collector_schedule changed/).length === 1);
    assert.deepEqual(said(/^collector_schedule changed/), ['collector_schedule changed from "0 0 1 1 *" to "*/1 * * * * *": the collectors now run at "*/1 * * * * *"']);
    await waitFor('three more collector runs at the new schedule', () => lineCount(calls) >= 8, 20_000);
    // the suite says a collector's exit after the run ends, and the collector logs its own problem: wait for both
    await waitFor('the failing collector said in start.log and collectors.log', () => said(/getfarm_collector\.js exited/).length > 0 &&
      logMessages(home, 'collectors.log').some((line) => line.includes('printed nothing and exited with code 1')));
    assert.equal(said(/getfarm_collector\.js exited/).length, 1, 'a failing collector is said once, not every run');
    assert.match(said(/getfarm_collector\.js exited/)[0]!, /^collectors\/getfarm_collector\.js exited with code 1: getfarm_collector: .*\(said once until it works again\)$/);
    assert.equal(logMessages(home, 'collectors.log').filter((line) => line.includes('printed nothing and exited with code 1')).length, 1);

    const working = path.join(home.root, 'chia-that-works');
    fs.writeFileSync(working, `#!/bin/sh\nexec env -u FAKE_CHIA_MODE FAKE_CHIA_SHOW_S=${path.join(FAKE_BIN, '..', 'fixtures', 'chia-cli', 'show-s_2x_syncing.txt')} ` +
      `FAKE_CHIA_FARM_SUMMARY=${path.join(FAKE_BIN, '..', 'fixtures', 'chia-cli', 'farm-summary_2x_farmer-down.txt')} ${path.join(FAKE_BIN, 'chia')} "$@"\n`, { mode: 0o755 });
    home.set('chia_bin', working);
    await waitFor('the recovery', () => said(/getfarm_collector\.js works again/).length === 1, 20_000);

    process.kill(-suites.at(-1)!.pid!, 'SIGTERM');
    assert.equal(await exited, 0, output.stderr);
  });

  it('says why it cannot start in start.log and exits 1, leaving nothing running', { timeout: 30_000 }, async () => {
    const home = makeTempHome('goplot-start-');
    homes.push(home);
    fs.rmSync(home.configDir, { recursive: true });
    fs.writeFileSync(home.configDir, 'not a dir\n');
    const { exited, output } = startSuite(home);
    assert.equal(await exited, 1);
    const [cannot] = logMessages(home, 'start.log').filter((line) => line.startsWith('cannot start: '));
    assert.match(cannot ?? '', /^cannot start: .*config.*; stopping what had started$/, logMessages(home, 'start.log').join('\n'));
    assert.match(output.stderr, /^start: /);
    assert.deepEqual(scriptPids(home), []);
  });
});
