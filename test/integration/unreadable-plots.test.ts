import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { NOBODY, runScriptAs } from '../helpers/other-user.js';
import { writePlotFile } from '../helpers/plot-files.js';
import { IS_ROOT } from '../helpers/small-filesystems.js';
import { makeDisks, makeTempHome, type TempHome } from '../helpers/temp-home.js';

const GIB = 1024 ** 3;
const homes: TempHome[] = [];
after(() => {
  for (const home of homes) home.cleanup();
});

describe('a plots/ folder the farmer may not read', () => {
  it('shows as unreadable in goplot plots, said on stderr, not as a disk with 0 plots', async () => {
    assert.ok(IS_ROOT, 'root reads any folder: this test runs goplot as another user, which takes root');
    const home = makeTempHome();
    homes.push(home);
    makeDisks(home, { farm1: ['disk1', 'disk2'] });
    const plots = (disk: string) => path.join(home.farmRoot, 'farm1', disk, 'plots');
    for (let n = 0; n < 2; n++) writePlotFile(plots('disk1'), { kind: 'solo', sizeBytes: 101 * GIB });
    writePlotFile(plots('disk2'), { kind: 'solo', sizeBytes: 101 * GIB });
    execFileSync('chown', ['-R', `${NOBODY.uid}:${NOBODY.gid}`, home.root]);
    fs.chmodSync(plots('disk2'), 0o000);
    const result = await runScriptAs(NOBODY, home, 'scripts/goplot-cli.js', ['plots']);
    const problem = `cannot read ${plots('disk2')}: EACCES: permission denied, scandir '${plots('disk2')}'`;
    assert.equal(result.stderr, `goplot plots: ${problem}; its plots are not counted`);
    assert.equal(result.exitCode, 1);
    const rows = result.stdout.split('\n').map((line) => line.trim().split(/\s{2,}/));
    assert.deepEqual(
      rows.find((cells) => cells[1] === 'disk2'),
      ['farm1', 'disk2', 'unreadable', '-', '-', '-', '-', '-', '-', '-'],
    );
    assert.deepEqual(rows.find((cells) => cells[1] === 'disk1')?.slice(0, 3), ['farm1', 'disk1', '2']);
    assert.ok(
      result.stdout.includes(`plots/ folders not read, their plots not counted (1):\n  ${problem}`),
      result.stdout,
    );
  });
});
