import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { listDisks, listFarms, listTempDirs } from '../../../lib/farm/farm-layout.js';
import { parsePlotArgs } from '../../../lib/farm/proc-plot-args.js';
import { plotterCommandNames, readRunningPlots, type RunningPlot } from '../../../lib/farm/process-table.js';
import { makeDisks, makeTempDirs, makeTempHome, waitFor, type TempHome } from '../../helpers/temp-home.js';

const NAMES = ['chia', 'chia_plot', 'chia_plot_k34', 'bladebit', 'bladebit_cuda', 'simplotter.js'];

/** Stand-in plotters: bash scripts that wait, so /proc shows `bash <script> <args>` as for a real #! plotter. */
const SCRIPTS: Record<string, string> = {
  chia: `#!/usr/bin/env bash
if [[ "$1" == plotters ]]; then "$(dirname "$0")/chia_plot" "\${@:3}" & wait $!; else sleep 60 & wait $!; fi
`,
  chia_plot: '#!/usr/bin/env bash\nsleep 60 & wait $!\n',
  bladebit: '#!/usr/bin/env bash\nsleep 60 & wait $!\n',
  grep: '#!/usr/bin/env bash\nsleep 60 & wait $!\n',
};

let home: TempHome;
let bin: string;
const children: ChildProcess[] = [];

function start(command: string, args: string[], stdoutFile?: string): ChildProcess {
  const out = stdoutFile ? fs.openSync(stdoutFile, 'a') : 'ignore';
  // its own process group, so `after` can end the script and the sleep it waits on together
  const child = spawn(command, args, { stdio: ['ignore', out, 'ignore'], detached: true });
  if (typeof out === 'number') fs.closeSync(out);
  children.push(child);
  return child;
}

function readPlots(): RunningPlot[] {
  return readRunningPlots({ farmRoot: home.farmRoot, tempRoot: home.tempRoot, commandNames: NAMES });
}

before(() => {
  home = makeTempHome('goplot-proc-');
  makeDisks(home, { f1: ['d1', 'd2'], f2: ['d3'] });
  makeTempDirs(home, ['1', '2', '3']);
  bin = path.join(home.root, 'bin');
  fs.mkdirSync(bin);
  for (const [name, body] of Object.entries(SCRIPTS)) fs.writeFileSync(path.join(bin, name), body, { mode: 0o755 });
});

after(() => {
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  home.cleanup();
});

describe('the process table', () => {
  test('a chiapos plot run by a #! script is found with its index, dirs, farm, disk, start time and memory', async () => {
    const { farmRoot: F, tempRoot: T } = home;
    const logFile = path.join(F, 'f1', 'd1', 'logs', 'plot.7.log');
    const startedBefore = Date.now();
    const child = start(
      path.join(bin, 'chia'),
      ['plots', 'create', '-k', '32', '-t', `${T}/1`, '-2', `${T}/1`, '-d', `${F}/f1/d1/plots`],
      logFile,
    );
    const plots = await waitFor('the chia plot in /proc', () => {
      const found = readPlots().filter((plot) => plot.pid === child.pid);
      return found.length === 1 && found[0].argv.includes('create') ? found : null;
    });
    const foundAfter = Date.now();
    assert.ok(plots);
    const plot = plots[0];
    assert.deepEqual(
      { ...plot, startedAt: 0, rssBytes: 0, ppid: 0 },
      {
        pid: child.pid,
        ppid: 0,
        argv: [
          'bash',
          path.join(bin, 'chia'),
          'plots',
          'create',
          '-k',
          '32',
          '-t',
          `${T}/1`,
          '-2',
          `${T}/1`,
          '-d',
          `${F}/f1/d1/plots`,
        ],
        plotter: 'chia',
        index: 7,
        logFile,
        tempDir: `${T}/1`,
        temp2Dir: `${T}/1`,
        destDir: `${F}/f1/d1/plots`,
        farm: 'f1',
        disk: 'd1',
        k: 32,
        compression: 0,
        startedAt: 0,
        rssBytes: 0,
      },
    );
    assert.equal(plot.ppid, process.pid);
    // btime has whole seconds, so the start is known to within a second or so of the window it lies in
    assert.ok(
      plot.startedAt > startedBefore - 3000 && plot.startedAt < foundAfter + 3000,
      `startedAt ${plot.startedAt} is outside ${startedBefore}..${foundAfter}`,
    );
    assert.ok(plot.rssBytes > 0, `rssBytes ${plot.rssBytes} > 0`);
  });

  test('chia plotters madmax and the chia_plot it starts count as one plot', async () => {
    const { farmRoot: F, tempRoot: T } = home;
    const child = start(path.join(bin, 'chia'), [
      'plotters',
      'madmax',
      '-k',
      '32',
      '-r',
      '4',
      '-t',
      `${T}/2/`,
      '-2',
      `${T}/2/`,
      '-d',
      `${F}/f1/d2/plots/`,
    ]);
    await waitFor('chia_plot under chia plotters madmax', () =>
      fs.readdirSync('/proc').some((pid) => {
        try {
          return (
            fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chia_plot') &&
            fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(` ${child.pid} `)
          );
        } catch {
          return false;
        }
      }),
    );
    const plots = readPlots().filter((plot) => plot.disk === 'd2');
    assert.equal(plots.length, 1);
    assert.equal(plots[0].pid, child.pid);
    assert.equal(plots[0].plotter, 'madmax');
    assert.equal(plots[0].tempDir, `${T}/2`);
    assert.equal(plots[0].destDir, `${F}/f1/d2/plots`);
  });

  test("processes outside this home's roots and commands that are not plotters are ignored", async () => {
    const { farmRoot: F, tempRoot: T } = home;
    const elsewhere = start(path.join(bin, 'chia'), [
      'plots',
      'create',
      '-t',
      '/mnt/other_temp/1',
      '-d',
      '/mnt/other_farm/f1/d1/plots',
    ]);
    const grep = start(path.join(bin, 'grep'), ['chia', `${F}/f1/d1/logs/plot.7.log`]);
    const tail = start('tail', ['-f', `${F}/f1/d1/logs/plot.7.log`]);
    const mine = start(path.join(bin, 'bladebit'), [
      '-t',
      '8',
      '-n',
      '1',
      '--compress',
      '7',
      'diskplot',
      '-t1',
      `${T}/3`,
      '-t2',
      '/var/tmp/other',
      `${F}/f2/d3/plots`,
    ]);
    const plot = await waitFor('the bladebit plot', () =>
      readPlots().find((found) => found.pid === mine.pid && found.argv.includes('diskplot')),
    );
    assert.ok(plot);
    const pids = readPlots().map((found) => found.pid);
    for (const ignored of [elsewhere, grep, tail])
      assert.ok(!pids.includes(ignored.pid ?? -1), `pid ${ignored.pid} is not a plot here`);
    assert.deepEqual(
      [plot.plotter, plot.compression, plot.tempDir, plot.temp2Dir, plot.destDir, plot.farm, plot.disk, plot.index],
      ['bladebit-disk', 7, `${T}/3`, '/var/tmp/other', `${F}/f2/d3/plots`, 'f2', 'd3', null],
    );
  });

  test('a proc dir is read as the kernel writes it; kernel threads and vanished processes are skipped', () => {
    const proc = path.join(home.root, 'fakeproc');
    const F = home.farmRoot;
    const entry = (pid: number, files: Record<string, string>) => {
      fs.mkdirSync(path.join(proc, String(pid), 'fd'), { recursive: true });
      for (const [name, content] of Object.entries(files))
        fs.writeFileSync(path.join(proc, String(pid), name), content);
    };
    fs.mkdirSync(proc, { recursive: true });
    fs.writeFileSync(path.join(proc, 'stat'), 'cpu  1 2 3 4\nintr 5\nbtime 1700000000\nprocesses 99\n');
    const argv = ['/opt/chia_plot', '-k', '33', '-C', '5', '-t', '/elsewhere/', '-d', `${F}/f1/d1/plots`];
    // the command name holds `) ` to make sure fields are counted from the last parenthesis
    entry(4242, {
      cmdline: `${argv.join('\0')}\0`,
      stat: `4242 (chia) plot) S 4000 4242 4000 0 -1 4194560 1 0 0 0 5 6 0 0 20 0 9 0 123456 1000 250 18446744073709551615\n`,
      status: 'Name:\tchia_plot\nVmPeak:\t  999 kB\nVmRSS:\t  2048 kB\n',
    });
    fs.symlinkSync(`${F}/f1/d1/logs/plot.12.log`, path.join(proc, '4242', 'fd', '1'));
    entry(2, { cmdline: '', stat: '2 (kthreadd) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0\n' });
    entry(5000, { stat: '5000 (gone) Z 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0\n' });

    const plots = readRunningPlots({ farmRoot: F, tempRoot: home.tempRoot, commandNames: NAMES, procDir: proc });
    assert.equal(plots.length, 1);
    assert.deepEqual(
      {
        pid: plots[0].pid,
        ppid: plots[0].ppid,
        plotter: plots[0].plotter,
        k: plots[0].k,
        compression: plots[0].compression,
        index: plots[0].index,
      },
      { pid: 4242, ppid: 4000, plotter: 'madmax', k: 33, compression: 5, index: 12 },
    );
    assert.equal(plots[0].startedAt, 1_700_000_000_000 + 1_234_560);
    assert.equal(plots[0].rssBytes, 2048 * 1024);
    assert.equal(plots[0].tempDir, '/elsewhere');
  });
});

describe('plot arguments', () => {
  test('options are read in their --opt=value, glued and spaced forms', () => {
    const parsed = parsePlotArgs('/usr/bin/chia', [
      'plots',
      'create',
      '--size=33',
      '-t/plot_temp/4',
      '--tmp2_dir=/fast/2',
      '--final_dir',
      '/farm/f/d/plots',
      '-e',
    ]);
    assert.deepEqual(parsed, {
      plotter: 'chia',
      k: 33,
      compression: 0,
      tempDir: '/plot_temp/4',
      temp2Dir: '/fast/2',
      destDir: '/farm/f/d/plots',
      paths: ['/plot_temp/4', '/fast/2', '/farm/f/d/plots'],
    });
  });

  test("bladebit's -z without a level means level 1, and its output dir is the last positional path", () => {
    const parsed = parsePlotArgs('/usr/local/bin/bladebit_cuda', ['-f', 'abc', '-z', 'cudaplot', '/farm/f/d/plots']);
    assert.deepEqual([parsed.plotter, parsed.compression, parsed.destDir], ['bladebit-cuda', 1, '/farm/f/d/plots']);
    const ram = parsePlotArgs('chia', ['plotters', 'bladebit', 'ramplot', '-d', '/farm/f/d2/plots', '--compress', '3']);
    assert.deepEqual([ram.plotter, ram.compression, ram.destDir], ['bladebit-ram', 3, '/farm/f/d2/plots']);
  });
});

describe('plotter command names', () => {
  test('the configured chia_bin, madmax_bin and bladebit_bin are added by their basenames', () => {
    const configHome = makeTempHome('goplot-names-');
    try {
      configHome.set('chia_bin', '/opt/chia/venv/bin/chia-dev');
      configHome.set('madmax_bin', '/opt/mm/chia_plot_gh');
      configHome.set('bladebit_bin', '');
      assert.deepEqual(plotterCommandNames(new ConfigReader(configHome)), [...NAMES, 'chia-dev', 'chia_plot_gh']);
    } finally {
      configHome.cleanup();
    }
  });
});

describe('the farm layout', () => {
  test('farms, disks and temp dirs are listed in natural order, and a disk is complete with plots/ and logs/', () => {
    const layout = makeTempHome('goplot-layout-');
    try {
      makeDisks(layout, { farm10: ['d1'], farm2: ['disk10', 'disk9'] });
      fs.mkdirSync(path.join(layout.farmRoot, 'farm2', 'disk1', 'plots'), { recursive: true });
      fs.writeFileSync(path.join(layout.farmRoot, 'not-a-farm.txt'), '');
      fs.symlinkSync(path.join(layout.farmRoot, 'farm10'), path.join(layout.farmRoot, 'farm3'));
      makeTempDirs(layout, ['10', '2', '1']);
      assert.deepEqual(listFarms(layout.farmRoot), ['farm2', 'farm3', 'farm10']);
      assert.deepEqual(
        listDisks(layout.farmRoot, 'farm2').map((disk) => [disk.disk, disk.complete]),
        [
          ['disk1', false],
          ['disk9', true],
          ['disk10', true],
        ],
      );
      assert.deepEqual(listDisks(layout.farmRoot, 'farm2')[1], {
        farm: 'farm2',
        disk: 'disk9',
        dir: path.join(layout.farmRoot, 'farm2', 'disk9'),
        plotsDir: path.join(layout.farmRoot, 'farm2', 'disk9', 'plots'),
        logsDir: path.join(layout.farmRoot, 'farm2', 'disk9', 'logs'),
        complete: true,
      });
      assert.deepEqual(listTempDirs(layout.tempRoot), ['1', '2', '10']);
      assert.deepEqual(listFarms(path.join(layout.root, 'missing')), []);
    } finally {
      layout.cleanup();
    }
  });
});
