import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { countLocalPlots, readHarvesterProcesses } from '../../lib/metrics/collect-harvester.js';
import { checkMetrics, readSeries } from '../helpers/promtool.js';
import { logMessages, makeDisks, makeTempHome, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

/** A fake /proc entry: what readHarvesterProcesses reads (comm, cmdline, stat). */
function addProcess(procDir: string, pid: number, comm: string, argv: string[], state: string): void {
  const dir = path.join(procDir, String(pid));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'comm'), `${comm}\n`);
  fs.writeFileSync(path.join(dir, 'cmdline'), argv.length === 0 ? '' : `${argv.join('\0')}\0`);
  fs.writeFileSync(
    path.join(dir, 'stat'),
    `${pid} (${comm}) ${state} 1 ${pid} ${pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n`,
  );
}

function writePlot(home: TempHome, farm: string, disk: string, name: string, bytes: number): void {
  const file = path.join(home.farmRoot, farm, disk, 'plots', name);
  fs.writeFileSync(file, '');
  fs.truncateSync(file, bytes); // sparse: the size is what counts
}

describe('reading harvester processes from /proc', () => {
  const homes: TempHome[] = [];
  after(() => homes.forEach((home) => home.cleanup()));

  it('counts chia_harvester by name or command line, zombies apart, and nothing that only mentions it', () => {
    const home = makeTempHome('goplot-proc-');
    homes.push(home);
    const proc = path.join(home.root, 'proc');
    addProcess(proc, 100, 'chia_harvester', ['chia_harvester'], 'S');
    addProcess(proc, 101, 'chia_harvester', [], 'Z');
    addProcess(proc, 102, 'python3', ['/opt/chia/venv/bin/python3', '-m', 'chia.server.start_harvester'], 'S');
    addProcess(proc, 103, 'python3.11', ['python3.11', '/opt/chia/venv/bin/chia_harvester'], 'R');
    addProcess(proc, 104, 'tail', ['tail', '-f', '/var/log/chia_harvester'], 'S');
    addProcess(proc, 105, 'less', ['less', 'start_harvester.py'], 'S');
    addProcess(proc, 106, 'chia_full_node', ['chia_full_node'], 'S');
    fs.mkdirSync(path.join(proc, 'self'));
    assert.deepEqual(readHarvesterProcesses(proc), { ok: true, value: { running: 3, defunct: 1 } });
    assert.deepEqual(readHarvesterProcesses(path.join(home.root, 'no-proc')), {
      ok: false,
      problem: `cannot read the process table ${path.join(home.root, 'no-proc')}: ENOENT: no such file or directory, scandir '${path.join(home.root, 'no-proc')}'`,
    });
  });

  it('counts finished plots in the farm layout, not temp files, and calls an unreadable farm_root missing', () => {
    const home = makeTempHome('goplot-plots-');
    homes.push(home);
    makeDisks(home, { farm1: ['disk1', 'disk2'], farm2: ['disk1'] });
    writePlot(home, 'farm1', 'disk1', 'plot-k32-a.plot', 1000);
    writePlot(home, 'farm1', 'disk2', 'plot-k32-b.plot', 2000);
    writePlot(home, 'farm1', 'disk2', 'plot-k32-c.plot.tmp', 4000);
    writePlot(home, 'farm2', 'disk1', 'plot-k32-d.plot', 8000);
    fs.mkdirSync(path.join(home.farmRoot, 'farm2', 'disk1', 'plots', 'folder.plot'));
    fs.writeFileSync(path.join(home.farmRoot, 'notes.txt'), 'not a farm');
    fs.mkdirSync(path.join(home.farmRoot, 'farm2', 'lost+found'));
    assert.deepEqual(countLocalPlots(home.farmRoot), { ok: true, value: { count: 3, bytes: 11_000 } });
    // what diskhand and the goplot collector do not list is not counted either
    for (const hidden of [
      ['farm2', 'lost+found'],
      ['farm2', '.snapshot'],
      ['.trash', 'disk1'],
      ['lost+found', 'disk1'],
    ]) {
      fs.mkdirSync(path.join(home.farmRoot, ...hidden, 'plots'), { recursive: true });
      fs.writeFileSync(path.join(home.farmRoot, ...hidden, 'plots', 'plot-k32-old.plot'), 'x');
    }
    assert.deepEqual(countLocalPlots(home.farmRoot), { ok: true, value: { count: 3, bytes: 11_000 } });
    assert.deepEqual(countLocalPlots(path.join(home.root, 'nowhere')), {
      ok: false,
      problem: `cannot read farm_root ${path.join(home.root, 'nowhere')}: ENOENT`,
    });
  });
});

describe('getharvester_collector (built script)', () => {
  const homes: TempHome[] = [];
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    homes.forEach((home) => home.cleanup());
  });

  async function collectHarvester(home: TempHome, args: string[] = []): Promise<{ exitCode?: number; stderr: string }> {
    const result = await runScript(home, 'collectors/getharvester_collector.js', args);
    return { exitCode: result.exitCode, stderr: String(result.stderr) };
  }

  function harvesterHome(): TempHome & { prom: string } {
    const home = makeTempHome('goplot-getharvester-');
    homes.push(home);
    const promDir = path.join(home.root, 'prom');
    fs.mkdirSync(promDir);
    home.set('prom_dir', promDir);
    return Object.assign(home, { prom: path.join(promDir, 'getharvester.prom') });
  }

  it("sees a real chia_harvester process in /proc and this host's plots, in a file promtool accepts", async () => {
    const home = harvesterHome();
    makeDisks(home, { farm1: ['disk1'] });
    writePlot(home, 'farm1', 'disk1', 'a.plot', 108_000);
    writePlot(home, 'farm1', 'disk1', 'b.plot', 109_000);
    // A real process whose name is chia_harvester: `sleep` through a link of that name.
    const bin = path.join(home.root, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(fs.realpathSync('/bin/sleep'), path.join(bin, 'chia_harvester'));
    const harvester = spawn(path.join(bin, 'chia_harvester'), ['60'], { stdio: 'ignore' });
    children.push(harvester);
    await waitFor(
      'the fake harvester to start',
      () =>
        fs.existsSync(`/proc/${harvester.pid}/comm`) &&
        fs.readFileSync(`/proc/${harvester.pid}/comm`, 'utf8').trim() === 'chia_harvester',
    );

    const result = await collectHarvester(home);
    assert.equal(result.exitCode, 0, result.stderr);
    const check = await checkMetrics(home.prom);
    assert.equal(check.ok, true, check.output);
    const series = readSeries(home.prom);
    assert.equal(series.get('farm_harvester_process_running'), 1);
    assert.equal(series.get('farm_local_plots'), 2);
    assert.equal(series.get('farm_local_plots_size_bytes'), 217_000);
    assert.equal(series.get('getharvester_collector_value_present{value="local_plots"}'), 1);
    assert.equal(series.get('getharvester_collector_success'), 1);
    assert.equal(
      series.has('farm_harvester_status'),
      false,
      'farm_harvester_status belongs to harvesterlog.prom on the same host',
    );
    assert.equal(series.has('farm_plot_count'), false, 'farm_plot_count belongs to getfarm.prom on the same host');
  });

  it('reports a dead harvester and a zombie from --proc-dir, and leaves out plots it cannot count', async () => {
    const home = harvesterHome();
    home.set('farm_root', path.join(home.root, 'unmounted-farm'));
    const proc = path.join(home.root, 'proc');
    addProcess(proc, 4242, 'chia_harvester', [], 'Z');
    addProcess(proc, 4243, 'bash', ['bash'], 'S');
    const result = await collectHarvester(home, ['--proc-dir', proc]);
    assert.equal(result.exitCode, 0, result.stderr);
    const check = await checkMetrics(home.prom);
    assert.equal(check.ok, true, check.output);
    const series = readSeries(home.prom);
    assert.equal(series.get('farm_harvester_process_running'), 0);
    assert.equal(series.get('farm_harvester_processes_defunct'), 1);
    assert.equal(series.has('farm_local_plots'), false, 'a count it could not make is left out, not written as 0');
    assert.equal(series.get('getharvester_collector_value_present{value="local_plots"}'), 0);
    assert.deepEqual(logMessages(home, 'collectors.log'), [
      `wrote ${home.prom}`,
      `values missing (left out of getharvester.prom): local_plots (cannot read farm_root ${path.join(home.root, 'unmounted-farm')}: ENOENT)`,
    ]);
  });

  it('keeps the last good plot count with success 0, not the process state, when the process table cannot be read', async () => {
    const home = harvesterHome();
    makeDisks(home, { farm1: ['disk1'] });
    const proc = path.join(home.root, 'proc');
    addProcess(proc, 7, 'chia_harvester', ['chia_harvester'], 'S');
    assert.equal((await collectHarvester(home, ['--proc-dir', proc])).exitCode, 0);
    const before = readSeries(home.prom);
    const missing = path.join(home.root, 'gone');
    const failed = await collectHarvester(home, ['--proc-dir', missing]);
    assert.equal(failed.exitCode, 1);
    const problem =
      `cannot read the process table ${missing}: ENOENT: no such file or directory, scandir '${missing}'; ` +
      `kept the last good values (without the status metrics) in ${home.prom} with getharvester_collector_success 0`;
    assert.equal(failed.stderr, `getharvester_collector: ${problem}`);
    const kept = readSeries(home.prom);
    assert.equal(
      kept.has('farm_harvester_process_running'),
      false,
      'a harvester seen running a minute ago is not said to run now',
    );
    assert.equal(kept.has('farm_harvester_processes_defunct'), false);
    assert.equal(kept.get('farm_local_plots'), before.get('farm_local_plots'), 'the plot count stays');
    assert.equal(kept.get('getharvester_collector_success'), 0);
    const check = await checkMetrics(home.prom);
    assert.equal(check.ok, true, check.output);
    assert.deepEqual(logMessages(home, 'collectors.log'), [`wrote ${home.prom}`, problem]);
  });

  it('refuses a prom_dir that does not exist, with the same message as the other collectors, and makes no dir', async () => {
    const home = harvesterHome();
    const missing = path.join(home.root, 'typo-prom');
    home.set('prom_dir', missing);
    const result = await collectHarvester(home);
    assert.equal(result.exitCode, 1);
    const problem = `prom_dir ${missing} is not a directory (make it, or set config/prom_dir.goplot to node_exporter's --collector.textfile.directory)`;
    assert.equal(result.stderr, `getharvester_collector: ${problem}`);
    assert.equal(fs.existsSync(missing), false);
    assert.equal(logMessages(home, 'collectors.log').at(-1), problem);
  });

  it('says a missing value file once, not on every cron run, in a home where goplot init never ran', async () => {
    const home = harvesterHome();
    fs.rmSync(path.join(home.configDir, 'farm_root.goplot'));
    fs.rmSync(path.join(home.configDir, 'temp_root.goplot'));
    for (let run = 0; run < 3; run += 1) assert.equal((await collectHarvester(home)).exitCode, 0);
    const missingLines = logMessages(home, 'collectors.log').filter((line) =>
      line.includes('missing, using the default'),
    );
    assert.deepEqual(missingLines, [
      `${path.join(home.configDir, 'farm_root.goplot')}: missing, using the default /farm`,
    ]);
    home.set('farm_root', home.farmRoot);
    assert.equal((await collectHarvester(home)).exitCode, 0);
    fs.rmSync(path.join(home.configDir, 'farm_root.goplot'));
    assert.equal((await collectHarvester(home)).exitCode, 0);
    assert.equal(
      logMessages(home, 'collectors.log').filter((line) => line.includes('missing, using the default')).length,
      2,
      'missing again after it was there is news again',
    );
  });
});
