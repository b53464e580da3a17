import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { FAKE_BIN, isAlive, killTree, makeSimFarm, simPlotterPids } from '../helpers/sim-farm.js';
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
      if (argv.includes(home.home) && (!script || argv.some((arg) => path.basename(arg) === script)))
        pids.push(Number(entry));
    } catch {
      // gone while reading
    }
  }
  return pids;
}

/** `node scripts/start.js` for this home, in its own process group (as a terminal would run it). */
function startSuite(home: TempHome, env: Record<string, string> = {}) {
  const suite = spawn('node', [builtScript('scripts/start.js')], {
    env: { ...process.env, GOPLOT_HOME: home.home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  suites.push(suite);
  const output = { stdout: '', stderr: '' };
  suite.stdout!.on('data', (chunk) => (output.stdout += chunk));
  suite.stderr!.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => suite.once('exit', (code) => resolve(code)));
  return { suite, output, exited };
}

type SuiteRun = Pick<ReturnType<typeof startSuite>, 'suite' | 'exited'> & { output?: { stderr: string } };

/** SIGTERM to the suite's process group, as a terminal's kill sends it: the suite must exit 0. */
async function stopSuite(run: SuiteRun): Promise<void> {
  process.kill(-run.suite.pid!, 'SIGTERM');
  assert.equal(await run.exited, 0, run.output?.stderr);
}

/**
 * A sim farm of one disk that this file cleans up; by default its loop idles (on_toggle off) and
 * harvesterlog follows an empty debug.log, so a test sees only what it starts itself.
 */
function suiteHome({
  layout = { farm1: ['disk1'] },
  idle = true,
  debugLog = true,
}: { layout?: Record<string, string[]>; idle?: boolean; debugLog?: boolean } = {}): TempHome {
  const home = makeSimFarm(layout, ['1']);
  homes.push(home);
  if (idle) home.set('on_toggle', 'off');
  if (debugLog) {
    fs.writeFileSync(path.join(home.root, 'debug.log'), '');
    home.set('chia_log', path.join(home.root, 'debug.log'));
  }
  return home;
}

/** The parent pid from /proc/<pid>/stat (after the command name, which may hold spaces). */
function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** The pids whose parent is this process. */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((candidate) => parentOf(candidate) === pid);
}

/**
 * The script a Node child runs, or null for any other child. A child forked for a command
 * (the getfarm collector's chia) shows start.js's own command line until it execs: not counted.
 */
function nodeScriptOf(pid: number): string | null {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const script = path.basename(argv[1] ?? '');
    return path.basename(argv[0]!) === 'node' && script !== 'start.js' ? script : null;
  } catch {
    return null;
  }
}

/** Exactly one loop and one harvesterlog run for the home, both children of this suite. */
function runsOneEach(home: TempHome, suitePid: number): boolean {
  const loops = scriptPids(home, 'goplot.js');
  const harvesterlogs = scriptPids(home, 'harvesterlog.js');
  return (
    loops.length === 1 &&
    harvesterlogs.length === 1 &&
    parentOf(loops[0]!) === suitePid &&
    parentOf(harvesterlogs[0]!) === suitePid
  );
}

function lineCount(file: string): number {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

describe('npm start (scripts/start.js)', () => {
  it(
    'runs the loop and harvesterlog, runs diskhand and the collectors, restarts a crashed child, and stops on SIGTERM',
    { timeout: 60_000 },
    async () => {
      const home = suiteHome();
      home.set('collector_schedule', '*/2 * * * * *');
      const suite = spawn('node', [builtScript('scripts/start.js')], {
        env: { ...process.env, GOPLOT_HOME: home.home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      suites.push(suite);
      let stdout = '';
      suite.stdout!.on('data', (chunk) => (stdout += chunk));
      const exited = new Promise<number | null>((resolve) => suite.once('exit', (code) => resolve(code)));

      await waitFor(
        'the loop and harvesterlog',
        () => scriptPids(home, 'goplot.js').length === 1 && scriptPids(home, 'harvesterlog.js').length === 1,
      );
      await waitFor(
        'diskhand and the collectors',
        () =>
          fs.existsSync(path.join(home.disksDir, 'farm1', 'disk1.goplot')) &&
          fs.existsSync(path.join(home.root, 'prom', 'goplot.prom')),
      );
      const onToggleOff =
        /^on_toggle is "off": nothing will plot until you run `npx goplot start` \(or echo run > .*on_toggle\.goplot\)$/m;
      await waitFor('the on_toggle line on stdout', () => onToggleOff.test(stdout));
      assert.match(stdout, /^goplot-ts running for home .*; Ctrl-C stops it, plots keep running$/m);
      await waitFor('the idle loop says why', () =>
        logMessages(home).some((line) => line.startsWith('not started: on_toggle is "off"')),
      );

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
    },
  );

  it(
    "stops on Ctrl-C to its process group without calling the children's exits crashes or restarting them",
    { timeout: 60_000 },
    async () => {
      const home = suiteHome();
      const { suite, exited } = startSuite(home);
      await waitFor(
        'the loop and harvesterlog',
        () => scriptPids(home, 'goplot.js').length === 1 && scriptPids(home, 'harvesterlog.js').length === 1,
      );
      await waitFor('the loop to settle', () =>
        logMessages(home).some((line) => line.startsWith('not started: on_toggle is "off"')),
      );
      process.kill(-suite.pid!, 'SIGINT');
      assert.equal(await exited, 0);
      const startLog = logMessages(home, 'start.log');
      assert.deepEqual(
        startLog.filter((line) => / exited \(|restarting/.test(line)),
        [],
        startLog.join('\n'),
      );
      assert.equal(startLog.filter((line) => / started \(pid \d+\)$/.test(line)).length, 2, 'nothing was restarted');
      assert.equal(startLog.at(-1), 'suite stopped; running plots keep running');
      assert.deepEqual(scriptPids(home, 'goplot.js').concat(scriptPids(home, 'harvesterlog.js')), []);
    },
  );

  it(
    'follows a schedule change without a restart, refuses a schedule node-cron cannot run, and says a failing collector once',
    { timeout: 60_000 },
    async () => {
      const home = suiteHome({ debugLog: false });
      home.set('diskhand_schedule', '99 * * * *');
      home.set('collector_schedule', '0 0 1 1 *');
      home.set('chia_bin', path.join(FAKE_BIN, 'chia'));
      const calls = path.join(home.root, 'chia-calls');
      const run = startSuite(home, { FAKE_CHIA_MODE: 'fail', FAKE_CHIA_CALLS: calls });
      await waitFor('the first collector run', () => lineCount(calls) >= 2);
      const said = (pattern: RegExp) => logMessages(home, 'start.log').filter((line) => pattern.test(line));
      await waitFor('the suite started line', () => said(/^suite started: /).length > 0);
      assert.deepEqual(said(/diskhand_schedule/), [
        `${home.configDir}/diskhand_schedule.goplot: invalid value "99 * * * *" (expected a cron schedule of five or six fields, such as */5 * * * *; "99" is not a valid minute); using * * * * * (the default)`,
      ]);
      assert.ok(
        said(/^suite started: /)[0]?.includes(
          'diskhand at "* * * * *", collectors (goplot_collector, getharvester_collector, getfarm_collector) at "0 0 1 1 *"',
        ),
        logMessages(home, 'start.log').join('\n'),
      );

      home.set('collector_schedule', '*/1 * * * * *');
      await waitFor('the change to be logged', () => said(/^collector_schedule changed/).length === 1);
      assert.deepEqual(said(/^collector_schedule changed/), [
        'collector_schedule changed from "0 0 1 1 *" to "*/1 * * * * *": the collectors now run at "*/1 * * * * *"',
      ]);
      await waitFor('three more collector runs at the new schedule', () => lineCount(calls) >= 8, 20_000);
      // the suite says a collector's failure after the run ends, and the collector logs its own problem: wait for both
      await waitFor(
        'the failing collector said in start.log and collectors.log',
        () =>
          said(/^the getfarm collector failed: /).length > 0 &&
          logMessages(home, 'collectors.log').some((line) => line.includes('printed nothing and exited with code 1')),
      );
      assert.equal(
        said(/^the getfarm collector failed: /).length,
        1,
        'a failing collector is said once, not every run',
      );
      assert.match(
        said(/^the getfarm collector failed: /)[0]!,
        /^the getfarm collector failed: .*; kept the last good values .*\(said once until it works again\)$/,
      );
      assert.equal(
        logMessages(home, 'collectors.log').filter((line) => line.includes('printed nothing and exited with code 1'))
          .length,
        1,
      );

      const working = path.join(home.root, 'chia-that-works');
      fs.writeFileSync(
        working,
        `#!/bin/sh\nexec env -u FAKE_CHIA_MODE FAKE_CHIA_SHOW_S=${path.join(FAKE_BIN, '..', 'fixtures', 'chia-cli', 'show-s_2x_syncing.txt')} ` +
          `FAKE_CHIA_FARM_SUMMARY=${path.join(FAKE_BIN, '..', 'fixtures', 'chia-cli', 'farm-summary_2x_farmer-down.txt')} ${path.join(FAKE_BIN, 'chia')} "$@"\n`,
        { mode: 0o755 },
      );
      home.set('chia_bin', working);
      await waitFor('the recovery', () => said(/^the getfarm collector works again$/).length === 1, 20_000);

      await stopSuite(run);
    },
  );

  it(
    'runs diskhand and the collectors inside its own process: its only children are the loop and harvesterlog',
    { timeout: 60_000 },
    async () => {
      const home = suiteHome();
      home.set('diskhand_schedule', '*/1 * * * * *');
      home.set('collector_schedule', '*/1 * * * * *');
      home.set('chia_bin', path.join(FAKE_BIN, 'chia'));
      const { suite, exited } = startSuite(home);
      await waitFor('the loop and harvesterlog', () => runsOneEach(home, suite.pid!));
      const expected = [
        `goplot.js ${scriptPids(home, 'goplot.js')[0]}`,
        `harvesterlog.js ${scriptPids(home, 'harvesterlog.js')[0]}`,
      ];
      const promFile = path.join(home.root, 'prom', 'goplot.prom');
      const writes = new Set<number>();
      const seen = new Set<string>();
      await waitFor(
        'three rewrites of goplot.prom',
        () => {
          for (const child of childrenOf(suite.pid!)) {
            const script = nodeScriptOf(child);
            if (script) seen.add(`${script} ${child}`);
          }
          if (fs.existsSync(promFile)) writes.add(fs.statSync(promFile).mtimeMs);
          return writes.size >= 3;
        },
        30_000,
        20,
      );
      assert.deepEqual([...seen].sort(), expected);
      assert.ok(fs.existsSync(path.join(home.disksDir, 'farm1', 'disk1.goplot')), 'diskhand ran');
      // every run that logs reuses its file's descriptor: runs every minute for months must not leak them
      const logFds = fs
        .readdirSync(`/proc/${suite.pid}/fd`)
        .map((fd) => {
          try {
            return fs.readlinkSync(`/proc/${suite.pid}/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((target) => target.startsWith(home.logsDir));
      assert.ok(logFds.includes(path.join(home.logsDir, 'collectors.log')), logFds.join('\n'));
      assert.deepEqual(logFds, [...new Set(logFds)], 'one descriptor per log file');
      await stopSuite({ suite, exited });
    },
  );

  it(
    'keeps an archiver alive beside the loop once archive_staging names a farm to empty, and none while it is empty',
    { timeout: 60_000 },
    async () => {
      const home = suiteHome({ layout: { farm1: ['disk1'], ssd: ['s1'] }, debugLog: false });
      home.set('archive_staging', 'ssd');
      const { suite, exited } = startSuite(home);
      await waitFor('the loop, harvesterlog and the archiver', () => {
        const scripts = childrenOf(suite.pid!).map(nodeScriptOf).filter(Boolean).sort();
        return JSON.stringify(scripts) === JSON.stringify(['archiver.js', 'goplot.js', 'harvesterlog.js'])
          ? scripts
          : null;
      });
      const startLog = await waitFor(
        'the suite started line',
        () => logMessages(home, 'start.log').find((line) => line.startsWith('suite started: ')) ?? null,
      );
      assert.match(startLog, /^suite started: scripts\/goplot\.js, scripts\/harvesterlog\.js, scripts\/archiver\.js; /);
      await stopSuite({ suite, exited });

      home.set('archive_staging', '');
      const second = startSuite(home);
      await waitFor('the loop and harvesterlog of the second suite', () => runsOneEach(home, second.suite.pid!));
      assert.deepEqual(childrenOf(second.suite.pid!).map(nodeScriptOf).filter(Boolean).sort(), [
        'goplot.js',
        'harvesterlog.js',
      ]);
      await stopSuite(second);
    },
  );

  it(
    'after a kill -9 of the suite, its loop and harvesterlog stop by themselves (plots run on) and a new suite runs exactly one of each',
    { timeout: 90_000 },
    async () => {
      const home = suiteHome({ idle: false });
      home.set('max_plots', 1);
      const first = startSuite(home, { SIMPLOTTER_SECONDS: '120' });
      await waitFor("the first suite's loop and harvesterlog", () => runsOneEach(home, first.suite.pid!));
      const [plotter] = await waitFor(
        'the plot',
        () => (simPlotterPids(home).length === 1 ? simPlotterPids(home) : null),
        30_000,
      );
      const [oldLoop] = scriptPids(home, 'goplot.js');
      const [oldHarvesterlog] = scriptPids(home, 'harvesterlog.js');
      process.kill(first.suite.pid!, 'SIGKILL');
      await first.exited;

      await waitFor(
        'the orphaned loop and harvesterlog to stop by themselves',
        () => !isAlive(oldLoop!) && !isAlive(oldHarvesterlog!),
      );
      const gone = `the suite that started this loop (pid ${first.suite.pid}) is gone: stopping, so that a new start can take over`;
      assert.ok(logMessages(home).includes(gone), logMessages(home).join('\n'));
      assert.ok(logMessages(home, 'harvesterlog.log').includes(gone.replace('this loop', 'this harvesterlog')));
      assert.equal(isAlive(plotter!), true, 'the plot runs on');

      const second = startSuite(home, { SIMPLOTTER_SECONDS: '120' });
      await waitFor("exactly one loop and one harvesterlog, the new suite's", () =>
        runsOneEach(home, second.suite.pid!),
      );
      await waitFor('the new loop to count the running plot', () =>
        logMessages(home).includes('not started: 1/1 plots running (max_plots)'),
      );
      assert.equal(
        logMessages(home).filter((line) => line.startsWith('starting a plot: ')).length,
        1,
        'no second plot',
      );
      await stopSuite(second);
    },
  );

  it(
    'waits while a loop started by hand holds the home, keeps checking, and starts its own once that loop is gone',
    { timeout: 60_000 },
    async () => {
      const home = suiteHome();
      const byHand = spawn('node', [builtScript('scripts/goplot.js'), '--home', home.home], { stdio: 'ignore' });
      const byHandExited = new Promise((resolve) => byHand.once('exit', resolve));
      await waitFor('the loop started by hand', () =>
        logMessages(home).some((line) => line.startsWith('loop started for home ')),
      );
      const { suite, exited } = startSuite(home);
      const waits = `goplot waits: another goplot (pid ${byHand.pid}) runs for this home (${path.join(home.logsDir, 'goplot.pid')}); ours starts when it stops`;
      await waitFor('the suite to say it waits', () => logMessages(home, 'start.log').includes(waits));
      await waitFor("the suite's harvesterlog", () => scriptPids(home, 'harvesterlog.js').length === 1);
      assert.deepEqual(scriptPids(home, 'goplot.js'), [byHand.pid]);

      byHand.kill('SIGKILL');
      await byHandExited;
      await waitFor("exactly one loop and one harvesterlog, the suite's", () => runsOneEach(home, suite.pid!));
      const startLog = logMessages(home, 'start.log');
      assert.equal(startLog.filter((line) => line === waits).length, 1, 'the wait is said once');
      assert.ok(
        startLog.includes(`goplot: the other goplot (pid ${byHand.pid}) is gone; starting ours`),
        startLog.join('\n'),
      );
      await stopSuite({ suite, exited });
    },
  );

  it(
    'a second suite for a home waits, says so once, and takes the home over when the first is gone',
    { timeout: 60_000 },
    async () => {
      const home = suiteHome();
      const first = startSuite(home);
      await waitFor("the first suite's loop and harvesterlog", () => runsOneEach(home, first.suite.pid!));
      const second = startSuite(home);
      const waits = `another suite (pid ${first.suite.pid}) runs for this home: this one waits and takes over when it stops (to stop it: kill ${first.suite.pid})`;
      await waitFor('the second suite to say it waits', () => second.output.stdout.includes(waits));
      assert.deepEqual(childrenOf(second.suite.pid!), [], 'the waiting suite runs nothing');
      assert.ok(runsOneEach(home, first.suite.pid!));

      process.kill(first.suite.pid!, 'SIGKILL');
      await first.exited;
      await waitFor("exactly one loop and one harvesterlog, the second suite's", () =>
        runsOneEach(home, second.suite.pid!),
      );
      const startLog = logMessages(home, 'start.log');
      assert.equal(startLog.filter((line) => line === waits).length, 1, 'said once');
      assert.ok(
        startLog.includes(`the other suite (pid ${first.suite.pid}) is gone: this one takes the home over`),
        startLog.join('\n'),
      );
      await stopSuite(second);
    },
  );

  it(
    'after a kill -9 of npm start, the suite it ran stops by itself with its loop and harvesterlog, and a new start runs exactly one of each',
    { timeout: 90_000 },
    async () => {
      const home = suiteHome();
      const npm = spawn('npm', ['start', '--silent'], {
        cwd: PACKAGE_ROOT,
        env: { ...process.env, GOPLOT_HOME: home.home },
        stdio: 'ignore',
        detached: true,
      });
      suites.push(npm);
      const suitePid = await waitFor(
        'the suite npm started',
        () => {
          const pid = Number(
            fs.existsSync(path.join(home.logsDir, 'start.pid'))
              ? fs.readFileSync(path.join(home.logsDir, 'start.pid'), 'utf8')
              : NaN,
          );
          return Number.isInteger(pid) && runsOneEach(home, pid) ? pid : null;
        },
        30_000,
      );
      const parts = [suitePid, ...scriptPids(home, 'goplot.js'), ...scriptPids(home, 'harvesterlog.js')];
      process.kill(npm.pid!, 'SIGKILL');
      await waitFor('the suite, its loop and its harvesterlog to stop by themselves', () =>
        parts.every((pid) => !isAlive(pid)),
      );
      assert.ok(
        logMessages(home, 'start.log').includes(
          `npm (pid ${npm.pid}), which ran this suite, is gone: stopping, so that a new start can take over`,
        ),
      );

      const next = startSuite(home);
      await waitFor("exactly one loop and one harvesterlog, the new suite's", () => runsOneEach(home, next.suite.pid!));
      await stopSuite(next);
    },
  );

  it(
    'runs only the parts config/role.goplot needs: a harvester host runs harvesterlog and getharvester, no loop, diskhand, goplot or getfarm',
    { timeout: 60_000 },
    async () => {
      const home = suiteHome({ idle: false });
      home.set('role', 'harvester');
      home.set('diskhand_schedule', '*/1 * * * * *');
      home.set('collector_schedule', '*/1 * * * * *');
      home.set('chia_bin', path.join(FAKE_BIN, 'chia'));
      const { suite, exited, output } = startSuite(home);
      const prom = (name: string) => path.join(home.root, 'prom', `${name}.prom`);
      const writes = new Set<number>();
      await waitFor(
        'three runs of the getharvester collector',
        () => {
          if (fs.existsSync(prom('getharvester'))) writes.add(fs.statSync(prom('getharvester')).mtimeMs);
          return writes.size >= 3;
        },
        30_000,
        20,
      );
      await waitFor('harvesterlog.prom', () => fs.existsSync(prom('harvesterlog')));
      assert.deepEqual(
        ['goplot', 'getfarm'].filter((name) => fs.existsSync(prom(name))),
        [],
        'no goplot or getfarm collector ran',
      );
      assert.deepEqual(fs.readdirSync(home.disksDir), [], 'diskhand did not run');
      assert.deepEqual(childrenOf(suite.pid!).map(nodeScriptOf).filter(Boolean), ['harvesterlog.js']);
      const startLog = logMessages(home, 'start.log');
      assert.ok(
        startLog.includes(
          'role harvester: left out: scripts/goplot.js, scripts/archiver.js, scripts/diskhand.js, collectors/goplot_collector.js, collectors/getfarm_collector.js (config/role.goplot, read at start)',
        ),
        startLog.join('\n'),
      );
      assert.ok(
        startLog.includes(
          'suite started: scripts/harvesterlog.js; collectors (getharvester_collector) at "*/1 * * * * *", in this process (a change to a schedule takes effect without a restart)',
        ),
        startLog.join('\n'),
      );
      assert.doesNotMatch(output.stdout, /on_toggle/, 'no plotting hint on a host that does not plot');
      await stopSuite({ suite, exited });
    },
  );

  it(
    'refuses a home that does not exist (a typo in --home or GOPLOT_HOME) and creates nothing',
    { timeout: 30_000 },
    async () => {
      const home = makeTempHome('goplot-start-');
      homes.push(home);
      const missing = path.join(home.root, 'no-such-home');
      const suite = spawn('node', [builtScript('scripts/start.js'), '--home', missing], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      suite.stderr!.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise((resolve) => suite.once('exit', resolve));
      assert.equal(code, 1);
      assert.equal(
        stderr.trim(),
        `start: the home ${missing} (--home) does not exist; check the path, or make it with: goplot init --home ${missing}`,
      );
      assert.equal(fs.existsSync(missing), false);
    },
  );

  it('says why it cannot start in start.log and exits 1, leaving nothing running', { timeout: 30_000 }, async () => {
    const home = makeTempHome('goplot-start-');
    homes.push(home);
    fs.rmSync(home.configDir, { recursive: true });
    fs.writeFileSync(home.configDir, 'not a dir\n');
    const { exited, output } = startSuite(home);
    assert.equal(await exited, 1);
    const [cannot] = logMessages(home, 'start.log').filter((line) => line.startsWith('cannot start: '));
    assert.match(
      cannot ?? '',
      /^cannot start: .*config.*; stopping what had started$/,
      logMessages(home, 'start.log').join('\n'),
    );
    assert.match(output.stderr, /^start: /);
    assert.deepEqual(scriptPids(home), []);
  });
});
