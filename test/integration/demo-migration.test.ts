import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { builtScript } from '../helpers/temp-home.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-demo-migration-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('npm run demo', () => {
  it(
    'starts from disks of pos1 plots and a week of pos2 plots, makes pos2 groups, and ends with the summary goplot migrate gives',
    { timeout: 240_000 },
    async () => {
      const sandbox = path.join(dir, 'sandbox');
      const demo = await execa(
        'node',
        [builtScript('scripts/demo.js'), '--seconds', '10', '--plot-seconds', '3', '--dir', sandbox],
        {
          reject: false,
          timeout: 200_000,
        },
      );
      assert.equal(demo.exitCode, 0, demo.stdout + demo.stderr);
      assert.match(
        demo.stdout,
        /^ {2}seeded: 18 pos1 k32 plots \(sparse files\) on 6 disks, and 126 pos2 k28 plots landed over the last 7 days \(12, 14, 16, 18, 20, 22, 24 a day\), as if replot had run for a week$/m,
      );
      const made = Number(/^summary: (\d+) plots made, 0 failed$/m.exec(demo.stdout)?.[1]);
      assert.ok(made > 0, demo.stdout);
      const groupPlots = [
        ...demo.stdout.matchAll(/^ {2}group +\d+ +pos2 .* \((\d+)\/\d+ pos2 plots, meta group \d+\)$/gm),
      ].reduce((sum, match) => sum + Number(match[1]), 0);
      assert.ok(groupPlots > 0, `the pos2 job made no group:\n${demo.stdout}`);
      const migration = demo.stdout.slice(demo.stdout.indexOf('\nmigration ('));
      const home = path.join(sandbox, 'home');
      // what the demo prints is what goplot migrate prints for its home
      const cli = await execa('node', [builtScript('scripts/goplot-cli.js'), 'migrate'], {
        env: { GOPLOT_HOME: home },
        reject: false,
      });
      assert.equal(cli.exitCode, 0, cli.stderr);
      const lines = migration.split('\n').map((line) => line.replace(/^ {2}/, ''));
      for (const expected of [
        `Chain height 9,610,000 (from the chain_height value: ${home}/config/chain_height.goplot), clock`,
        // the seeded k32 plots and the demo's own k25 ones are pos1
        `pos1 left: ${18 + made} plots,`,
        // the seeded 126 and those of the groups the run made
        `pos2 made: ${126 + groupPlots} plots,`,
        // 126 plots over 7 days
        '  last week (',
      ])
        assert.ok(
          lines.some((line) => line.startsWith(expected)),
          `no line starting ${JSON.stringify(expected)} in\n${migration}`,
        );
      assert.match(migration, /last week \(\d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d, 126 plots\): 18\.0 pos2 plots\/day/);
      const cliLines = cli.stdout.split('\n');
      for (const line of ['pos2 made:', 'Still to make:', '  before the pos1 weight falls under 0.5'])
        assert.equal(
          lines.find((printed) => printed.startsWith(line)),
          cliLines.find((printed) => printed.startsWith(line)),
        );
    },
  );
});
