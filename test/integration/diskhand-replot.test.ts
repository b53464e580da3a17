import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { initValueFiles } from '../../lib/config/write-value.js';
import { diskStateFile } from '../../lib/farm/disk-state.js';
import { finalPlotBytes } from '../../lib/farm/plot-size.js';
import { FAKE_BIN } from '../helpers/sim-farm.js';
import { logMessages, makeDisks, makeTempHome, runScript } from '../helpers/temp-home.js';
import { writePlotFile } from '../helpers/plot-files.js';

const home = makeTempHome('goplot-diskhand-replot-');
const jobsHome = makeTempHome('goplot-diskhand-replot-jobs-');
after(() => {
  home.cleanup();
  jobsHome.cleanup();
});

describe('diskhand with replot', () => {
  it('counts a full disk holding plots that replot_match matches as having room, and only then', async () => {
    initValueFiles(home);
    makeDisks(home, { farm1: ['disk1', 'disk2'] });
    for (const [name, value] of Object.entries({ disk_space: 'df', require_mount: 'no', k: 32, compression: 5 }))
      home.set(name, value);
    const table = path.join(home.root, 'df-table');
    const old = finalPlotBytes(32, 0);
    // disk1: two solo plots; disk2: two pool plots; each with 20 GiB free, too little for a C5 plot
    for (const [disk, kind] of [
      ['disk1', 'solo'],
      ['disk2', 'pool'],
    ] as const) {
      for (let n = 0; n < 2; n++)
        writePlotFile(path.join(home.farmRoot, 'farm1', disk, 'plots'), { kind, sizeBytes: old });
    }
    const totalKiB = Math.ceil((2 * old + 20 * 1024 ** 3) / 1024);
    fs.writeFileSync(
      table,
      ['disk1', 'disk2'].map((disk) => `${path.join(home.farmRoot, 'farm1', disk)} ${totalKiB} files`).join('\n') +
        '\n',
    );
    const run = async () => {
      const result = await runScript(home, 'scripts/diskhand.js', [], {
        env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table },
      });
      assert.equal(result.exitCode, 0, result.stderr);
      return ['disk1', 'disk2'].map((disk) => fs.readFileSync(diskStateFile(home, 'farm1', disk), 'utf8').trim());
    };
    assert.deepEqual(await run(), ['full', 'full']);
    home.set('replot_match', 'kind=solo');
    assert.deepEqual(await run(), ['full', 'full'], 'replot is off');
    home.set('replot', 'on');
    const [disk1, disk2] = await run();
    assert.equal(disk2, 'full');
    assert.equal(disk1, String(Math.floor((2 * old) / 1024)), 'used KiB, as df counts them');
    assert.ok(
      logMessages(home, 'diskhand.log').some((line) =>
        /^farm1\/disk1: \d+ KiB \(free 20\.0 GiB, committed 0 B to 0 plots; replot can free 202\.8 GiB \(replot_match: kind=solo\)\)$/.test(
          line,
        ),
      ),
      logMessages(home, 'diskhand.log').join('\n'),
    );
    home.set('replot_match', 'none');
    assert.deepEqual(await run(), ['full', 'full']);
  });

  it("with jobs, counts the room of each job's own rule on that job's farms only", async () => {
    initValueFiles(jobsHome);
    makeDisks(jobsHome, { farm1: ['disk1'], farm2: ['disk1'] });
    for (const [name, value] of Object.entries({
      disk_space: 'df',
      require_mount: 'no',
      k: 32,
      compression: 5,
      replot: 'off',
      replot_match: 'kind=solo',
    }))
      jobsHome.set(name, value);
    const table = path.join(jobsHome.root, 'df-table');
    const old = finalPlotBytes(32, 0);
    for (const farm of ['farm1', 'farm2'])
      for (let n = 0; n < 2; n++)
        writePlotFile(path.join(jobsHome.farmRoot, farm, 'disk1', 'plots'), { kind: 'solo', sizeBytes: old });
    const totalKiB = Math.ceil((2 * old + 20 * 1024 ** 3) / 1024);
    fs.writeFileSync(
      table,
      ['farm1', 'farm2'].map((farm) => `${path.join(jobsHome.farmRoot, farm, 'disk1')} ${totalKiB} files`).join('\n') +
        '\n',
    );
    const job = (name: string, values: Record<string, string>) => {
      const dir = path.join(jobsHome.configDir, 'jobs', name);
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, value] of Object.entries(values))
        fs.writeFileSync(path.join(dir, `${file}.goplot`), `${value}\n`);
    };
    job('pool', { replot: 'on', dest_farms: 'farm2' });
    job('plain', {});
    const result = await runScript(jobsHome, 'scripts/diskhand.js', [], {
      env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table },
    });
    assert.equal(result.exitCode, 0, result.stderr);
    const states = ['farm1', 'farm2'].map((farm) =>
      fs.readFileSync(diskStateFile(jobsHome, farm, 'disk1'), 'utf8').trim(),
    );
    assert.deepEqual(states, ['full', String(Math.floor((2 * old) / 1024))], 'only the job pool may replot, on farm2');
    assert.ok(
      logMessages(jobsHome, 'diskhand.log').some((line) =>
        /^farm2\/disk1: \d+ KiB \(free 20\.0 GiB, committed 0 B to 0 plots; replot can free 202\.8 GiB \(job pool: kind=solo\)\)$/.test(
          line,
        ),
      ),
      logMessages(jobsHome, 'diskhand.log').join('\n'),
    );
  });
});
