import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { groupsDir, readGroupFiles, type PlotGroupState } from '../../lib/farm/plot-groups.js';
import { simEnv, simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { logMessages, runScript, SIM_PLOTTER, waitFor } from '../helpers/temp-home.js';

const { farm, started } = simFarmsOfThisFile();

/** The test's own reading of xchplot2's last progress line (the format of its batch plotter). */
function lastSaid(logFile: string): { done: number; secondsPerPlot: number; etaSeconds: number } | null {
  const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  const all = [
    ...text.matchAll(
      /^\[batch\] progress: plot (\d+)\/4 done \([\d.]+%, ([\d.]+) s\/plot avg, ~(\d+)m(\d\d)s left\)$/gm,
    ),
  ];
  const last = all.at(-1);
  return last
    ? { done: Number(last[1]), secondsPerPlot: Number(last[2]), etaSeconds: Number(last[3]) * 60 + Number(last[4]) }
    : null;
}

describe('a pos2 group made by xchplot2 with --progress', () => {
  it(
    'is shown as xchplot2 says: plots done, its own rate and ETA, alike in status, the view and the metrics',
    { timeout: 120_000 },
    async () => {
      const home = farm({ farm1: ['disk1'] }, ['1']);
      const bin = path.join(home.root, 'bin');
      fs.mkdirSync(bin);
      fs.symlinkSync(SIM_PLOTTER, path.join(bin, 'xchplot2'));
      for (const [name, value] of Object.entries({
        plotter: 'xchplot2',
        xchplot2_bin: path.join(bin, 'xchplot2'),
        k: 18,
        group_size: 4,
      }))
        home.set(name, value);
      const plotsDir = path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
      const landed = () => fs.readdirSync(plotsDir).filter((name) => name.endsWith('.plot2')).length;
      const tractor = runScript(home, 'scripts/tractor.js', ['--force'], { env: simEnv(1), timeout: 100_000 });
      const running = await waitFor(
        'xchplot2 to say two plots done',
        () =>
          readGroupFiles(groupsDir(home)).find((g) => g.plotterPid !== null && (lastSaid(g.logFile)?.done ?? 0) >= 2),
        60_000,
      );
      started.push(running.plotterPid!);
      process.kill(running.plotterPid!, 'SIGSTOP');
      let group: PlotGroupState | undefined;
      let said: ReturnType<typeof lastSaid> = null;
      try {
        await waitFor('the group file to hold what the stopped xchplot2 said last, its plots landed', () => {
          group = readGroupFiles(groupsDir(home))[0];
          said = group ? lastSaid(group.logFile) : null;
          return (
            group && said && group.plotterSaid?.done === said.done && group.done === said.done && landed() === said.done
          );
        });
        const { done, secondsPerPlot, etaSeconds } = said!;
        assert.ok(done < 4);
        const status = await runScript(home, 'scripts/goplot-cli.js', ['status', '--json']);
        assert.equal(status.exitCode, 0, String(status.stderr));
        const [plot] = (
          JSON.parse(String(status.stdout)) as {
            plots: { group: { done: number; plotsPerHour: number; etaSeconds: number } }[];
          }
        ).plots;
        assert.equal(plot!.group.done, done);
        assert.equal(plot!.group.plotsPerHour, 3600 / secondsPerPlot);
        assert.ok(plot!.group.etaSeconds >= 0 && plot!.group.etaSeconds <= etaSeconds, JSON.stringify(plot!.group));

        const view = await runScript(home, 'scripts/goplot-cli.js', ['view', '--once']);
        assert.equal(view.exitCode, 0, String(view.stderr));
        assert.match(
          String(view.stdout),
          new RegExp(
            `^group ${group!.index}: ${done}/4 plots, ${(3600 / secondsPerPlot).toFixed(1).replace('.', '\\.')} plots/h, `,
            'm',
          ),
        );

        const collector = await runScript(home, 'collectors/goplot_collector.js');
        assert.equal(collector.exitCode, 0, String(collector.stderr));
        const prom = fs.readFileSync(path.join(home.root, 'prom', 'goplot.prom'), 'utf8');
        const metric = (name: string) =>
          Number(new RegExp(`^${name}\\{index="${group!.index}"[^}]*\\} (\\S+)$`, 'm').exec(prom)?.[1]);
        assert.equal(metric('goplot_group_done_plots'), done);
        assert.ok(Math.abs(metric('goplot_group_plots_per_second') * secondsPerPlot - 1) < 1e-9, prom);
        const eta = metric('goplot_group_eta_seconds');
        assert.ok(eta >= 0 && eta <= etaSeconds, `eta ${eta}`);
      } finally {
        process.kill(running.plotterPid!, 'SIGCONT');
      }
      const result = await tractor;
      assert.equal(result.exitCode, 0, String(result.stderr));
      assert.equal(landed(), 4);
      assert.deepEqual(
        logMessages(home)
          .filter((line) => /^group \d+ (finished|cut short)/.test(line))
          .map((line) => line.replace(/ in .*$/, '')),
        [`group ${group!.index} finished: 4/4 plots`],
      );
    },
  );
});
