import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { HarvesterMetrics } from '../../../lib/harvester/harvester-metrics.js';
import { parseHarvesterLine, readLoggedAtMs, type HarvesterLine } from '../../../lib/harvester/parse-harvester-line.js';
import { recordHarvesterChunk } from '../../../lib/harvester/record-harvester-chunk.js';
import { scanHarvesterLines } from '../../../lib/harvester/scan-harvester-lines.js';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';

const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'debug-logs');

function linesOf(file: string): HarvesterLine[] {
  const found: HarvesterLine[] = [];
  scanHarvesterLines(fs.readFileSync(file), (text) => {
    const line = parseHarvesterLine(text);
    if (line) found.push(line);
  });
  return found;
}

interface Totals {
  challenges: number;
  eligible: number;
  proofs: number;
  v2Qualities: number;
  slowWarnings: number;
  refreshes: number;
  unparsed: number;
  lastTotalPlots: number | null;
}

function totalsOf(lines: HarvesterLine[]): Totals {
  const totals: Totals = {
    challenges: 0,
    eligible: 0,
    proofs: 0,
    v2Qualities: 0,
    slowWarnings: 0,
    refreshes: 0,
    unparsed: 0,
    lastTotalPlots: null,
  };
  for (const line of lines) {
    if (line.kind === 'challenge') {
      totals.challenges++;
      totals.eligible += line.eligiblePlots;
      totals.proofs += line.proofs;
      totals.v2Qualities += line.v2Qualities;
      totals.lastTotalPlots = line.totalPlots;
    } else if (line.kind === 'slow-plot-lookup') totals.slowWarnings++;
    else if (line.kind === 'plot-refresh') {
      totals.refreshes++;
      totals.lastTotalPlots = line.totalPlots;
    } else totals.unparsed++;
  }
  return totals;
}

describe('parseHarvesterLine', () => {
  it('reads a 1.0 line with the src. logger name and no date', () => {
    assert.deepEqual(
      parseHarvesterLine(
        '08:14:20.941 harvester src.harvester.harvester : INFO     1 plots were eligible for farming 7a1c93e0b4... Found 1 proofs. Time: 0.63120 s. Total 58 plots',
      ),
      {
        kind: 'challenge',
        eligiblePlots: 1,
        proofs: 1,
        v2Qualities: 0,
        lookupSeconds: 0.6312,
        totalPlots: 58,
        loggedAt: null,
      },
    );
  });

  it('reads a 2.x line with the version token after the date', () => {
    assert.deepEqual(
      parseHarvesterLine(
        '2024-03-11T21:05:36.284 2.2.1 harvester chia.harvester.harvester: INFO     14 plots were eligible for farming 4d2e8a0f63... Found 1 proofs. Time: 2.41877 s. Total 1480 plots',
      ),
      {
        kind: 'challenge',
        eligiblePlots: 14,
        proofs: 1,
        v2Qualities: 0,
        lookupSeconds: 2.41877,
        totalPlots: 1480,
        loggedAt: '2024-03-11T21:05:36.284',
      },
    );
  });

  it('reads the 2.5.7+ line with V1 proofs and V2 qualities, the eligible count right after the dots', () => {
    assert.deepEqual(
      parseHarvesterLine(
        '2025-12-01T09:00:22.047 2.5.7 harvester chia.harvester.harvester: INFO     challenge_hash: 93c0ad51fe ...15 plots were eligible for farming challengeFound 3 V1 proofs and 2 V2 qualities. Time: 0.12001 s. Total 721 plots',
      ),
      {
        kind: 'challenge',
        eligiblePlots: 15,
        proofs: 3,
        v2Qualities: 2,
        lookupSeconds: 0.12001,
        totalPlots: 721,
        loggedAt: '2025-12-01T09:00:22.047',
      },
    );
  });

  it('reads the per-plot slow lookup warning and the plot refresh total', () => {
    assert.deepEqual(
      parseHarvesterLine(
        '2021-06-02T03:10:45.118 harvester chia.harvester.harvester: WARNING  Looking up qualities on /mnt/a.plot took: 6.80213909149170. This should be below 5 seconds to minimize risk of losing rewards.',
      ),
      { kind: 'slow-plot-lookup', seconds: 6.8021390914917, loggedAt: '2021-06-02T03:10:45.118' },
    );
    assert.deepEqual(
      parseHarvesterLine(
        '2024-03-11T21:05:17.404 2.2.1 harvester chia.harvester.harvester: INFO     _plot_refresh_callback: event done, loaded 12, removed 0, processed 1480, remaining 0, duration: 3.41 seconds, total plots: 1480',
      ),
      { kind: 'plot-refresh', totalPlots: 1480, loggedAt: '2024-03-11T21:05:17.404' },
    );
  });

  it('reads a well-formed line the fast path does not know (an exponent in the time) through the regex', () => {
    assert.deepEqual(
      parseHarvesterLine(
        '2 plots were eligible for farming 81be3c0d94... Found 0 proofs. Time: 1e-05 s. Total 9 plots',
      ),
      {
        kind: 'challenge',
        eligiblePlots: 2,
        proofs: 0,
        v2Qualities: 0,
        lookupSeconds: 0.00001,
        totalPlots: 9,
        loggedAt: null,
      },
    );
  });

  it('returns each masked or garbled value as unparsed with the reason, never throws', () => {
    assert.deepEqual(
      parseHarvesterLine(
        'X plots were eligible for farming fXXXXXXXXX... Found 0 proofs. Time: 0.31020 s. Total X plots',
      ),
      {
        kind: 'unparsed',
        reason: 'eligible count "X" is not a number',
      },
    );
    assert.deepEqual(parseHarvesterLine('2 plots were eligible for farming 81be3c0d94... Found 0 proofs. Time: 0.2'), {
      kind: 'unparsed',
      reason: 'an eligible-plots line in no known format',
    });
    assert.deepEqual(
      parseHarvesterLine('3 plots were eligible for farming 81be3c0d94... Found 0 proofs. Time: 0.2x s. Total 9 plots'),
      {
        kind: 'unparsed',
        reason: 'lookup time "0.2x" is not a number',
      },
    );
    assert.deepEqual(parseHarvesterLine('INFO _plot_refresh_callback: event done, total plots: XX'), {
      kind: 'unparsed',
      reason: 'total plots "XX" is not a number',
    });
    assert.deepEqual(
      parseHarvesterLine('WARNING  Looking up qualities on /p.plot took: X. This should be below 5 seconds'),
      {
        kind: 'unparsed',
        reason: 'lookup time "X" is not a number',
      },
    );
  });

  it('ignores lines of other services', () => {
    assert.equal(
      parseHarvesterLine(
        '2024-09-18T15:12:09.825 wallet chia.wallet.wallet_blockchain: INFO     Peak set to: 1882001 timestamp: 1726697501',
      ),
      null,
    );
    assert.equal(parseHarvesterLine(''), null);
  });

  it('reads the line date as local time, or with its offset', () => {
    assert.equal(readLoggedAtMs('2025-12-01T09:00:22.047'), new Date(2025, 11, 1, 9, 0, 22, 47).getTime());
    assert.equal(readLoggedAtMs('2023-02-05T19:29:29.434+02:00'), Date.UTC(2023, 1, 5, 17, 29, 29, 434));
    assert.equal(readLoggedAtMs(null), null);
  });
});

describe('scanHarvesterLines', () => {
  it('hands over each matching line once, in order, without its \\r, and skips the rest', () => {
    const chunk = Buffer.from(
      'a full_node line\n' +
        '1 plots were eligible for farming aa... Found 0 proofs. Time: 0.1 s. Total 5 plots; Looking up qualities on x took: 1\r\n' +
        'wallet line\n' +
        'Looking up qualities on /p.plot took: 7.5. This should be below 5 seconds\n' +
        '_plot_refresh_callback: event done, total plots: 9',
    );
    const seen: string[] = [];
    scanHarvesterLines(chunk, (line) => seen.push(line));
    assert.deepEqual(seen, [
      '1 plots were eligible for farming aa... Found 0 proofs. Time: 0.1 s. Total 5 plots; Looking up qualities on x took: 1',
      'Looking up qualities on /p.plot took: 7.5. This should be below 5 seconds',
      '_plot_refresh_callback: event done, total plots: 9',
    ]);
  });

  it('finds a keyword on the first byte of the chunk', () => {
    const seen: string[] = [];
    scanHarvesterLines(Buffer.from('plots were eligible for farming\n'), (line) => seen.push(line));
    assert.deepEqual(seen, ['plots were eligible for farming']);
  });
});

/** Every shape the byte reader must read exactly like the text parser, or hand over to it. */
function awkwardLines(): string[] {
  const prefixes = [
    '',
    '08:14:20.941 harvester src.harvester.harvester : INFO     ',
    '2024-03-11T21:05:36.284 2.2.1 harvester chia.harvester.harvester: INFO     ',
  ];
  const messages = [
    '14 plots were eligible for farming 4d2e8a0f63... Found 1 proofs. Time: 2.41877 s. Total 1480 plots',
    'challenge_hash: 93c0ad51fe ...15 plots were eligible for farming challengeFound 3 V1 proofs and 2 V2 qualities. Time: 0.12001 s. Total 721 plots',
    '123456789012345 plots were eligible for farming 4d... Found 1 proofs. Time: 2 s. Total 1 plots',
    '1234567890123456 plots were eligible for farming 4d... Found 1 proofs. Time: 2 s. Total 1 plots',
    '3 plots were eligible for farming 4d... Found 1 proofs. Time: 1234567.123456789 s. Total 9 plots',
    '3 plots were eligible for farming 4d... Found 1 proofs. Time: 0.000000000000001 s. Total 9 plots',
    '3 plots were eligible for farming 4d... Found 1 proofs. Time: 0.1000000000000001 s. Total 9 plots',
    '3 plots were eligible for farming 4d... Found 1 proofs. Time: 1e-05 s. Total 9 plots',
    '3 plots were eligible for farming 4d... Found 1 proofs. Time: 5.000001 s. Total 9 plots',
    '3 plots were eligible for farming 4d... Found 1 proofs. Time: 7. s. Total 9 plots',
    '3 plots were eligible for farming 4d Found 1 proofs. Time: 1 s. Total 9 plots',
    '3 plots were eligible for farming ... Found 1 proofs. Time: 1 s. Total 9 plots',
    '3 plots were eligible for farming 4d...  Found 1 proofs. Time: 1 s. Total 9 plots',
    '3 plots were eligible for farming 4d... Found 1 proofs. Time: 1 s. Total 9 plot',
    '3  plots were eligible for farming 4d... Found 1 proofs. Time: 1 s. Total 9 plots',
    'x3 plots were eligible for farming 4d... Found 1 proofs. Time: 1 s. Total 9 plots',
    '3 plots were eligible for farming 4d... Found 1 proofs. Time: 1 s. Total 9 plots plots were eligible for farming',
    'X plots were eligible for farming fXXXXXXXXX... Found 0 proofs. Time: 0.31020 s. Total X plots',
    '2 plots were eligible for farming 81be3c0d94... Found 0 proofs. Time: 0.2',
    '2 plots were eligible for farming',
    'plots were eligible for farming 1... Found 0 proofs. Time: 1 s. Total 2 plots',
    'Looking up qualities on /p.plot took: 7.5. 1 plots were eligible for farming a... Found 0 proofs. Time: 1 s. Total 2 plots',
    'WARNING  Looking up qualities on /mnt/a.plot took: 6.80213909149170. This should be below 5 seconds',
    '_plot_refresh_callback: event done, total plots: 1480',
    '_plot_refresh_callback: event done, total plots: XX',
  ];
  return prefixes.flatMap((prefix) => messages.map((message) => prefix + message));
}

async function metricsText(metrics: HarvesterMetrics): Promise<string> {
  metrics.updateForWrite({ up: true, collecting: true }, 7000);
  return `${await metrics.registry.metrics()}loggedAt ${metrics.lastChallengeLoggedAt}\n`;
}

describe('recordHarvesterChunk', () => {
  it('counts every line exactly as the text parser does, in any chunk split and line ending', async () => {
    const lines = awkwardLines();
    for (const ending of ['\n', '\r\n']) {
      const bytes = Buffer.from(lines.join(ending) + ending, 'latin1');
      const byText = new HarvesterMetrics();
      scanHarvesterLines(bytes, (text) => {
        const line = parseHarvesterLine(text);
        if (line) byText.record(line, 7);
      });
      const want = await metricsText(byText);
      assert.match(want, /^farm_harvester_unparsed_lines_total [1-9]\d*$/m);
      // Chunks end at a newline, as the follower cuts them; each split puts different lines first and last.
      for (const linesPerChunk of [1, 2, 7, lines.length]) {
        const byBytes = new HarvesterMetrics();
        const unparsed: string[] = [];
        for (let i = 0; i < lines.length; i += linesPerChunk) {
          const chunk = Buffer.from(lines.slice(i, i + linesPerChunk).join(ending) + ending, 'latin1');
          recordHarvesterChunk(chunk, byBytes, 7, (reason) => unparsed.push(reason));
        }
        assert.equal(await metricsText(byBytes), want, `${linesPerChunk} lines per chunk, ${JSON.stringify(ending)}`);
        assert.equal(unparsed.length, byBytes.unparsed);
      }
    }
  });

  it('reads the date of the last eligible line, whichever path read it', () => {
    const metrics = new HarvesterMetrics();
    const chunk = Buffer.from(
      '2024-03-11T21:05:36.284 2.2.1 harvester chia.harvester.harvester: INFO     1 plots were eligible for farming 4d... Found 0 proofs. Time: 1 s. Total 9 plots\n' +
        '2024-03-11T21:05:44.001 2.2.1 harvester chia.harvester.harvester: INFO     2 plots were eligible for farming 4d... Found 0 proofs. Time: 1e-3 s. Total 9 plots\n',
    );
    recordHarvesterChunk(chunk, metrics, 0);
    assert.equal(metrics.lastChallengeLoggedAt, '2024-03-11T21:05:44.001');
    recordHarvesterChunk(
      Buffer.from(
        '08:14:20.941 harvester src.harvester.harvester : INFO     1 plots were eligible for farming 7a... Found 1 proofs. Time: 0.6 s. Total 58 plots\n',
      ),
      metrics,
      0,
    );
    assert.equal(metrics.lastChallengeLoggedAt, null);
    assert.equal(metrics.challenges, 3);
  });
});

describe("the project's debug.log fixtures", () => {
  const expected: Record<string, Totals> = {
    'v1.0-src-prefix.log': {
      challenges: 3,
      eligible: 3,
      proofs: 1,
      v2Qualities: 0,
      slowWarnings: 0,
      refreshes: 0,
      unparsed: 0,
      lastTotalPlots: 58,
    },
    'v1.x-dated-slow.log': {
      challenges: 2,
      eligible: 7,
      proofs: 2,
      v2Qualities: 0,
      slowWarnings: 1,
      refreshes: 0,
      unparsed: 0,
      lastTotalPlots: 312,
    },
    'v2.4-version-token.log': {
      challenges: 2,
      eligible: 25,
      proofs: 1,
      v2Qualities: 0,
      slowWarnings: 0,
      refreshes: 1,
      unparsed: 0,
      lastTotalPlots: 1480,
    },
    'v2.5.7-v1-v2.log': {
      challenges: 3,
      eligible: 11,
      proofs: 1,
      v2Qualities: 2,
      slowWarnings: 0,
      refreshes: 0,
      unparsed: 0,
      lastTotalPlots: 721,
    },
    'masked-garbled.log': {
      challenges: 1,
      eligible: 1,
      proofs: 0,
      v2Qualities: 0,
      slowWarnings: 0,
      refreshes: 0,
      unparsed: 5,
      lastTotalPlots: 88,
    },
  };
  for (const [file, totals] of Object.entries(expected)) {
    it(`${file}: every harvester line is counted`, () => {
      assert.deepEqual(totalsOf(linesOf(path.join(FIXTURES, file))), totals);
    });
  }
});

describe('the published debug.log lines', () => {
  const expected: Record<string, Partial<Totals>> = {
    'v1-real/v1.0_harvester_src-prefix_chia-wiki.log': {
      challenges: 4,
      eligible: 7,
      proofs: 1,
      unparsed: 0,
      lastTotalPlots: 100,
    },
    'v1-real/v1.1_harvester_slow-lookup_chia-issue5695.log': {
      challenges: 2,
      eligible: 2,
      slowWarnings: 3,
      unparsed: 0,
      lastTotalPlots: 129,
    },
    'newer-chia/v2.4.4_harvester_chiaharvestgraph-issue51.log': {
      challenges: 2,
      eligible: 27,
      unparsed: 0,
      lastTotalPlots: 3135,
    },
    'newer-chia/v2.5.6_harvester_secco04.log': { challenges: 1, eligible: 5, unparsed: 0, lastTotalPlots: 982 },
    'newer-chia/v2.5.7_harvester_secco04.log': {
      challenges: 3,
      eligible: 0,
      proofs: 0,
      v2Qualities: 0,
      unparsed: 0,
      lastTotalPlots: 36,
    },
    'newer-chia/v2.0.0-rc3_harvester_masked-values_chia-issue15944.log': { challenges: 0, refreshes: 0, unparsed: 3 },
    'newer-chia/v2.4.3_wallet_chia-pr18608.log': { challenges: 0, unparsed: 0 },
    'chiadog/harvester_activity/nominal.txt': { challenges: 5, eligible: 6, proofs: 1, lastTotalPlots: 43 },
    'chiadog/harvester_activity/nominal_old_log_format.txt': {
      challenges: 5,
      eligible: 6,
      proofs: 1,
      lastTotalPlots: 43,
    },
    'chiadog/harvester_activity/plots_decreased.txt': { challenges: 5, lastTotalPlots: 30 },
    'chiadog/harvester_activity/slow_seek_time.txt': { challenges: 1, lastTotalPlots: 43 },
  };
  for (const [file, want] of Object.entries(expected)) {
    it(`${file}: every harvester line is counted`, () => {
      const totals = totalsOf(linesOf(path.join(FIXTURES, file)));
      const picked = Object.fromEntries(Object.keys(want).map((key) => [key, totals[key as keyof Totals]]));
      assert.deepEqual(picked, want);
    });
  }

  it('the 28 s lookup in chiadog/slow_seek_time.txt counts as slow and lands in the 30 s bucket', async () => {
    const metrics = new HarvesterMetrics();
    for (const line of linesOf(path.join(FIXTURES, 'chiadog/harvester_activity/slow_seek_time.txt')))
      metrics.record(line, 0);
    metrics.updateForWrite({ up: true, collecting: true }, 7000);
    const text = await metrics.registry.metrics();
    assert.match(text, /^farm_harvester_slow_lookups_total 1$/m);
    assert.match(text, /^farm_harvester_lookup_seconds_bucket\{le="20"\} 0$/m);
    assert.match(text, /^farm_harvester_lookup_seconds_bucket\{le="30"\} 1$/m);
  });
});
