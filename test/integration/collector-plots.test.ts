import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkMetrics, readSeries } from '../helpers/promtool.js';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { runScript } from '../helpers/temp-home.js';
import { writePlotFile } from '../helpers/plot-files.js';

const { farm } = simFarmsOfThisFile();
const GIB = 1024 ** 3;

describe('the goplot collector exports the plot inventory', () => {
  it('writes goplot_plots and its bytes by farm, disk, k, compression and kind, invalid files and what is left to replot', async () => {
    const home = farm({ farm1: ['disk1', 'disk2'] }, ['1']);
    home.set('on_toggle', 'off');
    home.set('replot', 'on');
    home.set('replot_match', 'kind=solo');
    home.set('replot_removed', 4);
    const plots = (disk: string) => path.join(home.farmRoot, 'farm1', disk, 'plots');
    writePlotFile(plots('disk1'), { kind: 'solo', sizeBytes: 101 * GIB });
    writePlotFile(plots('disk1'), { kind: 'solo', sizeBytes: 101 * GIB });
    writePlotFile(plots('disk1'), { kind: 'pool', compression: 5, sizeBytes: 81 * GIB });
    writePlotFile(plots('disk2'), { kind: 'pool', k: 33, sizeBytes: 208 * GIB });
    fs.writeFileSync(path.join(plots('disk2'), 'broken.plot'), Buffer.alloc(300));
    const result = await runScript(home, 'collectors/goplot_collector.js', [], { env: simEnv(1) });
    assert.equal(result.exitCode, 0, String(result.stderr));
    const file = path.join(home.root, 'prom', 'goplot.prom');
    const series = readSeries(file);
    const pick = (prefix: string) =>
      [...series]
        .filter(([name]) => name.startsWith(prefix))
        .map(([name, value]) => `${name} ${value}`)
        .sort();
    assert.deepEqual(pick('goplot_plots{'), [
      'goplot_plots{farm="farm1",disk="disk1",k="32",compression="0",kind="solo"} 2',
      'goplot_plots{farm="farm1",disk="disk1",k="32",compression="5",kind="pool"} 1',
      'goplot_plots{farm="farm1",disk="disk2",k="33",compression="0",kind="pool"} 1',
    ]);
    assert.deepEqual(pick('goplot_plots_bytes{'), [
      `goplot_plots_bytes{farm="farm1",disk="disk1",k="32",compression="0",kind="solo"} ${202 * GIB}`,
      `goplot_plots_bytes{farm="farm1",disk="disk1",k="32",compression="5",kind="pool"} ${81 * GIB}`,
      `goplot_plots_bytes{farm="farm1",disk="disk2",k="33",compression="0",kind="pool"} ${208 * GIB}`,
    ]);
    assert.deepEqual(pick('goplot_plots_invalid{'), [
      'goplot_plots_invalid{farm="farm1",disk="disk1"} 0',
      'goplot_plots_invalid{farm="farm1",disk="disk2"} 1',
    ]);
    assert.deepEqual(pick('goplot_plots_replot_remaining{'), [
      'goplot_plots_replot_remaining{farm="farm1",disk="disk1"} 2',
      'goplot_plots_replot_remaining{farm="farm1",disk="disk2"} 0',
    ]);
    assert.deepEqual(pick('goplot_replot_enabled'), ['goplot_replot_enabled 1']);
    assert.deepEqual(pick('goplot_replot_removed_total'), ['goplot_replot_removed_total 4']);
    const check = await checkMetrics(file);
    assert.equal(check.ok, true, check.output);
  });
});
