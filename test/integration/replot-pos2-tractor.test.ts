import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { writePos1Plot } from '../../lib/demo/pos1-plots.js';
import { pos2PlotBytes } from '../../lib/farm/plot-size.js';
import { readPlotFileSync } from '../../lib/plot-file/read-plot-file.js';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { IS_ROOT, NOT_ROOT, smallFilesystems } from '../helpers/small-filesystems.js';
import { logMessages, runScript } from '../helpers/temp-home.js';

const MIB = 1024 ** 2;
const GROUP = 12;
// unmounted before the homes under them are removed
const mounts = smallFilesystems();
after(() => mounts.cleanup());
const { farm } = simFarmsOfThisFile();

/** A pos1 plot of 4 MiB whose bytes are written out, made on `day` of January 2022. */
function pos1(plotsDir: string, compression: number, day: number): string {
  const made = new Date(2022, 0, day);
  return writePos1Plot(plotsDir, { k: 32, compression, kind: 'solo', bytes: 4 * MIB, made, solid: true });
}

describe('a pos2 group replacing pos1 plots on a full disk', { skip: IS_ROOT ? false : NOT_ROOT }, () => {
  it('the tractor makes each next plot its room as the group lands: the group lands whole, the oldest uncompressed plots go, nothing else', async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const diskDir = path.join(home.farmRoot, 'farm1', 'disk1');
    await mounts.tmpfs(diskDir, 16);
    for (const dir of ['plots', 'logs']) fs.mkdirSync(path.join(diskDir, dir));
    const plotsDir = path.join(diskDir, 'plots');
    const compressed = pos1(plotsDir, 5, 1);
    const uncompressed = [3, 4, 5].map((day) => pos1(plotsDir, 0, day));
    const free = () => fs.statfsSync(diskDir).bavail * fs.statfsSync(diskDir).bsize;
    fs.writeFileSync(path.join(diskDir, 'filler'), Buffer.alloc(Math.max(0, free() - MIB / 4)));
    const values = {
      plotter: 'chia-v2',
      k: 18,
      group_size: GROUP,
      plot_command_v2:
        '{chia_bin} plots create2 -k {k} --strength {strength} -n {count} --index {index} --meta-group {meta_group} -d {dest} -t {temp}',
      disk_space: 'statfs',
      replot: 'on',
      replot_match: 'pos=1',
    };
    for (const [name, value] of Object.entries(values)) home.set(name, value);

    const tractor = await runScript(home, 'scripts/tractor.js', [], { env: simEnv(1, { SIMPLOTTER_SOLID: '1' }) });
    assert.equal(tractor.exitCode, 0, `${String(tractor.stderr)}\n${logMessages(home).join('\n')}`);

    const landed = fs.readdirSync(plotsDir).filter((name) => name.endsWith('.plot2'));
    assert.equal(landed.length, GROUP);
    for (const name of landed) {
      const facts = readPlotFileSync(path.join(plotsDir, name));
      assert.ok(facts.ok, facts.ok ? '' : facts.message);
      assert.ok(Math.abs(facts.sizeBytes - pos2PlotBytes(18)) < 64, `${name}: ${facts.sizeBytes} bytes`);
    }
    // 12 plots of 0.61 MiB need 7.3 MiB: two 4 MiB plots, the two oldest uncompressed ones
    const kept = fs.readdirSync(plotsDir).filter((name) => name.endsWith('.plot'));
    assert.deepEqual(kept.sort(), [path.basename(compressed), path.basename(uncompressed[2]!)].sort());
    const removals = logMessages(home).filter((line) => /^group 1: .*removed/.test(line));
    assert.equal(removals.length, 2, logMessages(home).join('\n'));
    assert.ok(removals[0]!.includes(path.basename(uncompressed[0]!)), removals[0]);
    assert.ok(removals[1]!.includes(path.basename(uncompressed[1]!)), removals[1]);
  });
});
