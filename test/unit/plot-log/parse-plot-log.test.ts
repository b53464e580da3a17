import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createPlotLogParser,
  parsePlotLog,
  parsePlotLogPlots,
  PHASE_WEIGHTS,
  type PlotLogInfo,
} from '../../../lib/plot-log/parse-plot-log.js';
import {
  asText,
  bladebitCudaLog,
  bladebitDiskLog,
  bladebitRamLog,
  chiaposLog,
  fakePlotId,
  madmaxLog,
  type SyntheticPlot,
} from '../../fixtures/plot-logs/synthetic-logs.js';

const OWN_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'plot-logs');
const readOwn = (name: string) => fs.readFileSync(path.join(OWN_FIXTURES, name), 'utf8');

/** Feeds `text` line by line and returns the info after each line. */
function infoAfterEachLine(text: string): PlotLogInfo[] {
  const parser = createPlotLogParser();
  return text.split(/(?<=\n)/).map((line) => {
    parser.push(line);
    return parser.info();
  });
}

function assertProgressNeverGoesDown(name: string, text: string): void {
  let previous = 0;
  infoAfterEachLine(text).forEach((info, index) => {
    assert.ok(
      info.progress >= previous,
      `${name}: progress went from ${previous} to ${info.progress} at line ${index + 1}`,
    );
    assert.ok(info.progress <= 1, `${name}: progress ${info.progress} above 1 at line ${index + 1}`);
    if (info.status !== 'finished')
      assert.ok(info.progress < 1, `${name}: progress 1 before finished at line ${index + 1}`);
    previous = info.progress;
  });
}

const local = (...parts: [number, number, number, number, number, number?]) =>
  new Date(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5] ?? 0);

/** What a finished real log must give, beyond status 'finished' and progress 1. */
const REAL_EXPECTED: Record<string, Partial<PlotLogInfo>> = {
  'plotman/chianetwork.plot.log': {
    plotter: 'chia',
    plotId: 'd2540dcfcffddbfbd7e60b4aca4d54fb937db71991298fabc253f020a87ff7d4',
    plotName: 'plot-k32-2021-07-14-22-33-d2540dcfcffddbfbd7e60b4aca4d54fb937db71991298fabc253f020a87ff7d4',
    k: 32,
    buckets: 128,
    threads: 4,
    tempDirs: ['/farm/yards/902', '/farm/yards/902/fake_tmp2'],
    destDir: '/farm/yards/902/fake_dst',
    phase: 4,
    phaseCount: 4,
    phaseSeconds: [8134.66, 3304.86, 6515.266, 425.637],
    totalSeconds: 18380.426,
    startedAt: local(2021, 7, 14, 22, 33, 24),
    finalFile:
      '/farm/yards/902/fake_dst/plot-k32-2021-07-14-22-33-d2540dcfcffddbfbd7e60b4aca4d54fb937db71991298fabc253f020a87ff7d4.plot',
  },
  'plotman/2021-04-04T19_00_47.681088-0400.log': {
    plotter: 'chia',
    plotId: '3eb8a37981de1cc76187a36ed947ab4307943cf92967a7e166841186c7899e24',
    plotName: 'plot-k32-2021-04-04-19-00-3eb8a37981de1cc76187a36ed947ab4307943cf92967a7e166841186c7899e24',
    k: 32,
    buckets: 128,
    threads: 4,
    tempDirs: ['/farm/yards/901'],
    destDir: '/farm/wagons/801',
    phaseSeconds: [17571.981, 6911.621, 14537.188, 924.288],
    totalSeconds: 39945.08,
    startedAt: local(2021, 4, 4, 19, 0, 50),
    finalFile:
      '/farm/wagons/801/plot-k32-2021-04-04-19-00-3eb8a37981de1cc76187a36ed947ab4307943cf92967a7e166841186c7899e24.plot',
  },
  'plotman/2021-07-11T16_52_48.637488+00_00.plot.log': {
    plotter: 'madmax',
    plotId: '3a3872f5a124497a17fb917dfe027802aa1867f8b0a8cbac558ed12aa5b697b2',
    k: 32,
    buckets: 256,
    threads: 9,
    tempDirs: ['/farm/yards/907'],
    destDir: '/farm/yards/907',
    phaseSeconds: [1851.12, 1344.24, 1002.89, 77.9891],
    totalSeconds: 4276.32,
    startedAt: local(2021, 7, 11, 16, 52),
    finalFile:
      '/farm/yards/907/plot-k32-2021-07-11-16-52-3a3872f5a124497a17fb917dfe027802aa1867f8b0a8cbac558ed12aa5b697b2.plot',
  },
  'plotman/madmax.plot.log': {
    plotter: 'madmax',
    plotId: '522acbd6308af7e229281352f746449134126482cfabd51d38e0f89745d21698',
    k: 32,
    buckets: 256,
    threads: 8,
    tempDirs: ['/farm/yards/902', '/farm/yards/902/fake_tmp2'],
    destDir: '/farm/yards/902/fake_dst',
    phaseSeconds: [2197.52, 1363.42, 1320.47, 86.9555],
    totalSeconds: 4968.41,
    startedAt: local(2021, 7, 14, 21, 56),
    finalFile:
      '/farm/yards/902/fake_dst/plot-k32-2021-07-14-21-56-522acbd6308af7e229281352f746449134126482cfabd51d38e0f89745d21698.plot',
  },
  'plotman/madmax-k33-edited.plot.log': {
    plotter: 'madmax',
    plotName: 'plot-k33-2021-07-14-21-56-522acbd6308af7e229281352f746449134126482cfabd51d38e0f89745d21698',
    k: 33,
    phaseSeconds: [2197.52, 1363.42, 1320.47, 86.9555],
    totalSeconds: 4968.41,
  },
  'plotman/bladebit.plot.log': {
    plotter: 'bladebit-ram',
    plotId: '1fc7b57baae24da78e3bea44d58ab51f162a3ed4d242bab2fbcc24f6577d88b3',
    k: 32,
    buckets: null,
    threads: 88,
    tempDirs: [],
    destDir: '/mnt/tmp/01/manual-transfer',
    phaseCount: 4,
    phaseSeconds: [313.98, 44.6, 203.26, 1.11],
    totalSeconds: 582.91,
    startedAt: local(2021, 8, 29, 22, 22),
    finalFile:
      '/mnt/tmp/01/manual-transfer/plot-k32-2021-08-29-22-22-1fc7b57baae24da78e3bea44d58ab51f162a3ed4d242bab2fbcc24f6577d88b3.plot',
  },
  'plotman/bladebit2disk.plot.log': {
    plotter: 'bladebit-disk',
    plotId: '8f781fecff9d78b83b7116580af550b62530a623750738a19dcea498a7a73010',
    k: 32,
    buckets: 256,
    threads: 64,
    tempDirs: ['/farm/yards/907/1', '/farm/yards/907/2'],
    destDir: '/farm/yards/907/d',
    phase: 3,
    phaseCount: 3,
    phaseSeconds: [526.48, 100.36, 562.95],
    totalSeconds: 1189.79,
    startedAt: local(2022, 5, 4, 0, 44),
    finalFile:
      '/farm/yards/907/d/plot-k32-2022-05-04-00-44-8f781fecff9d78b83b7116580af550b62530a623750738a19dcea498a7a73010.plot',
  },
  'other/madmax_2021-06_k32-u256-early-format-excerpt_chia-plotter-README.log': {
    plotter: 'madmax',
    plotId: null,
    plotName: null,
    k: null,
    buckets: 256,
    threads: 16,
    tempDirs: ['/mnt/tmp3/chia/tmp', '/mnt/tmp3/chia/tmp/ram'],
    destDir: null,
    phaseSeconds: [1092.2, 620.488, 733.323, 84.6697],
    totalSeconds: 2530.76,
    startedAt: null,
    finalFile: null,
  },
};

describe('parsePlotLog on real plotter logs', () => {
  for (const [file, expected] of Object.entries(REAL_EXPECTED)) {
    it(`reads ${file} as a finished plot with its ids, dirs and phase times`, () => {
      const info = parsePlotLog(readOwn(file));
      assert.equal(info.status, 'finished');
      assert.equal(info.progress, 1);
      assert.equal(info.phase, info.phaseCount);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(info[key as keyof PlotLogInfo], value, `${file}: ${key}`);
      }
    });
    it(`never lowers progress while ${file} is fed line by line`, () => {
      assertProgressNeverGoesDown(file, readOwn(file));
    });
  }

  it('gives the same result whatever the chunk boundaries (the view appends what it reads)', () => {
    const text = readOwn('plotman/chianetwork.plot.log');
    const parser = createPlotLogParser();
    for (let at = 0; at < text.length; at += 4093) parser.push(text.slice(at, at + 4093));
    assert.deepEqual(parser.info(), parsePlotLog(text));
  });

  it('agrees with plotman`s per-line phase marks, except where the phase conventions differ', () => {
    // plotman says 5 once a plot is done or copying; here a phase starts when the previous one
    // ends, for every plotter (plotman moves chiapos at the next `Starting phase` line, and madmax
    // one line later for phase 1); plotman gives bladebit diskplot's final write a 4th phase.
    const exceptions: Record<string, (line: string, major: number) => number> = {
      chianetwork: (() => {
        let betweenPhases = false;
        return (line: string, major: number) => {
          if (/^Time for phase [123] =/.test(line)) betweenPhases = true;
          if (/^Starting phase/.test(line)) betweenPhases = false;
          return betweenPhases ? major + 1 : major;
        };
      })(),
      madmax: (line, major) => (/^Phase 1 took/.test(line) ? major + 1 : major),
      'madmax-k33-edited': (line, major) => (/^Phase 1 took/.test(line) ? major + 1 : major),
      bladebit: (_line, major) => major,
      bladebit2disk: (_line, major) => Math.min(major, 3),
    };
    for (const [name, expectedPhase] of Object.entries(exceptions)) {
      const parser = createPlotLogParser();
      const marked = readOwn(`plotman/${name}.marked`).split('\n').filter(Boolean);
      marked.forEach((entry, index) => {
        const comma = entry.indexOf(',');
        const major = Number(entry.slice(0, entry.indexOf(':')));
        const line = entry.slice(comma + 1);
        parser.push(`${line}\n`);
        const info = parser.info();
        const mine = Math.min(info.phase, 4);
        const want = Math.min(expectedPhase(line, major), info.phaseCount);
        assert.equal(mine, want, `${name} line ${index + 1} (${line.slice(0, 50)})`);
      });
    }
  });

  it('reports a log cut in phase 3 as running in phase 3 with progress between the phase bounds', () => {
    const lines = readOwn('plotman/chianetwork.plot.log').split('\n');
    const info = parsePlotLog(lines.slice(0, 1000).join('\n'));
    assert.equal(info.status, 'running');
    assert.equal(info.phase, 3);
    assert.deepEqual(info.phaseSeconds, [8134.66, 3304.86, null, null]);
    assert.equal(info.totalSeconds, null);
    assert.equal(info.finalFile, null);
    assert.ok(info.progress > 0.5383 && info.progress < 0.9612, `progress ${info.progress}`);
  });

  it('keeps a chiapos plot running at 0.99 while it is copied (Total time seen, no rename yet)', () => {
    const lines = readOwn('plotman/chianetwork.plot.log').split('\n');
    const copying = lines.findIndex((line) => line.startsWith('Copy time ='));
    const info = parsePlotLog(lines.slice(0, copying + 1).join('\n'));
    assert.equal(info.status, 'running');
    assert.equal(info.phase, 4);
    assert.equal(info.totalSeconds, 18380.426);
    assert.equal(info.progress, 0.99);
  });
});

const basePlot = (overrides: Partial<SyntheticPlot> = {}): SyntheticPlot => ({
  plotId: fakePlotId(7),
  start: new Date(2023, 2, 1, 9, 5, 7),
  phaseSeconds: [8000, 3300, 6500, 420],
  tempDir: '/plot_temp/1',
  tempDir2: '/plot_temp/2',
  destDir: '/farm/f1/d1/plots',
  ...overrides,
});

describe('chiapos progress does not depend on the bucket count', () => {
  const weights = PHASE_WEIGHTS.chia;
  const boundaries = [weights[0], weights[0] + weights[1], weights[0] + weights[1] + weights[2]];
  const curves: Record<number, number[]> = {};

  for (const buckets of [16, 64, 128, 256]) {
    it(`puts each phase end of a ${buckets}-bucket log at the summed phase weights`, () => {
      const lines = chiaposLog(basePlot({ buckets }));
      const infos = infoAfterEachLine(asText(lines));
      const atPhaseEnd = (phase: number) =>
        infos[lines.findIndex((line) => line.startsWith(`Time for phase ${phase} =`))];
      for (const phase of [1, 2, 3])
        assert.equal(atPhaseEnd(phase).progress, Math.round(boundaries[phase - 1] * 1e6) / 1e6);
      assert.equal(atPhaseEnd(4).progress, 0.99);
      assert.equal(infos[infos.length - 1].progress, 1);
      assert.equal(infos[infos.length - 1].buckets, buckets);
      // The curve at every table and pass marker, to compare across bucket counts.
      curves[buckets] = lines
        .map((line, index) =>
          /^(Computing table|Backpropagating|Compressing tables|\tFirst computation|\tFinished writing)/.test(line)
            ? infos[index].progress
            : -1,
        )
        .filter((progress) => progress >= 0);
      assertProgressNeverGoesDown(`chiapos -u ${buckets}`, asText(lines));
    });
  }

  it('gives the same progress at every table marker for 16, 64, 128 and 256 buckets', () => {
    assert.equal(curves[16].length, 7 + 6 + 6 + 6 + 2);
    for (const buckets of [64, 128, 256]) assert.deepEqual(curves[buckets], curves[16], `${buckets} buckets`);
  });

  it('moves with the buckets inside a table: halfway through table 2 is halfway through its share', () => {
    for (const buckets of [16, 256]) {
      const lines = chiaposLog(basePlot({ buckets }));
      const table2 = lines.indexOf('Computing table 2');
      const half = parsePlotLog(asText(lines.slice(0, table2 + 1 + buckets / 2)));
      const start = parsePlotLog(asText(lines.slice(0, table2 + 1))).progress;
      const end = parsePlotLog(asText(lines.slice(0, table2 + buckets + 3))).progress;
      assert.ok(Math.abs(half.progress - (start + end) / 2) < 1e-5, `${buckets}: ${start} ${half.progress} ${end}`);
    }
  });
});

describe('parsePlotLog on synthetic logs of every plotter', () => {
  const plot = basePlot({ phaseSeconds: [400, 60, 300, 20], threads: 16 });

  it('reads a chiapos log with ANSI colours and CRLF line ends like one with plain LF', () => {
    const lines = chiaposLog(basePlot({ buckets: 32 }));
    assert.deepEqual(parsePlotLog(lines.join('\r\n')), parsePlotLog(asText(lines)));
  });

  it('gives the same info when a growing CRLF log is appended in pieces as when it is read whole', () => {
    const lines = chiaposLog(basePlot({ buckets: 64 }));
    const crlf = lines.map((line) => `${line}\r\n`).join('');
    const parser = createPlotLogParser();
    for (let at = 0; at < crlf.length; at += 997) parser.push(crlf.slice(at, at + 997));
    assert.deepEqual(parser.info(), parsePlotLog(asText(lines)));
    assert.equal(parser.info().status, 'finished');
  });

  it('reads a bladebit RAM log', () => {
    const info = parsePlotLog(asText(bladebitRamLog(plot)));
    assert.equal(info.plotter, 'bladebit-ram');
    assert.equal(info.plotId, plot.plotId);
    assert.equal(info.plotName, `plot-k32-2023-03-01-09-05-${plot.plotId}`);
    assert.deepEqual(info.phaseSeconds, [400, 60, 300, 20]);
    assert.equal(info.totalSeconds, 780);
    assert.equal(info.threads, 16);
    assert.equal(info.destDir, '/farm/f1/d1/plots');
    assert.equal(info.finalFile, `/farm/f1/d1/plots/plot-k32-2023-03-01-09-05-${plot.plotId}.plot`);
    assert.equal(info.status, 'finished');
    assertProgressNeverGoesDown('bladebit ram', asText(bladebitRamLog(plot)));
  });

  it('reads a bladebit diskplot log as three phases', () => {
    const info = parsePlotLog(asText(bladebitDiskLog(plot)));
    assert.equal(info.plotter, 'bladebit-disk');
    assert.equal(info.phaseCount, 3);
    assert.deepEqual(info.phaseSeconds, [400, 60, 300]);
    assert.equal(info.totalSeconds, 760);
    assert.deepEqual(info.tempDirs, ['/plot_temp/1', '/plot_temp/2']);
    assert.equal(info.buckets, 256);
    assert.equal(info.finalFile, `/farm/f1/d1/plots/plot-k32-2023-03-01-09-05-${plot.plotId}.plot`);
    assert.equal(info.status, 'finished');
    assertProgressNeverGoesDown('bladebit disk', asText(bladebitDiskLog(plot)));
  });

  it('reads a bladebit cudaplot log from `chia plotters` (time prefixes), counting the final write as phase 4', () => {
    const lines = bladebitCudaLog(plot, 7);
    const info = parsePlotLog(asText(lines));
    assert.equal(info.plotter, 'bladebit-cuda');
    assert.equal(info.plotName, `plot-k32-c07-2023-03-01-09-05-${plot.plotId}`);
    assert.deepEqual(info.phaseSeconds, [400, 60, 300, 20]);
    assert.equal(info.totalSeconds, 780);
    assert.deepEqual(info.startedAt, new Date(2023, 2, 1, 9, 5));
    assert.equal(info.finalFile, `/farm/f1/d1/plots/plot-k32-c07-2023-03-01-09-05-${plot.plotId}.plot`);
    assert.equal(info.status, 'finished');
    const written = parsePlotLog(asText(lines.slice(0, -1)));
    assert.equal(written.status, 'running');
    assert.equal(written.phase, 4);
    assertProgressNeverGoesDown('bladebit cuda', asText(lines));
  });

  it('reads a madmax log whose final dir is its temp dir as finished without copy lines', () => {
    const info = parsePlotLog(asText(madmaxLog(basePlot({ tempDir2: '/farm/f1/d1/plots' }))));
    assert.equal(info.status, 'finished');
    assert.equal(info.finalFile, `/farm/f1/d1/plots/plot-k32-2023-03-01-09-05-${plot.plotId}.plot`);
  });

  it('keeps a madmax plot running until its copy to another dir ends', () => {
    const lines = madmaxLog(plot);
    const copying = parsePlotLog(asText(lines.slice(0, -1)));
    assert.equal(copying.status, 'running');
    assert.equal(copying.progress, 0.99);
    assert.equal(parsePlotLog(asText(lines)).status, 'finished');
  });
});

describe('parsePlotLog on the project`s own odd logs', () => {
  it('reads a Windows chia GUI log with 16 buckets and CRLF, cut in phase 3', () => {
    const info = parsePlotLog(readOwn('chiapos-windows-16-buckets-truncated.log'));
    const id = 'c1ffee6789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    assert.deepEqual(
      { ...info, startedAt: info.startedAt?.getTime() },
      {
        plotter: 'chia',
        plotId: id,
        plotName: `plot-k32-2021-05-10-08-05-${id}`,
        k: 32,
        buckets: 16,
        threads: 2,
        tempDirs: ['F:\\temp1', 'F:\\temp2'],
        destDir: 'E:\\plots',
        phase: 3,
        phaseCount: 4,
        progress: Math.round((0.5383 + (0.4229 * ((5 / 16) * 0.5)) / 6) * 1e6) / 1e6,
        phaseSeconds: [12901.215, 3300.5, null, null],
        totalSeconds: null,
        startedAt: new Date(2021, 4, 10, 8, 5, 31).getTime(),
        status: 'running',
        finalFile: null,
      },
    );
  });

  it('reports the last plot of a madmax -n 2 log and marks the first finished when its copy ends late', () => {
    const text = readOwn('madmax-two-plots-second-running.log');
    const last = parsePlotLog(text);
    assert.equal(last.plotId, 'b2'.repeat(32));
    assert.equal(last.status, 'running');
    assert.equal(last.phase, 2);
    assert.equal(last.threads, 16);
    assert.equal(last.buckets, 128);
    assert.deepEqual(last.tempDirs, ['/plot_temp/1']);
    assert.deepEqual(last.phaseSeconds, [1222.1, null, null, null]);
    const [first, second] = parsePlotLogPlots(text);
    assert.equal(first.plotId, 'a1'.repeat(32));
    assert.equal(first.status, 'finished');
    assert.equal(first.totalSeconds, 2699.35);
    assert.equal(first.finalFile, `/farm/f1/d1/plots/plot-k32-2023-03-01-10-00-${'a1'.repeat(32)}.plot`);
    assert.deepEqual(second, last);
  });

  it('marks a chiapos plot that died with a traceback as failed, keeping its last phase', () => {
    const info = parsePlotLog(readOwn('chiapos-failed-in-phase-2.log'));
    assert.equal(info.status, 'failed');
    assert.equal(info.phase, 2);
    assert.equal(info.buckets, 64);
    assert.deepEqual(info.phaseSeconds, [6150, null, null, null]);
    // It stopped right after phase 2 began on table 7.
    assert.equal(info.progress, 0.334);
  });

  it('says unknown, phase 0, for text from no plotter', () => {
    const info = parsePlotLog('hello\nworld\n');
    assert.equal(info.plotter, 'unknown');
    assert.equal(info.phase, 0);
    assert.equal(info.progress, 0);
    assert.equal(info.status, 'running');
  });
});
