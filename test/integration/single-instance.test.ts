import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { killTree, makeSimFarm } from '../helpers/sim-farm.js';
import { builtScript, logMessages, makeTempHome, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

const homes: TempHome[] = [];
const children: ChildProcess[] = [];
after(() => {
  killTree(children.map((child) => child.pid!).filter(Boolean));
  for (const home of homes) home.cleanup();
});

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(home: TempHome, script: string, args: string[] = []): Running {
  const child = spawn('node', [builtScript(script), '--home', home.home, ...args], {
    env: { ...process.env, GOPLOT_HOME: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** Log lines of one process, without their `[time] LEVEL: name[pid] ` prefix. */
function linesOf(home: TempHome, file: string, pid: number): string[] {
  const full = path.join(home.logsDir, file);
  if (!fs.existsSync(full)) return [];
  const marker = `[${pid}] `;
  return fs
    .readFileSync(full, 'utf8')
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => line.slice(line.indexOf(marker) + marker.length));
}

function harvesterHome(): { home: TempHome; chiaLog: string; promFile: string } {
  const home = makeTempHome('goplot-single-');
  homes.push(home);
  const chiaLog = path.join(home.root, 'debug.log');
  fs.writeFileSync(chiaLog, '');
  fs.mkdirSync(path.join(home.root, 'prom'));
  home.set('chia_log', chiaLog);
  home.set('prom_dir', path.join(home.root, 'prom'));
  return { home, chiaLog, promFile: path.join(home.root, 'prom', 'harvesterlog.prom') };
}

const eligibleLine = (total: number) =>
  `2025-06-01T10:00:00.000 2.4.4 harvester chia.harvester.harvester: INFO     3 plots were eligible for farming 6c1d0e9a2b... Found 0 proofs. Time: 0.2 s. Total ${total} plots\n`;

/** A harvesterlog for this home, once it says it follows chia's log (`which` names it in a time-out). */
async function followingHarvesterlog(home: TempHome, which: string): Promise<Running> {
  const running = run(home, 'scripts/harvesterlog.js');
  await waitFor(`the ${which} harvesterlog to follow the log`, () =>
    linesOf(home, 'harvesterlog.log', running.child.pid!).some((line) => line.startsWith('following')),
  );
  return running;
}

function promValue(file: string, name: string): number | undefined {
  if (!fs.existsSync(file)) return undefined;
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(fs.readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

describe('one instance per home', () => {
  it(
    "refuses a second harvesterlog on a home with a clear message and exit code 3, and leaves the first one's file alone",
    { timeout: 60_000 },
    async () => {
      const { home, chiaLog, promFile } = harvesterHome();
      const first = await followingHarvesterlog(home, 'first');
      fs.appendFileSync(chiaLog, eligibleLine(100));
      await waitFor('status 1', () => promValue(promFile, 'farm_harvester_status') === 1);

      const second = run(home, 'scripts/harvesterlog.js');
      assert.equal(await second.exited, 3);
      const refusal = `another harvesterlog is running for this home (pid ${first.child.pid}); stop it first with: kill ${first.child.pid}`;
      assert.equal(second.stderr().trim(), `harvesterlog: ${refusal}`);
      assert.deepEqual(linesOf(home, 'harvesterlog.log', second.child.pid!), [refusal]);
      assert.equal(promValue(promFile, 'farm_harvester_status'), 1, 'the refused one wrote no status 0');
      assert.equal(first.child.exitCode, null, 'the first one runs on');

      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0);
      assert.equal(fs.existsSync(path.join(home.logsDir, 'harvesterlog.pid')), false, 'released on stop');
    },
  );

  it(
    'a harvesterlog that no longer owns the home leaves harvesterlog.prom to the owner when it stops, instead of writing status 0',
    { timeout: 60_000 },
    async () => {
      const { home, chiaLog, promFile } = harvesterHome();
      const first = await followingHarvesterlog(home, 'first');
      // the pid file lost (deleted by hand): a second one takes the home
      fs.rmSync(path.join(home.logsDir, 'harvesterlog.pid'));
      const second = await followingHarvesterlog(home, 'second');
      fs.appendFileSync(chiaLog, eligibleLine(100));
      await waitFor('status 1', () => promValue(promFile, 'farm_harvester_status') === 1);

      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0);
      assert.equal(
        linesOf(home, 'harvesterlog.log', first.child.pid!).at(-1),
        'stop: another harvesterlog owns this home now; left harvesterlog.prom to it',
      );
      assert.equal(promValue(promFile, 'farm_harvester_status'), 1);
      assert.equal(
        fs.readFileSync(path.join(home.logsDir, 'harvesterlog.pid'), 'utf8').trim(),
        String(second.child.pid),
        'the owner keeps its pid file',
      );
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
      assert.equal(promValue(promFile, 'farm_harvester_status'), 0, 'the owner writes status 0 when it stops');
    },
  );

  it(
    'a FIFO at logs/goplot.pid does not hang the loop: it is replaced, said, and the loop stops on SIGTERM',
    { timeout: 60_000 },
    async () => {
      const home = makeSimFarm({ farm1: ['disk1'] }, ['1']);
      homes.push(home);
      home.set('on_toggle', 'off');
      const pidFile = path.join(home.logsDir, 'goplot.pid');
      execFileSync('mkfifo', [pidFile]);
      const loop = run(home, 'scripts/goplot.js');
      await waitFor('the loop to start', () =>
        logMessages(home).some((line) => line.startsWith('loop started for home ')),
      );
      assert.ok(
        logMessages(home).includes(`${pidFile} was a FIFO, not a pid file: replaced it`),
        logMessages(home).join('\n'),
      );
      assert.equal(fs.readFileSync(pidFile, 'utf8').trim(), String(loop.child.pid));
      loop.child.kill('SIGTERM');
      assert.equal(await loop.exited, 0);
    },
  );

  it(
    'goplot start and goplot status do not hang on a FIFO at logs/goplot.pid: no loop runs',
    { timeout: 60_000 },
    async () => {
      const home = makeTempHome('goplot-single-');
      homes.push(home);
      execFileSync('mkfifo', [path.join(home.logsDir, 'goplot.pid')]);
      const start = await runScript(home, 'scripts/goplot-cli.js', ['start', '--home', home.home], { timeout: 20_000 });
      assert.equal(start.timedOut, false);
      assert.match(start.stdout, /^but no goplot loop runs for /m);
      const status = await runScript(home, 'scripts/goplot-cli.js', ['status', '--json', '--home', home.home], {
        timeout: 20_000,
      });
      assert.equal(status.timedOut, false);
      assert.equal(status.exitCode, 0, status.stderr);
    },
  );

  it(
    'a loop that cannot write its pid file (a full home) says why on stderr and in the log, and leaves no temp file',
    {
      timeout: 60_000,
      skip: process.getuid?.() === 0 ? false : 'needs root to mount a small tmpfs as a full home',
    },
    async () => {
      const home = makeTempHome('goplot-full-');
      homes.push(home);
      const mountPoint = path.join(home.root, 'small');
      fs.mkdirSync(mountPoint);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]);
      try {
        const full = {
          ...home,
          home: mountPoint,
          logsDir: path.join(mountPoint, 'logs'),
          configDir: path.join(mountPoint, 'config'),
        };
        fs.mkdirSync(full.logsDir);
        fs.mkdirSync(full.configDir);
        // a log with room left in its last page: the reason can still be appended once the disk is full
        fs.writeFileSync(path.join(full.logsDir, 'goplot.log'), '[2026-11-30 08:00:00] INFO: goplot[1] earlier line\n');
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${path.join(mountPoint, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
        } catch {
          // dd stops with ENOSPC: the home is full now
        }
        const loop = run(full, 'scripts/goplot.js');
        assert.equal(await loop.exited, 1);
        const reason = `cannot write the pid file ${full.logsDir}/goplot.pid.${loop.child.pid}.tmp: ENOSPC: no space left on device, write`;
        assert.equal(loop.stderr().trim(), `goplot: ${reason}`);
        assert.deepEqual(linesOf(full, 'goplot.log', loop.child.pid!), [`loop stopped by an error: ${reason}`]);
        assert.deepEqual(fs.readdirSync(full.logsDir), ['goplot.log']);
      } finally {
        execFileSync('umount', [mountPoint]);
      }
    },
  );
});
