import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { committedKiB } from '../../lib/farm/plot-size.js';
import { readPlotProgress } from '../../lib/farm/read-plot-phase.js';
import { checkMetrics } from '../helpers/promtool.js';
import { FAKE_BIN, isAlive, simEnv, simFarmsOfThisFile, simPlotterPids } from '../helpers/sim-farm.js';
import { logMessages, runScript, SIM_PLOTTER, waitFor, type TempHome } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();

const promFile = (home: TempHome) => path.join(home.root, 'prom', 'goplot.prom');
/** A finished run's exit code and output as text. */
interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

async function run(home: TempHome, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const result = await runScript(home, 'collectors/goplot_collector.js', args, { env: simEnv(8, env) });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const collector = (home: TempHome, env: Record<string, string> = {}) => run(home, [], env);
const dfEnv = (table: string) => ({ PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table });

/** The sample lines of a .prom file whose metric and labels start with `prefix`. */
function samples(home: TempHome, prefix: string): string[] {
  return fs
    .readFileSync(promFile(home), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith(prefix));
}

function writeDiskState(home: TempHome, farmName: string, disk: string, content: string): void {
  fs.mkdirSync(path.join(home.disksDir, farmName), { recursive: true });
  fs.writeFileSync(path.join(home.disksDir, farmName, `${disk}.goplot`), content);
}

function stateLines(farmName: string, disk: string, current: string): string[] {
  return ['number', 'full', 'off', 'unmounted', 'missing', 'invalid'].map(
    (state) => `goplot_disk_state{farm="${farmName}",disk="${disk}",state="${state}"} ${state === current ? 1 : 0}`,
  );
}

/** A process's state letter from /proc (T: stopped). */
function processState(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function assertPromtoolPasses(home: TempHome): Promise<void> {
  const check = await checkMetrics(promFile(home));
  assert.equal(check.ok, true, check.output);
}

describe('the goplot collector with a real plot running', () => {
  it(
    "writes the plot, the disks and goplot's config exactly, and the finished plot afterwards",
    { timeout: 60_000 },
    async () => {
      const home = farm({ farm1: ['disk1', 'disk2', 'disk3', 'disk4'], farm2: ['disk1'] }, ['1']);
      home.set('disk_space', 'df');
      home.set('farm_dest', 'farm2');
      writeDiskState(home, 'farm1', 'disk3', 'off\n');
      writeDiskState(home, 'farm1', 'disk4', 'lots\n');
      writeDiskState(home, 'farm2', 'disk1', 'unmounted\n');
      const table = path.join(home.root, 'df-table');
      const gib = 1024 * 1024; // KiB
      fs.writeFileSync(
        table,
        [
          `${home.farmRoot}/farm1/disk1 ${100 * gib} ${10 * gib}`,
          `${home.farmRoot}/farm1/disk2 ${100 * gib} ${20 * gib}`,
          `${home.farmRoot}/farm1/disk3 ${50 * gib} ${50 * gib}`,
          `${home.farmRoot}/farm1/disk4 ${8 * gib} ${1 * gib}`,
          `${home.farmRoot}/farm2/disk1 fail 0`,
        ].join('\n') + '\n',
      );
      const spawnedAt = Date.now();
      const tractor = runScript(home, 'scripts/tractor.js', [], { env: simEnv(8, dfEnv(table)) }) as ReturnType<
        typeof runScript
      > & { pid?: number };
      started.push(tractor.pid!);
      const plotter = await waitFor('the simulated plotter to start', () => simPlotterPids(home)[0]);
      const logFile: string = await waitFor(
        'plot.1.log',
        () =>
          ['disk1', 'disk2']
            .map((disk) => path.join(home.farmRoot, 'farm1', disk, 'logs', 'plot.1.log'))
            .find((file) => fs.existsSync(file)) ?? '',
      );
      const disk = path.basename(path.dirname(path.dirname(logFile)));
      const other = disk === 'disk1' ? 'disk2' : 'disk1';
      await waitFor(
        'the plot to reach phase 2',
        () => fs.readFileSync(logFile, 'utf8').includes('Starting phase 2/4'),
        20_000,
      );
      // a stopped plotter keeps its log as it is while the collector and the test read it
      process.kill(plotter, 'SIGSTOP');
      await waitFor('the plotter to stop', () => processState(plotter) === 'T', 5000, 10);
      writeDiskState(home, 'farm1', other, 'full\n');
      fs.writeFileSync(path.join(home.farmRoot, 'farm1', other, 'plots', 'plot-k25-old.plot'), '');
      fs.writeFileSync(path.join(home.farmRoot, 'farm1', other, 'plots', 'plot-k25-copying.plot.tmp'), '');

      const first = await collector(home, dfEnv(table));
      const runSeconds = (Date.now() - spawnedAt) / 1000;
      const { phase, progress } = readPlotProgress(logFile);
      process.kill(plotter, 'SIGCONT');
      assert.equal(first.exitCode, 0, first.stderr);
      assert.equal(first.stderr, '');
      const lastStart = home.read('config/last_start.goplot').trim();
      /** One series per disk of the five (per pos too), all at `value`: the inventory of a farm of no valid plot. */
      const inventorySeries = (name: string, value: string, perPos = false) =>
        [
          ['farm1', 'disk1'],
          ['farm1', 'disk2'],
          ['farm1', 'disk3'],
          ['farm1', 'disk4'],
          ['farm2', 'disk1'],
        ].flatMap(([f, d]) =>
          perPos
            ? ['1', '2'].map((pos) => `${name}{farm="${f}",disk="${d}",pos="${pos}"} ${value}`)
            : [`${name}{farm="${f}",disk="${d}"} ${value}`],
        );
      const outcomeLines = (finished: number) => [
        `goplot_plots_finished_total{plot_job="default",plotter="chia"} ${finished}`,
        'goplot_plots_failed_total{plot_job="default",plotter="chia"} 0',
      ];
      assert.deepEqual(samples(home, 'goplot_'), [
        'goplot_running_plots 1',
        'goplot_config_ontoggle 1',
        'goplot_config_maxplots 3',
        'goplot_config_loadmax 1000',
        'goplot_config_plotpoll 1',
        'goplot_config_plot_gap 0',
        'goplot_config_plotpoll_seconds 1',
        'goplot_config_plot_gap_seconds 0',
        'goplot_plots_started 1',
        'goplot_plots_started_total 1',
        `goplot_last_start_timestamp_seconds ${lastStart}`,
        'goplot_failures 0',
        'goplot_backoff_until_timestamp_seconds 0',
        ...samples(home, 'goplot_plot_progress_ratio'),
        ...samples(home, 'goplot_plot_phase{'),
        ...samples(home, 'goplot_plot_elapsed_seconds'),
        ...samples(home, 'goplot_plot_job_info'),
        ...samples(home, 'goplot_plot_suspended'),
        ...samples(home, 'goplot_disk_'),
        ...samples(home, 'goplot_temp_'),
        ...outcomeLines(0),
        ...samples(home, 'goplot_plot_duration_seconds'),
        ...samples(home, 'goplot_plot_phase_duration_seconds'),
        ...inventorySeries('goplot_plot_group_files', '0'),
        ...inventorySeries('goplot_plot_group_files_bytes', '0'),
        ...inventorySeries('goplot_plots_not_read', '0', true),
        ...inventorySeries('goplot_plots_not_read_bytes', '0', true),
        ...inventorySeries('goplot_plot_meta_groups', '0'),
        ...inventorySeries('goplot_plots_dir_readable', '1'),
        ...['disk1', 'disk2', 'disk3', 'disk4'].map(
          (name) => `goplot_plots_invalid{farm="farm1",disk="${name}"} ${name === other ? 1 : 0}`,
        ),
        'goplot_plots_invalid{farm="farm2",disk="disk1"} 0',
        ...['disk1', 'disk2', 'disk3', 'disk4'].map(
          (name) => `goplot_plots_replot_remaining{farm="farm1",disk="${name}"} 0`,
        ),
        'goplot_plots_replot_remaining{farm="farm2",disk="disk1"} 0',
        'goplot_replot_enabled 0',
        'goplot_replot_removed_total 0',
        ...samples(home, 'goplot_collector_'),
      ]);
      assert.deepEqual(
        samples(home, 'goplot_plot_duration_seconds_count'),
        ['goplot_plot_duration_seconds_count{plot_job="default",plotter="chia"} 0'],
        'the plotter in use has its outcome series at 0 before its first plot ends, so rate() sees the first',
      );
      assert.deepEqual(
        samples(home, 'goplot_temp_').map((line) => line.replace(/ \d+$/, '')),
        [`goplot_temp_free_bytes{temp="${home.tempRoot}/1"}`, `goplot_temp_total_bytes{temp="${home.tempRoot}/1"}`],
      );
      assert.equal(phase, 2);
      assert.ok(progress > 0.2 && progress < 0.8, `progress ${progress}`);
      const labels = `index="1",farm="farm1",disk="${disk}",plotter="chia"`;
      assert.deepEqual(
        samples(home, 'goplot_plot_progress_ratio'),
        [`goplot_plot_progress_ratio{${labels}} ${progress}`],
        'one series per plot, whatever its phase',
      );
      assert.deepEqual(samples(home, 'goplot_plot_phase{'), [`goplot_plot_phase{${labels}} 2`]);
      const [elapsedLine] = samples(home, 'goplot_plot_elapsed_seconds');
      const elapsed = Number(/^goplot_plot_elapsed_seconds\{(.*)\} (\d+)$/.exec(elapsedLine ?? '')?.[2]);
      assert.equal(elapsedLine, `goplot_plot_elapsed_seconds{${labels}} ${elapsed}`);
      assert.ok(elapsed >= 0 && elapsed <= Math.ceil(runSeconds), `elapsed ${elapsed} s of ${runSeconds} s`);

      const chosen = (name: string) => (name === disk ? 1 : 0);
      const byDisk = new Map([
        [disk, 'number'],
        [other, 'full'],
        ['disk3', 'off'],
        ['disk4', 'invalid'],
      ]);
      assert.deepEqual(samples(home, 'goplot_disk_state'), [
        ...['disk1', 'disk2', 'disk3', 'disk4'].flatMap((name) => stateLines('farm1', name, byDisk.get(name)!)),
        ...stateLines('farm2', 'disk1', 'unmounted'),
      ]);
      const kib = 1024;
      assert.deepEqual(
        samples(home, 'goplot_disk_free_bytes'),
        [
          `goplot_disk_free_bytes{farm="farm1",disk="disk1"} ${90 * gib * kib}`,
          `goplot_disk_free_bytes{farm="farm1",disk="disk2"} ${80 * gib * kib}`,
          'goplot_disk_free_bytes{farm="farm1",disk="disk3"} 0',
          `goplot_disk_free_bytes{farm="farm1",disk="disk4"} ${7 * gib * kib}`,
        ],
        'farm2/disk1, whose df fails, is left out, not 0',
      );
      assert.deepEqual(samples(home, 'goplot_disk_total_bytes'), [
        `goplot_disk_total_bytes{farm="farm1",disk="disk1"} ${100 * gib * kib}`,
        `goplot_disk_total_bytes{farm="farm1",disk="disk2"} ${100 * gib * kib}`,
        `goplot_disk_total_bytes{farm="farm1",disk="disk3"} ${50 * gib * kib}`,
        `goplot_disk_total_bytes{farm="farm1",disk="disk4"} ${8 * gib * kib}`,
      ]);
      assert.deepEqual(samples(home, 'goplot_disk_committed_bytes'), [
        ...['disk1', 'disk2', 'disk3', 'disk4'].map(
          (name) =>
            `goplot_disk_committed_bytes{farm="farm1",disk="${name}"} ${chosen(name) * committedKiB(25, 0) * 1024}`,
        ),
        'goplot_disk_committed_bytes{farm="farm2",disk="disk1"} 0',
      ]);
      assert.deepEqual(samples(home, 'goplot_disk_plots'), [
        ...['disk1', 'disk2', 'disk3', 'disk4'].map(
          (name) => `goplot_disk_plots{farm="farm1",disk="${name}"} ${name === other ? 1 : 0}`,
        ),
        'goplot_disk_plots{farm="farm2",disk="disk1"} 0',
      ]);
      assert.deepEqual(samples(home, 'goplot_collector_success'), ['goplot_collector_success 1']);
      assert.deepEqual(
        samples(home, 'goplot_disk_read_only'),
        [
          ...['disk1', 'disk2', 'disk3', 'disk4'].map((name) => `goplot_disk_read_only{farm="farm1",disk="${name}"} 0`),
          'goplot_disk_read_only{farm="farm2",disk="disk1"} 0',
        ],
        "the temp home is on a writable filesystem, in the kernel's own mount table",
      );
      assert.deepEqual(samples(home, 'goplot_collector_value_present'), [
        ...['disk1', 'disk2', 'disk3', 'disk4'].map(
          (name) => `goplot_collector_value_present{value="space farm1/${name}"} 1`,
        ),
        'goplot_collector_value_present{value="space farm2/disk1"} 0',
        `goplot_collector_value_present{value="space ${home.tempRoot}/1"} 1`,
        'goplot_collector_value_present{value="plot_outcomes"} 1',
      ]);
      await assertPromtoolPasses(home);
      assert.deepEqual(logMessages(home, 'collectors.log'), [
        `wrote ${promFile(home)}`,
        `values missing (left out of goplot.prom): space farm2/disk1 (df: df: ${home.farmRoot}/farm2/disk1: Input/output error)`,
      ]);

      const finished = await tractor;
      assert.equal(finished.exitCode, 0, String(finished.stderr));
      assert.equal(isAlive(plotter), false);
      const again = await collector(home, dfEnv(table));
      assert.equal(again.exitCode, 0, again.stderr);
      assert.deepEqual(samples(home, 'goplot_running_plots'), ['goplot_running_plots 0']);
      for (const running of ['goplot_plot_progress_ratio', 'goplot_plot_phase{', 'goplot_plot_elapsed_seconds']) {
        assert.deepEqual(samples(home, running), [], 'a finished plot leaves no progress, phase or elapsed series');
      }
      assert.deepEqual(
        samples(home, 'goplot_plots_').filter((line) => /^goplot_plots_(started|finished|failed)/.test(line)),
        ['goplot_plots_started 1', 'goplot_plots_started_total 1', ...outcomeLines(1)],
      );
      assert.deepEqual(
        samples(home, 'goplot_plots{'),
        [`goplot_plots{farm="farm1",disk="${disk}",pos="1",k="25",compression="0",kind="solo"} 1`],
        'the finished plot, by its header',
      );
      const chia = 'plot_job="default",plotter="chia"';
      const sum = Number(samples(home, 'goplot_plot_duration_seconds_sum')[0]?.split(' ')[1]);
      assert.ok(sum > 0 && sum <= (Date.now() - spawnedAt) / 1000, `duration sum ${sum}`);
      assert.deepEqual(
        samples(home, 'goplot_plot_duration_seconds_bucket').filter((line) => /le="(300|\+Inf)"/.test(line)),
        [
          `goplot_plot_duration_seconds_bucket{${chia},le="300"} 1`,
          `goplot_plot_duration_seconds_bucket{${chia},le="+Inf"} 1`,
        ],
      );
      assert.deepEqual(samples(home, 'goplot_plot_duration_seconds_count'), [
        `goplot_plot_duration_seconds_count{${chia}} 1`,
      ]);
      assert.deepEqual(
        samples(home, 'goplot_plot_phase_duration_seconds_count'),
        [1, 2, 3, 4].map((n) => `goplot_plot_phase_duration_seconds_count{${chia},phase="${n}"} 1`),
      );
      assert.deepEqual(samples(home, `goplot_disk_plots{farm="farm1",disk="${disk}"}`), [
        `goplot_disk_plots{farm="farm1",disk="${disk}"} 1`,
      ]);
      assert.deepEqual(samples(home, `goplot_disk_committed_bytes{farm="farm1",disk="${disk}"}`), [
        `goplot_disk_committed_bytes{farm="farm1",disk="${disk}"} 0`,
      ]);
      assert.equal(logMessages(home, 'collectors.log').length, 2, 'a second run with nothing new adds no log line');
      await assertPromtoolPasses(home);
    },
  );

  it('names a plot that has no plot.<index>.log by its pid', { timeout: 30_000 }, async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const logFile = path.join(home.root, 'by-hand.log');
    const out = fs.openSync(logFile, 'w');
    const child = spawn(
      'node',
      [
        SIM_PLOTTER,
        'plots',
        'create',
        '-k',
        '25',
        '--override-k',
        '-t',
        path.join(home.tempRoot, '1'),
        '-d',
        path.join(home.farmRoot, 'farm1', 'disk1', 'plots'),
      ],
      { stdio: ['ignore', out, 'ignore'], env: simEnv(30) },
    );
    fs.closeSync(out);
    started.push(child.pid!);
    await waitFor('the plot by hand to start', () => simPlotterPids(home).length > 0);
    const result = await collector(home);
    assert.equal(result.exitCode, 0, result.stderr);
    const labels = `index="pid ${child.pid}",farm="farm1",disk="disk1",plotter="chia"`;
    const [phaseLine] = samples(home, 'goplot_plot_phase');
    assert.match(
      phaseLine ?? '',
      new RegExp(`^goplot_plot_phase\\{${labels.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\} [0-4]$`),
      'its log is read wherever its output goes',
    );
    assert.deepEqual(samples(home, 'goplot_disk_committed_bytes'), [
      `goplot_disk_committed_bytes{farm="farm1",disk="disk1"} ${committedKiB(25, 0) * 1024}`,
    ]);
    child.kill('SIGKILL');
  });
});

describe('the goplot collector with bad input', () => {
  it('exports the value used for a bad config value, marks it invalid and logs it once, then says when it is fixed', async () => {
    const home = farm({ farm1: ['disk1'] });
    home.set('max_plots', 'lots');
    home.set('plot_poll', '0');
    home.set('on_toggle', 'maybe');
    home.set('failures', '2');
    home.set('last_fail', '1800000000');
    home.set('backoff_base', '60');
    const first = await collector(home);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.deepEqual(samples(home, 'goplot_config'), [
      'goplot_config_ontoggle 0',
      'goplot_config_maxplots 3',
      'goplot_config_loadmax 1000',
      'goplot_config_plotpoll 120',
      'goplot_config_plot_gap 0',
      'goplot_config_plotpoll_seconds 120',
      'goplot_config_plot_gap_seconds 0',
      'goplot_config_value_invalid{name="max_plots"} 1',
      'goplot_config_value_invalid{name="plot_poll"} 1',
    ]);
    assert.deepEqual(samples(home, 'goplot_failures'), ['goplot_failures 2']);
    assert.deepEqual(samples(home, 'goplot_backoff_until_timestamp_seconds'), [
      `goplot_backoff_until_timestamp_seconds ${1_800_000_000 + 120}`,
    ]);
    await assertPromtoolPasses(home);
    const said = [
      `${home.configDir}/max_plots.goplot: invalid value "lots" (expected a whole number from 0 to 1000); using 3 (the default)`,
      `${home.configDir}/plot_poll.goplot: invalid value "0" (expected a whole number from 1 to 86400); using 120 (the default)`,
      `wrote ${promFile(home)}`,
    ];
    assert.deepEqual(logMessages(home, 'collectors.log'), said);
    const second = await collector(home);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.deepEqual(logMessages(home, 'collectors.log'), said, 'the same problems are not logged every minute');
    home.set('max_plots', '4');
    const fixed = await collector(home);
    assert.equal(fixed.exitCode, 0, fixed.stderr);
    assert.deepEqual(samples(home, 'goplot_config_maxplots'), ['goplot_config_maxplots 4']);
    assert.deepEqual(samples(home, 'goplot_config_value_invalid'), ['goplot_config_value_invalid{name="plot_poll"} 1']);
    assert.deepEqual(logMessages(home, 'collectors.log'), [...said, 'config/max_plots.goplot: valid again']);
  });

  it('fails clearly and writes nothing when prom_dir does not exist', async () => {
    const home = farm({ farm1: ['disk1'] });
    const missing = path.join(home.root, 'no-such-prom');
    home.set('prom_dir', missing);
    const result = await collector(home);
    assert.equal(result.exitCode, 1);
    const file = path.join(missing, 'goplot.prom');
    const problem = `prom_dir ${missing} is not a directory (make it, or set config/prom_dir.goplot to node_exporter's --collector.textfile.directory)`;
    assert.equal(result.stderr, `goplot_collector: ${problem}`);
    assert.equal(fs.existsSync(missing), false, `${file} is not made where node_exporter does not look`);
    assert.equal((await collector(home)).exitCode, 1);
    assert.equal((await collector(home)).exitCode, 1);
    assert.deepEqual(logMessages(home, 'collectors.log'), [problem], 'said once while it lasts, not every cron run');
  });

  it('keeps the last good values with success 0 when the run itself fails', async () => {
    const home = farm({ farm1: ['disk1'] });
    assert.equal((await collector(home)).exitCode, 0);
    const good = fs.readFileSync(promFile(home), 'utf8');
    const failed = await run(home, ['--proc-dir', path.join(home.root, 'no-proc')]);
    assert.equal(failed.exitCode, 1);
    assert.match(
      failed.stderr,
      /^goplot_collector: collector error: .*no-proc.*; kept the last good values in .*goplot\.prom with goplot_collector_success 0$/,
    );
    assert.equal(
      fs.readFileSync(promFile(home), 'utf8'),
      good.replace(/^goplot_collector_success 1$/m, 'goplot_collector_success 0'),
    );
    await assertPromtoolPasses(home);
  });

  it('leaves a disk that is not a mount point out of the space series while require_mount is yes', async () => {
    const home = farm({ farm1: ['disk1', 'disk2'] });
    home.set('require_mount', 'yes');
    const mountinfo = path.join(home.root, 'mountinfo');
    fs.writeFileSync(
      mountinfo,
      `22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 8:17 / ${home.farmRoot}/farm1/disk2 rw - ext4 /dev/sdb1 rw\n`,
    );
    const result = await collector(home, { GOPLOT_MOUNTINFO: mountinfo });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(
      samples(home, 'goplot_disk_total_bytes').map((line) => line.replace(/ \d+$/, '')),
      ['goplot_disk_total_bytes{farm="farm1",disk="disk2"}'],
    );
    assert.deepEqual(samples(home, 'goplot_collector_value_present'), [
      'goplot_collector_value_present{value="mount_points"} 1',
      'goplot_collector_value_present{value="space farm1/disk1"} 0',
      'goplot_collector_value_present{value="space farm1/disk2"} 1',
      ...['1', '2'].map((temp) => `goplot_collector_value_present{value="space ${home.tempRoot}/${temp}"} 1`),
      'goplot_collector_value_present{value="plot_outcomes"} 1',
    ]);
    assert.deepEqual(samples(home, 'goplot_disk_read_only'), [
      'goplot_disk_read_only{farm="farm1",disk="disk1"} 0',
      'goplot_disk_read_only{farm="farm1",disk="disk2"} 0',
    ]);
    assert.ok(
      logMessages(home, 'collectors.log').includes(
        'values missing (left out of goplot.prom): space farm1/disk1 (not a mount point)',
      ),
    );
  });

  it('marks a disk whose filesystem is mounted read-only (ext4 after errors), whatever require_mount says', async () => {
    const home = farm({ farm1: ['disk1', 'disk2'] });
    home.set('require_mount', 'no');
    const mountinfo = path.join(home.root, 'mountinfo');
    fs.writeFileSync(
      mountinfo,
      [
        '22 1 8:1 / / rw - ext4 /dev/sda1 rw',
        `40 22 8:17 / ${home.farmRoot}/farm1/disk1 rw,relatime - ext4 /dev/sdb1 rw`,
        `41 22 8:33 / ${home.farmRoot}/farm1/disk2 ro,relatime - ext4 /dev/sdc1 ro,errors=remount-ro`,
        '',
      ].join('\n'),
    );
    const result = await collector(home, { GOPLOT_MOUNTINFO: mountinfo });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(samples(home, 'goplot_disk_read_only'), [
      'goplot_disk_read_only{farm="farm1",disk="disk1"} 0',
      'goplot_disk_read_only{farm="farm1",disk="disk2"} 1',
    ]);
    await assertPromtoolPasses(home);
  });

  it('leaves the outcome series out while state/plot-outcomes.json is not an outcomes file, and says so once', async () => {
    const home = farm({});
    fs.mkdirSync(path.join(home.home, 'state'));
    fs.writeFileSync(path.join(home.home, 'state', 'plot-outcomes.json'), '{"version": 1, "series": "oops"}\n');
    const result = await collector(home);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(samples(home, 'goplot_plots_finished_total'), []);
    assert.deepEqual(samples(home, 'goplot_plot_duration_seconds'), []);
    assert.deepEqual(samples(home, 'goplot_collector_value_present{value="plot_outcomes"}'), [
      'goplot_collector_value_present{value="plot_outcomes"} 0',
    ]);
    const said = `values missing (left out of goplot.prom): plot_outcomes (${home.home}/state/plot-outcomes.json: not a plot outcomes file ("{\\"version\\": 1, \\"series\\": \\"oops\\"}\\n"))`;
    assert.deepEqual(logMessages(home, 'collectors.log'), [`wrote ${promFile(home)}`, said]);
    assert.equal((await collector(home)).exitCode, 0);
    assert.deepEqual(
      logMessages(home, 'collectors.log'),
      [`wrote ${promFile(home)}`, said],
      'not said again on every run',
    );
    await assertPromtoolPasses(home);
  });

  it('writes a valid file for an empty farm root, and --help says what it does', async () => {
    const home = farm({});
    const result = await collector(home);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(samples(home, 'goplot_disk_'), []);
    assert.deepEqual(samples(home, 'goplot_running_plots'), ['goplot_running_plots 0']);
    await assertPromtoolPasses(home);
    const help = await run(home, ['--help']);
    assert.equal(help.exitCode, 0);
    assert.match(
      help.stdout,
      /^Usage: goplot_collector \[options\]\n\nWrite goplot's config, state, running plots and disks to <prom_dir>\/goplot\.prom/,
    );
  });
});
