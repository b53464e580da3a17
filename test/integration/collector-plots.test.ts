import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkMetrics, readSeries } from '../helpers/promtool.js';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { runScript } from '../helpers/temp-home.js';
import { writePlotFile } from '../helpers/plot-files.js';
import { buildPos2Plot } from '../../lib/plot-file/build-plot-header.js';

const { farm } = simFarmsOfThisFile();
const GIB = 1024 ** 3;

describe('the goplot collector exports the plot inventory', () => {
  it('writes goplot_plots and its bytes by farm, disk, pos, k, compression or strength and kind, group files, files not read, meta groups, invalid files and what is left to replot', async () => {
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
    const pos2 = (index: number, strength: number, formatVersion = 1) => {
      const plot = buildPos2Plot({
        plotId: `${index}`.padStart(64, 'e'),
        k: 28,
        strength,
        plotIndex: index,
        metaGroup: 40 + strength,
        memo: 'solo',
        chunkCount: 4,
        chunkBytes: GIB / 4,
        formatVersion,
      });
      const file = path.join(plots('disk2'), `plot-k28-${`${index}`.padStart(64, 'e')}.plot2`);
      fs.writeFileSync(file, plot.header);
      fs.truncateSync(file, plot.fileBytes);
      return plot.fileBytes;
    };
    const pos2Bytes = pos2(0, 2) + pos2(1, 2);
    const strongBytes = pos2(2, 4);
    const unknownBytes = pos2(3, 2, 5);
    fs.writeFileSync(path.join(plots('disk2'), 'g.gplot'), 'x');
    fs.truncateSync(path.join(plots('disk2'), 'g.gplot'), 100 * GIB);
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
      'goplot_plots{farm="farm1",disk="disk1",pos="1",k="32",compression="0",kind="solo"} 2',
      'goplot_plots{farm="farm1",disk="disk1",pos="1",k="32",compression="5",kind="pool"} 1',
      'goplot_plots{farm="farm1",disk="disk2",pos="1",k="33",compression="0",kind="pool"} 1',
      'goplot_plots{farm="farm1",disk="disk2",pos="2",k="28",strength="2",kind="solo"} 2',
      'goplot_plots{farm="farm1",disk="disk2",pos="2",k="28",strength="4",kind="solo"} 1',
    ]);
    assert.deepEqual(pick('goplot_plots_bytes{'), [
      `goplot_plots_bytes{farm="farm1",disk="disk1",pos="1",k="32",compression="0",kind="solo"} ${202 * GIB}`,
      `goplot_plots_bytes{farm="farm1",disk="disk1",pos="1",k="32",compression="5",kind="pool"} ${81 * GIB}`,
      `goplot_plots_bytes{farm="farm1",disk="disk2",pos="1",k="33",compression="0",kind="pool"} ${208 * GIB}`,
      `goplot_plots_bytes{farm="farm1",disk="disk2",pos="2",k="28",strength="2",kind="solo"} ${pos2Bytes}`,
      `goplot_plots_bytes{farm="farm1",disk="disk2",pos="2",k="28",strength="4",kind="solo"} ${strongBytes}`,
    ]);
    assert.deepEqual(pick('goplot_plot_group_files'), [
      'goplot_plot_group_files_bytes{farm="farm1",disk="disk1"} 0',
      `goplot_plot_group_files_bytes{farm="farm1",disk="disk2"} ${100 * GIB}`,
      'goplot_plot_group_files{farm="farm1",disk="disk1"} 0',
      'goplot_plot_group_files{farm="farm1",disk="disk2"} 1',
    ]);
    assert.deepEqual(pick('goplot_plots_not_read{'), [
      'goplot_plots_not_read{farm="farm1",disk="disk1",pos="1"} 0',
      'goplot_plots_not_read{farm="farm1",disk="disk1",pos="2"} 0',
      'goplot_plots_not_read{farm="farm1",disk="disk2",pos="1"} 0',
      'goplot_plots_not_read{farm="farm1",disk="disk2",pos="2"} 1',
    ]);
    assert.deepEqual(pick('goplot_plots_not_read_bytes{farm="farm1",disk="disk2",pos="2"}'), [
      `goplot_plots_not_read_bytes{farm="farm1",disk="disk2",pos="2"} ${unknownBytes}`,
    ]);
    assert.deepEqual(pick('goplot_plot_meta_groups{'), [
      'goplot_plot_meta_groups{farm="farm1",disk="disk1"} 0',
      'goplot_plot_meta_groups{farm="farm1",disk="disk2"} 2',
    ]);
    assert.deepEqual(pick('goplot_plots_dir_readable{'), [
      'goplot_plots_dir_readable{farm="farm1",disk="disk1"} 1',
      'goplot_plots_dir_readable{farm="farm1",disk="disk2"} 1',
    ]);
    assert.deepEqual(pick('goplot_disk_plots{'), [
      'goplot_disk_plots{farm="farm1",disk="disk1"} 3',
      'goplot_disk_plots{farm="farm1",disk="disk2"} 7',
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
