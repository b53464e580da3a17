import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { formatConfigMarkdown } from '../../lib/cli/list-config.js';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { killTree, makeSimFarm, simEnv, simPlotterPids } from '../helpers/sim-farm.js';
import { runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

const homes: TempHome[] = [];
after(() => {
  for (const home of homes) killTree(simPlotterPids(home));
  for (const home of homes) home.cleanup();
});

function farm(): TempHome {
  const home = makeSimFarm({ farm1: ['disk1'] }, ['1']);
  homes.push(home);
  return home;
}

const goplot = (home: TempHome, args: string[]) => runScript(home, 'scripts/goplot-cli.js', args, { env: simEnv(1) });

describe('the goplot command', () => {
  it('has --help for itself and every subcommand', async () => {
    const home = farm();
    const help = await goplot(home, ['--help']);
    assert.equal(help.exitCode, 0);
    for (const command of ['status', 'view', 'config', 'set', 'init', 'analyze', 'start', 'stop']) {
      assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'), `${command} is listed`);
      const sub = await goplot(home, [command, '--help']);
      assert.equal(sub.exitCode, 0, `${command} --help`);
      assert.match(sub.stdout, new RegExp(`^Usage: goplot ${command}`));
    }
  });

  it('set validates before writing and refuses unknown names', async () => {
    const home = farm();
    const file = path.join(home.configDir, 'max_plots.goplot');
    assert.deepEqual(
      [(await goplot(home, ['set', 'max_plots', '2'])).stdout, fs.readFileSync(file, 'utf8')],
      [`${file} = 2`, '2\n'],
    );
    const bad = await goplot(home, ['set', 'max_plots', 'two']);
    assert.equal(bad.exitCode, 2);
    assert.equal(bad.stderr, `goplot set: ${file}: refusing "two" (expected a whole number from 0 to 1000)`);
    assert.equal(fs.readFileSync(file, 'utf8'), '2\n');
    const unknown = await goplot(home, ['set', 'maxplots', '2']);
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /^goplot set: unknown value name "maxplots"; known names: on_toggle, /);
  });

  it('start and stop write on_toggle', async () => {
    const home = farm();
    assert.equal((await goplot(home, ['stop'])).stdout, 'on_toggle = off: no new plots start; running plots finish');
    assert.equal(home.read('config/on_toggle.goplot'), 'off\n');
    // no loop runs for this home: the hint that follows is checked in service.test.ts
    assert.equal(
      (await goplot(home, ['start'])).stdout.split('\n')[0],
      'on_toggle = run: the loop starts plots when the limits allow',
    );
    assert.equal(home.read('config/on_toggle.goplot'), 'run\n');
  });

  it('config lists every value with its source and shows a bad file, exiting 1', async () => {
    const home = farm();
    fs.writeFileSync(path.join(home.configDir, 'plot_gap.goplot'), 'soon\n');
    const result = await goplot(home, ['config']);
    assert.equal(result.exitCode, 1);
    assert.match(result.stdout, /^name +value +source +meaning\n/);
    assert.match(result.stdout, /^max_plots +3 +file +most plots running at once$/m);
    assert.match(result.stdout, /^last_start +never +default +time of the last plot start \(Unix seconds\)$/m);
    assert.match(result.stdout, /^plot_poll +1 +file /m);
    assert.match(result.stdout, /^index +0 +default /m);
    assert.ok(
      result.stdout.includes(
        `  ! ${home.configDir}/plot_gap.goplot: invalid value "soon" (expected a whole number from 0 to 604800); using 3600 (the default)`,
      ),
    );
    const json = JSON.parse((await goplot(home, ['config', '--json'])).stdout) as {
      name: string;
      value: unknown;
      source: string;
    }[];
    assert.deepEqual(
      json.find((row) => row.name === 'k'),
      { ...json.find((row) => row.name === 'k'), value: 25, source: 'file' },
    );
  });

  it('init creates the missing files and keeps the rest', async () => {
    const home = farm();
    const result = await goplot(home, ['init']);
    // the sim farm's 10 values, the temp home's farm_root and temp_root, chia_rpc and chia_root
    assert.match(result.stdout, /^created \d+ value files with their defaults, kept 14 existing ones, in /);
    assert.equal(home.read('config/k.goplot'), '25\n');
    assert.equal(home.read('config/plot_gap.goplot'), '0\n');
    assert.equal(home.read('config/buckets.goplot'), '128\n');
  });

  it('status shows a running plot, the values and the disks, as text and JSON', async () => {
    const home = farm();
    // long enough that the plot is still running when the last status is read on a loaded machine;
    // ended by hand below
    const tractor = runScript(home, 'scripts/tractor.js', [], { env: simEnv(120) });
    await waitFor('the plotter', () => simPlotterPids(home).length > 0);
    await waitFor('phase 1 in the log', () => {
      const log = path.join(home.farmRoot, 'farm1', 'disk1', 'logs', 'plot.1.log');
      return fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('Starting phase 1/4');
    });
    const status = JSON.parse((await goplot(home, ['status', '--json'])).stdout) as {
      plots: { index: number; phase: number; progress: number; tempDir: string; logFile: string }[];
      disks: { farm: string; disk: string; state: string }[];
    };
    assert.equal(status.plots.length, 1);
    assert.equal(status.plots[0]!.index, 1);
    assert.equal(status.plots[0]!.tempDir, path.join(home.tempRoot, '1'));
    assert.equal(status.plots[0]!.logFile, path.join(home.farmRoot, 'farm1', 'disk1', 'logs', 'plot.1.log'));
    assert.ok(status.plots[0]!.phase >= 1 && status.plots[0]!.progress >= 0 && status.plots[0]!.progress < 1);
    assert.deepEqual(
      status.disks.map((disk) => `${disk.farm}/${disk.disk} ${disk.state}`),
      ['farm1/disk1 ok'],
    );
    const text = (await goplot(home, ['status'])).stdout;
    assert.match(text, /^running plots: 1$/m);
    assert.match(text, /^index +pid +plotter +elapsed +phase +progress +temp +dest +log$/m);
    assert.match(text, /^on_toggle +run +file$/m);
    const lastStart = Number(home.read('config/last_start.goplot').trim());
    const started = new Date(lastStart * 1000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const shownDate = `${started.getFullYear()}-${pad(started.getMonth() + 1)}-${pad(started.getDate())} ${pad(started.getHours())}:${pad(started.getMinutes())}:${pad(started.getSeconds())}`;
    assert.match(text, new RegExp(`^last_start +${shownDate} \\((?:\\d+m )?\\d+s ago\\) +file$`, 'm'));
    assert.match(text, /^disks: 1$/m);
    assert.match(text, /^farm +disk +state +free +used\+committed +plot files$/m);
    // free space as goplot view shows it, then the state file's number
    assert.match(text, /^farm1 +disk1 +ok +\d+\.\d [KMGTP]iB +\d+\.\d GiB +0$/m);
    for (const pid of simPlotterPids(home)) process.kill(pid, 'SIGTERM');
    await tractor;
  });

  it('analyze reads the finished plot logs and refuses a bad --since', async () => {
    const home = farm();
    assert.equal((await runScript(home, 'scripts/tractor.js', [], { env: simEnv(0.5) })).exitCode, 0);
    const json = JSON.parse((await goplot(home, ['analyze', '--json'])).stdout) as { counts: Record<string, number> };
    assert.equal(json.counts.plots, 1);
    const later = JSON.parse((await goplot(home, ['analyze', '--json', '--since', '2099-01-01'])).stdout) as {
      counts: Record<string, number>;
    };
    assert.equal(later.counts.plots, 0);
    const bad = await goplot(home, ['analyze', '--since', 'yesterday']);
    assert.equal(bad.exitCode, 2);
    assert.equal(bad.stderr, 'goplot analyze: --since "yesterday" is not a date (use YYYY-MM-DD or an ISO time)');
  });
});

describe('docs/values.md', () => {
  it('lists every value file as the code defines it', () => {
    const doc = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'values.md'), 'utf8');
    const table = /<!-- config-table:start[^\n]*\n([\s\S]*?)\n<!-- config-table:end -->/.exec(doc)?.[1];
    assert.equal(
      table,
      formatConfigMarkdown(),
      'run `node scripts/goplot-cli.js config --markdown` and paste it into docs/values.md',
    );
  });
});
