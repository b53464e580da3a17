import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { killTree, makeSimFarm } from './helpers/sim-farm.js';
import { builtScript, logMessages, waitFor, type TempHome } from './helpers/temp-home.js';

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
    assert.match(stdout, /^goplot-ts running for home .*; Ctrl-C stops it, plots keep running$/m);
    assert.match(stdout, /^on_toggle is "off": nothing will plot until you run `npx goplot start` \(or echo run > .*on_toggle\.goplot\)$/m);
    await waitFor('the idle loop says why', () => logMessages(home).some((line) => line.startsWith('not started: on_toggle is "off"')));

    const [harvesterlog] = scriptPids(home, 'harvesterlog.js');
    process.kill(harvesterlog!, 'SIGKILL');
    await waitFor('the restart', () => {
      const pids = scriptPids(home, 'harvesterlog.js');
      return pids.length === 1 && pids[0] !== harvesterlog;
    });
    const startLog = logMessages(home, 'start.log');
    assert.ok(startLog.includes('harvesterlog exited (SIGKILL); restarting in 1 s'), startLog.join('\n'));
    assert.equal(startLog.filter((line) => /^harvesterlog started \(pid \d+\)$/.test(line)).length, 2);

    suite.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(scriptPids(home, 'goplot.js').concat(scriptPids(home, 'harvesterlog.js')), []);
    assert.ok(logMessages(home, 'start.log').includes('suite stopped; running plots keep running'));
  });
});
