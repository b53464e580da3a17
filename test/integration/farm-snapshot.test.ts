import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readPlotProgress } from '../../lib/farm/read-plot-phase.js';
import { simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { spawnSimPlot } from '../../lib/sim/spawn-sim-plot.js';
import { runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();

/** What every reader must agree on about one plot. */
interface PlotSeen {
  /** The index, or `?` for a plot whose log is not plot.<index>.log. */
  id: string;
  pid: number;
  phase: number;
  percent: number;
}

/** A simulated `chia plots create` into `<farm>/<disk>/plots`, its stdout into `<disk>/logs/<logName>`. */
function startPlot(
  home: TempHome,
  farmName: string,
  disk: string,
  logName: string,
  seconds: number,
): { pid: number; logFile: string } {
  const diskDir = path.join(home.farmRoot, farmName, disk);
  const tempDir = path.join(home.tempRoot, '1');
  const logFile = path.join(diskDir, 'logs', logName);
  const child = spawnSimPlot({ tempDir, plotsDir: path.join(diskDir, 'plots'), logFile, seconds });
  started.push(child.pid!);
  return { pid: child.pid!, logFile };
}

function processState(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** Freezes a plotter once its log shows `phase`, so every reader after it sees the same log. */
async function freezeAtPhase(pid: number, logFile: string, phase: number): Promise<void> {
  await waitFor(`plot pid ${pid} to reach phase ${phase}`, () => readPlotProgress(logFile).phase >= phase, 30_000);
  process.kill(pid, 'SIGSTOP');
  await waitFor(`pid ${pid} to stop`, () => processState(pid) === 'T', 5000, 10);
}

function fromStatus(json: string): { plots: PlotSeen[]; disks: string[] } {
  const status = JSON.parse(json) as {
    plots: { index: number | null; pid: number; phase: number; progress: number }[];
    disks: { farm: string; disk: string; state: string }[];
  };
  return {
    plots: status.plots.map((plot) => ({
      id: plot.index === null ? '?' : String(plot.index),
      pid: plot.pid,
      phase: plot.phase,
      percent: Math.floor(plot.progress * 100),
    })),
    disks: status.disks.map((disk) => `${disk.farm}/${disk.disk} ${disk.state}`),
  };
}

/** The plot rows and disk rows of one plain `goplot view --once` frame. */
function fromView(text: string): { plots: PlotSeen[]; disks: string[] } {
  const plots: PlotSeen[] = [];
  const disks: string[] = [];
  for (const line of text.split('\n')) {
    const plot = /^\s*(\d+|\?)\s+chia\s+25\s.*\s(\d|-)\s+\[[#.]+\]\s+(\d+)%\s.*\s(\d+)\s+[\d.]+ [KMGT]?i?B$/.exec(line);
    if (plot)
      plots.push({
        id: plot[1]!,
        pid: Number(plot[4]),
        phase: plot[2] === '-' ? 0 : Number(plot[2]),
        percent: Number(plot[3]),
      });
    const disk = /^(farm\d\/disk\d)\s+(\S+)\s/.exec(line);
    if (disk) disks.push(`${disk[1]} ${disk[2]}`);
  }
  return { plots, disks };
}

/** The plots and disk states of goplot.prom, in the file's order; its `number` state is every other reader's `ok`. */
function fromProm(text: string): { plots: PlotSeen[]; disks: string[] } {
  const progressOf = new Map(
    [...text.matchAll(/^goplot_plot_progress_ratio\{([^}]*)\} (\S+)$/gm)].map((match) => [match[1]!, Number(match[2])]),
  );
  const plots = [
    ...text.matchAll(/^goplot_plot_phase\{(index="([^"]+)",farm="[^"]*",disk="[^"]*",plotter="chia")\} (\d+)$/gm),
  ].map((match) => {
    const pid = /^pid (\d+)$/.exec(match[2]!);
    return {
      id: pid ? '?' : match[2]!,
      pid: pid ? Number(pid[1]) : -1,
      phase: Number(match[3]),
      percent: Math.floor((progressOf.get(match[1]!) ?? NaN) * 100),
    };
  });
  const disks = [...text.matchAll(/^goplot_disk_state\{farm="([^"]+)",disk="([^"]+)",state="(\w+)"\} 1$/gm)].map(
    (match) => `${match[1]}/${match[2]} ${match[3] === 'number' ? 'ok' : match[3]}`,
  );
  return { plots, disks };
}

describe('one farm snapshot behind goplot status, goplot view and goplot.prom', () => {
  it(
    'all three report the same plots, phases and disk states, with an index-less plot last',
    { timeout: 120_000 },
    async () => {
      const home = farm({ farm1: ['disk1', 'disk2', 'disk3'], farm2: ['disk1'] }, ['1']);
      fs.mkdirSync(path.join(home.disksDir, 'farm1'), { recursive: true });
      fs.mkdirSync(path.join(home.disksDir, 'farm2'), { recursive: true });
      fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk1.goplot'), '1000\n');
      fs.writeFileSync(path.join(home.disksDir, 'farm1', 'disk2.goplot'), 'garbage\n');
      // farm1/disk3 has no state file
      fs.writeFileSync(path.join(home.disksDir, 'farm2', 'disk1.goplot'), 'full\n');

      const fast = startPlot(home, 'farm2', 'disk1', 'plot.7.log', 8);
      const indexed = startPlot(home, 'farm1', 'disk1', 'plot.3.log', 300);
      const manual = startPlot(home, 'farm1', 'disk2', 'by-hand.log', 300);
      await freezeAtPhase(fast.pid, fast.logFile, 2);
      await freezeAtPhase(indexed.pid, indexed.logFile, 1);
      await freezeAtPhase(manual.pid, manual.logFile, 1);

      const status = await runScript(home, 'scripts/goplot-cli.js', ['status', '--json']);
      assert.equal(status.exitCode, 0, String(status.stderr));
      const view = await runScript(home, 'scripts/goplot-cli.js', ['view', '--once']);
      assert.equal(view.exitCode, 0, String(view.stderr));
      const collector = await runScript(home, 'collectors/goplot_collector.js');
      assert.equal(collector.exitCode, 0, String(collector.stderr));

      const fromFiles = (file: string) => ({
        phase: readPlotProgress(file).phase,
        percent: Math.floor(readPlotProgress(file).progress * 100),
      });
      const expectedPlots: PlotSeen[] = [
        { id: '3', pid: indexed.pid, ...fromFiles(indexed.logFile) },
        { id: '7', pid: fast.pid, ...fromFiles(fast.logFile) },
        { id: '?', pid: manual.pid, ...fromFiles(manual.logFile) },
      ];
      assert.ok(expectedPlots[1]!.phase >= 2, `the fast plot is in phase ${expectedPlots[1]!.phase}`);
      const expectedDisks = ['farm1/disk1 ok', 'farm1/disk2 invalid', 'farm1/disk3 missing', 'farm2/disk1 full'];

      const seenInStatus = fromStatus(String(status.stdout));
      const seenInView = fromView(String(view.stdout));
      const seenInProm = fromProm(fs.readFileSync(path.join(home.root, 'prom', 'goplot.prom'), 'utf8'));
      assert.deepEqual(seenInStatus, { plots: expectedPlots, disks: expectedDisks });
      assert.deepEqual(seenInView, { plots: expectedPlots, disks: expectedDisks }, String(view.stdout));
      // goplot.prom names an index-less plot by its pid (its index label), not by a `?`
      assert.deepEqual(seenInProm, {
        plots: expectedPlots.map((plot) => (plot.id === '?' ? plot : { ...plot, pid: -1 })),
        disks: expectedDisks,
      });
      assert.match(
        fs.readFileSync(path.join(home.root, 'prom', 'goplot.prom'), 'utf8'),
        new RegExp(
          `^goplot_plot_phase\\{index="pid ${manual.pid}",farm="farm1",disk="disk2",plotter="chia"\\} 1$`,
          'm',
        ),
      );

      // the invalid state file's text is told the same way by status and view
      const problem = 'invalid state file "garbage" (diskhand replaces it)';
      const statusDisk = (
        JSON.parse(String(status.stdout)) as { disks: { farm: string; disk: string; problems: string[] }[] }
      ).disks.find((disk) => disk.disk === 'disk2');
      assert.deepEqual(statusDisk?.problems, [problem]);
      assert.ok(String(view.stdout).split('\n').includes(`! farm1/disk2: ${problem}`), String(view.stdout));
    },
  );
});
