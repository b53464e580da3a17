import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyzePlotLogs, type AnalyzeOptions } from '../../../lib/analyze/analyze-plot-logs.js';
import { formatAnalysis } from '../../../lib/analyze/format-analysis.js';
import { findPlotLogs } from '../../../lib/analyze/find-plot-logs.js';
import {
  asText,
  bladebitRamLog,
  chiaposLog,
  fakePlotId,
  madmaxLog,
  type SyntheticPlot,
} from '../../fixtures/plot-logs/synthetic-logs.js';

const OWN_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'plot-logs');
const NOW = new Date(2023, 2, 3, 12, 0, 0).getTime();
const hoursAgo = (hours: number) => new Date(NOW - hours * 3600_000);

let root: string;
let farmRoot: string;
let extraLog: string;

function writeLog(relative: string, lines: string[] | string, modified: Date): string {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof lines === 'string' ? lines : asText(lines));
  fs.utimesSync(file, modified, modified);
  return file;
}

const plot = (seed: number, start: Date, phaseSeconds: number[], tempDir: string, destDir: string): SyntheticPlot => ({
  plotId: fakePlotId(seed),
  start,
  phaseSeconds,
  tempDir,
  destDir,
});

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-analyze-'));
  farmRoot = path.join(root, 'farm');
  const d1 = `${farmRoot}/f1/d1/plots`;
  const d2 = `${farmRoot}/f1/d2/plots`;
  fs.mkdirSync(d1, { recursive: true });
  fs.mkdirSync(d2, { recursive: true });
  fs.mkdirSync(`${farmRoot}/f2/d1/plots`, { recursive: true });
  const one = plot(1, new Date(2023, 2, 1, 9, 5, 7), [8000, 3300, 6500, 420], '/plot_temp/1', d1);
  writeLog('farm/f1/d1/logs/plot.1.log', chiaposLog(one), hoursAgo(40));
  const two = plot(2, new Date(2023, 2, 1, 20, 0), [2000, 1300, 1300, 80], '/plot_temp/2', d1);
  writeLog('farm/f1/d1/logs/plot.2.log', madmaxLog(two), hoursAgo(36));
  const three = plot(3, new Date(2023, 2, 2, 1, 0), [9000, 3500, 6700, 400], '/plot_temp/2', d2);
  writeLog('farm/f1/d2/logs/plot.3.log', chiaposLog(three), hoursAgo(20));
  writeLog(
    'farm/f2/d1/logs/plot.4.log',
    fs.readFileSync(path.join(OWN_FIXTURES, 'chiapos-failed-in-phase-2.log'), 'utf8'),
    hoursAgo(30),
  );
  const stopped = madmaxLog(
    plot(5, new Date(2023, 2, 2, 6, 0), [2000, 1300, 1300, 80], '/plot_temp/1', `${farmRoot}/f2/d1/plots`),
  );
  writeLog('farm/f2/d1/logs/plot.5.log', stopped.slice(0, 30), hoursAgo(5));
  const live = madmaxLog(
    plot(6, new Date(2023, 2, 3, 11, 0), [2000, 1300, 1300, 80], '/plot_temp/1', `${farmRoot}/f2/d1/plots`),
  );
  writeLog('farm/f2/d1/logs/plot.6.log', live.slice(0, 20), hoursAgo(0.1));
  writeLog('farm/f1/d1/logs/notes.txt', 'not a plot log\n', hoursAgo(1));
  const ram = plot(7, new Date(2023, 2, 2, 8, 30), [300, 45, 200, 15], '/unused', '/mnt/ssd/plots');
  extraLog = writeLog('elsewhere/bladebit.log', bladebitRamLog(ram), hoursAgo(10));
});

after(() => fs.rmSync(root, { recursive: true, force: true }));

const options = (extra: Partial<AnalyzeOptions> = {}): AnalyzeOptions => ({
  farmRoot,
  logFiles: [path.dirname(extraLog)],
  now: () => NOW,
  ...extra,
});

describe('findPlotLogs', () => {
  it('finds plot.<n>.log in every disk`s logs folder plus the logs in a given folder, with farm, disk and index', () => {
    const found = findPlotLogs({ farmRoot, paths: [path.dirname(extraLog), path.join(root, 'missing.log')] });
    const summary = found.logs.map((log) => [path.relative(root, log.file), log.farm, log.disk, log.index]);
    assert.deepEqual(summary, [
      ['farm/f1/d1/logs/plot.1.log', 'f1', 'd1', 1],
      ['farm/f1/d1/logs/plot.2.log', 'f1', 'd1', 2],
      ['farm/f1/d2/logs/plot.3.log', 'f1', 'd2', 3],
      ['farm/f2/d1/logs/plot.4.log', 'f2', 'd1', 4],
      ['farm/f2/d1/logs/plot.5.log', 'f2', 'd1', 5],
      ['farm/f2/d1/logs/plot.6.log', 'f2', 'd1', 6],
      ['elsewhere/bladebit.log', null, null, null],
    ]);
    assert.deepEqual(found.problems, [`cannot read ${path.join(root, 'missing.log')}: ENOENT; left out`]);
  });

  it('says once that farm_root is missing instead of failing', () => {
    const found = findPlotLogs({ farmRoot: path.join(root, 'nofarm') });
    assert.deepEqual(found, {
      logs: [],
      problems: [`farm_root ${path.join(root, 'nofarm')} does not exist; no farm logs read`],
    });
  });
});

describe('analyzePlotLogs and formatAnalysis on a small known farm', () => {
  it('groups the finished plots` times and lists the failed, unfinished and running ones (JSON)', () => {
    const result = analyzePlotLogs(options());
    const iso = (...parts: number[]) =>
      new Date(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5] ?? 0).toISOString();
    assert.equal(result.generatedAt, new Date(NOW).toISOString());
    assert.deepEqual(result.counts, {
      logs: 7,
      plots: 7,
      finished: 4,
      running: 1,
      failed: 1,
      unfinished: 1,
      beforeSince: 0,
    });
    const one = (n: number) => ({ count: 1, mean: n, min: n, max: n });
    assert.deepEqual(result.byPlotter, [
      { key: 'bladebit-ram k32', plots: 1, phases: [one(300), one(45), one(200), one(15)], total: one(560) },
      {
        key: 'chia k32',
        plots: 2,
        phases: [
          { count: 2, mean: 8500, min: 8000, max: 9000 },
          { count: 2, mean: 3400, min: 3300, max: 3500 },
          { count: 2, mean: 6600, min: 6500, max: 6700 },
          { count: 2, mean: 410, min: 400, max: 420 },
        ],
        total: { count: 2, mean: 18910, min: 18220, max: 19600 },
      },
      { key: 'madmax k32', plots: 1, phases: [one(2000), one(1300), one(1300), one(80)], total: one(4680) },
    ]);
    assert.deepEqual(
      result.byTempDir.map((group) => [group.key, group.plots, group.total.mean]),
      [
        ['(none)', 1, 560],
        ['/plot_temp/1', 1, 18220],
        ['/plot_temp/2', 2, 12140],
      ],
    );
    assert.deepEqual(
      result.byDestination.map((group) => [group.key, group.plots, group.phases[0]]),
      [
        ['/mnt/ssd/plots', 1, one(300)],
        ['f1/d1', 2, { count: 2, mean: 5000, min: 2000, max: 8000 }],
        ['f1/d2', 1, one(9000)],
      ],
    );
    assert.deepEqual(result.perDay, [
      // chia 09:05 + 5h03m and madmax 20:00 + 1h18m end on the 1st; the other two on the 2nd.
      { day: '2023-03-01', plots: 2 },
      { day: '2023-03-02', plots: 2 },
    ]);
    const file = (relative: string) => path.join(root, relative);
    assert.deepEqual(result.failed, [
      {
        index: 4,
        file: file('farm/f2/d1/logs/plot.4.log'),
        destination: 'f2/d1',
        plotter: 'chia',
        plotId: 'd4'.repeat(32),
        state: 'failed',
        phase: 2,
        phaseCount: 4,
        progress: 0.334,
        startedAt: iso(2023, 1, 2, 3, 4, 5),
        lastModified: hoursAgo(30).toISOString(),
      },
    ]);
    assert.deepEqual(
      result.unfinished.map((p) => [p.index, p.state, p.phase, p.progress, p.startedAt]),
      // Cut after 7 of the 12 phase-2 steps.
      [[5, 'unfinished', 2, Math.round((0.43 + (0.28 * 7) / 12) * 1e6) / 1e6, iso(2023, 3, 2, 6, 0)]],
    );
    assert.deepEqual(
      result.running.map((p) => [p.index, p.state, p.phase, p.startedAt]),
      [[6, 'running', 1, iso(2023, 3, 3, 11, 0)]],
    );
    assert.deepEqual(result.problems, []);
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'the result survives JSON unchanged');
  });

  it('prints aligned tables', () => {
    const text = formatAnalysis(analyzePlotLogs(options()));
    const file = (relative: string) => path.join(root, relative);
    assert.equal(
      text,
      [
        '7 plots in 7 logs: 4 finished, 1 running, 1 failed, 1 unfinished',
        '',
        'Mean times of finished plots, by plotter',
        'plotter           plots     phase 1  phase 2     phase 3  phase 4  total mean   total min   total max',
        'bladebit-ram k32      1      5m 00s      45s      3m 20s      15s      9m 20s      9m 20s      9m 20s',
        'chia k32              2  2h 21m 40s  56m 40s  1h 50m 00s   6m 50s  5h 15m 10s  5h 03m 40s  5h 26m 40s',
        'madmax k32            1     33m 20s  21m 40s     21m 40s   1m 20s  1h 18m 00s  1h 18m 00s  1h 18m 00s',
        '',
        'By temp dir (a plot counts under each temp dir it used)',
        'temp dir      plots     phase 1  phase 2     phase 3  phase 4  total mean   total min   total max',
        '(none)            1      5m 00s      45s      3m 20s      15s      9m 20s      9m 20s      9m 20s',
        '/plot_temp/1      1  2h 13m 20s  55m 00s  1h 48m 20s   7m 00s  5h 03m 40s  5h 03m 40s  5h 03m 40s',
        '/plot_temp/2      2  1h 31m 40s  40m 00s  1h 06m 40s   4m 00s  3h 22m 20s  1h 18m 00s  5h 26m 40s',
        '',
        'By destination disk',
        'destination     plots     phase 1  phase 2     phase 3  phase 4  total mean   total min   total max',
        '/mnt/ssd/plots      1      5m 00s      45s      3m 20s      15s      9m 20s      9m 20s      9m 20s',
        'f1/d1               2  1h 23m 20s  38m 20s  1h 05m 00s   4m 10s  3h 10m 50s  1h 18m 00s  5h 03m 40s',
        'f1/d2               1  2h 30m 00s  58m 20s  1h 51m 40s   6m 40s  5h 26m 40s  5h 26m 40s  5h 26m 40s',
        '',
        'Plots finished per day',
        'day         plots',
        '2023-03-01      2',
        '2023-03-02      2',
        '',
        'Failed plots (the log shows an error)',
        'index  destination  plotter  phase  progress  started           last write        log',
        `    4  f2/d1        chia       2/4     33.4%  2023-01-02 03:04  2023-03-02 06:00  ${file('farm/f2/d1/logs/plot.4.log')}`,
        '',
        'Unfinished plots (stopped without finishing)',
        'index  destination  plotter  phase  progress  started           last write        log',
        `    5  f2/d1        madmax     2/4     59.3%  2023-03-02 06:00  2023-03-03 07:00  ${file('farm/f2/d1/logs/plot.5.log')}`,
        '',
        'Running plots',
        'index  destination  plotter  phase  progress  started           last write        log',
        `    6  f2/d1        madmax     1/4     36.0%  2023-03-03 11:00  2023-03-03 11:54  ${file('farm/f2/d1/logs/plot.6.log')}`,
        '',
      ].join('\n'),
    );
  });

  it('leaves out plots started before `since` and says how many', () => {
    const result = analyzePlotLogs(options({ since: new Date(2023, 2, 2, 0, 0) }));
    assert.deepEqual(result.counts, {
      logs: 7,
      plots: 4,
      finished: 2,
      running: 1,
      failed: 0,
      unfinished: 1,
      beforeSince: 3,
    });
    assert.deepEqual(
      result.byPlotter.map((group) => [group.key, group.plots]),
      [
        ['bladebit-ram k32', 1],
        ['chia k32', 1],
      ],
    );
    assert.match(formatAnalysis(result), /^since 2023-03-02 00:00; 3 plots started before that are left out$/m);
  });

  it('asks the process table, when given, whether a plot still runs', () => {
    const result = analyzePlotLogs(options({ isLogOpen: (file) => file.endsWith('plot.5.log') }));
    assert.deepEqual(
      result.running.map((p) => p.index),
      [5],
    );
    assert.deepEqual(
      result.unfinished.map((p) => p.index),
      [6],
    );
  });

  it('reads only the given logs when told not to scan the farm', () => {
    const result = analyzePlotLogs(options({ scanFarm: false, logFiles: [extraLog] }));
    assert.deepEqual(result.counts, {
      logs: 1,
      plots: 1,
      finished: 1,
      running: 0,
      failed: 0,
      unfinished: 0,
      beforeSince: 0,
    });
  });

  it('reports an empty farm plainly', () => {
    const result = analyzePlotLogs({ farmRoot: path.join(root, 'nofarm'), now: () => NOW });
    assert.equal(
      formatAnalysis(result),
      [
        '0 plots in 0 logs: 0 finished, 0 running, 0 failed, 0 unfinished',
        '',
        'No finished plots to time.',
        '',
        'Problems',
        `- farm_root ${path.join(root, 'nofarm')} does not exist; no farm logs read`,
        '',
      ].join('\n'),
    );
  });
});
