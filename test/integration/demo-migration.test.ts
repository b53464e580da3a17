import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa, execaSync } from 'execa';
import { builtScript } from '../helpers/temp-home.js';

/** k32 pos1 plots on each disk of the sandbox, by compression, and its pos2 plots. */
function onDisks(sandbox: string): Map<string, { c0: number; c5: number; pos2: number }> {
  const disks = new Map<string, { c0: number; c5: number; pos2: number }>();
  for (const farm of fs.readdirSync(path.join(sandbox, 'farm')))
    for (const disk of fs.readdirSync(path.join(sandbox, 'farm', farm))) {
      const names = fs.readdirSync(path.join(sandbox, 'farm', farm, disk, 'plots'));
      disks.set(`${farm}/${disk}`, {
        c0: names.filter((name) => /^plot-k32-2024-.*\.plot$/.test(name)).length,
        c5: names.filter((name) => /^plot-k32-c05-.*\.plot$/.test(name)).length,
        pos2: names.filter((name) => name.endsWith('.plot2')).length,
      });
    }
  return disks;
}

/**
 * The run replaced pos1 plots, uncompressed ones only (each disk had two C0 and one C5), each
 * removal logged for a group on its disk, and no disk holds more than its declared size. Returns
 * how many went.
 */
function assertReplaced(sandbox: string, stdout: string, groupPlots: number): number {
  const disks = onDisks(sandbox);
  const c0 = [...disks.values()].reduce((sum, disk) => sum + disk.c0, 0);
  const c5 = [...disks.values()].reduce((sum, disk) => sum + disk.c5, 0);
  assert.equal(c5, 6, 'a compressed pos1 plot went while uncompressed ones were left');
  const replaced = 12 - c0;
  assert.ok(replaced > 0, `no pos1 plot was replaced:\n${stdout}`);
  const removals = [
    ...stdout.matchAll(/^ {2}group \d+: replot removed plot-k32-\S+ \(v1 k32 C0 .* from (\S+) for plot/gm),
  ];
  assert.equal(removals.length, replaced, stdout);
  const landedOn = new Set(
    [...stdout.matchAll(/^ {2}group +\d+ +pos2 .* -> (\S+) \([1-9]\d*\/\d+ pos2 plots/gm)].map((match) => match[1]),
  );
  for (const [, disk] of removals) assert.ok(landedOn.has(disk), `${disk} lost a pos1 plot and no group landed on it`);
  assert.match(stdout, new RegExp(`^migrated: ${replaced} pos1 plots replaced by ${groupPlots} pos2 plots;`, 'm'));
  // every disk within its declared size: the sandbox's df says how much is left
  for (const disk of disks.keys()) {
    const df = execaSync(path.join(sandbox, 'bin', 'df'), ['-Pk', '--', path.join(sandbox, 'farm', disk)]);
    const [total, used] = df.stdout.split('\n')[1]!.split(/\s+/).slice(1, 3).map(Number);
    assert.ok(used! <= total!, `${disk} holds ${used} KiB, more than its ${total} KiB:\n${df.stdout}`);
  }
  return replaced;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-demo-migration-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('npm run demo', () => {
  it(
    'starts from disks full of pos1 plots and a week of pos2 plots, replaces pos1 plots by pos2 groups, and ends with the summary goplot migrate gives',
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
      assert.match(
        demo.stdout,
        /^ {2}the disks are full: each is a folder that the sandbox's df .* reports as its files and 512 MiB free/m,
      );
      const made = Number(/^summary: (\d+) plots made, 0 failed$/m.exec(demo.stdout)?.[1]);
      const groupPlots = [
        ...demo.stdout.matchAll(/^ {2}group +\d+ +pos2 .* \((\d+)\/\d+ pos2 plots, meta group \d+\)$/gm),
      ].reduce((sum, match) => sum + Number(match[1]), 0);
      assert.ok(groupPlots > 0, `the pos2 job made no group:\n${demo.stdout}`);
      // the demo's one job makes pos2 groups only
      assert.equal(made, groupPlots, demo.stdout);
      const home = path.join(sandbox, 'home');
      const replaced = assertReplaced(sandbox, demo.stdout, groupPlots);
      const migration = demo.stdout.slice(demo.stdout.indexOf('\nmigration ('));
      // what the demo prints is what goplot migrate prints for its home
      const cli = await execa('node', [builtScript('scripts/goplot-cli.js'), 'migrate'], {
        env: { GOPLOT_HOME: home },
        reject: false,
      });
      assert.equal(cli.exitCode, 0, cli.stderr);
      const lines = migration.split('\n').map((line) => line.replace(/^ {2}/, ''));
      for (const expected of [
        `Chain height 9,610,000 (from the chain_height value: ${home}/config/chain_height.goplot), clock`,
        // the seeded k32 plots but those the groups replaced
        `pos1 left: ${18 - replaced} plots,`,
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
      // the dates go by the clock (a height's date is now plus its blocks), which moves on between the two runs
      const undated = (printed: string | undefined) => printed?.replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, '<date>');
      for (const line of ['pos2 made:', 'Still to make:', '  before the pos1 weight falls under 0.5'])
        assert.equal(
          undated(lines.find((printed) => printed.startsWith(line))),
          undated(cliLines.find((printed) => printed.startsWith(line))),
        );
    },
  );
});
