import fs from 'node:fs';
import { chooseConfiguredTempDir } from './choose-configured-temp-dir.js';
import { chooseDestination, type DestinationChoice, type DiskStateWrite } from './choose-destination.js';
import type { TempChoice } from './choose-temp-dir.js';
import type { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import type { PlotOnDisk } from '../farm/evaluate-disk.js';
import { mountinfoPathFrom, readMountPoints } from '../farm/mount-points.js';
import { committedKiB, pos2GroupKiB } from '../farm/plot-size.js';
import { isPos2Plotter } from '../config/value-specs.js';
import { findInvalidPlotValues } from './plot-config-check.js';
import { buildPlotterCommand, plotJobFromConfig, type PlotJob } from './plotter-command.js';
import { findExecutable } from '../util/find-executable.js';

/** A running plot as the plan needs it: where it writes, how big it gets, which temp dir it uses. */
export type PlanPlot = PlotOnDisk & { tempDir: string | null };

export interface StartPlanInputs {
  paths: HomePaths;
  config: ConfigReader;
  env: NodeJS.ProcessEnv;
  /** The plots running now (the farm snapshot's or the process table's): temp dir counts and committed space. */
  running: PlanPlot[];
  log?: (message: string) => void;
}

export type StartPlan =
  | {
      ok: true;
      temp: Extract<TempChoice, { ok: true }>;
      destination: DestinationChoice;
      /** The job with the chosen temp dir and the disk's plots/ (the tractor gives each plot its own temp dir). */
      job: PlotJob;
      command: { command: string; args: string[] };
      /** The chosen disk's reservation and what the disks' re-checks found (full, unmounted). */
      diskWrites: DiskStateWrite[];
    }
  | {
      ok: false;
      message: string;
      /** A plot start that fails this way counts toward the back-off; a value waiting for a fix does not. */
      countsAsFailure: boolean;
      /** What the disks' re-checks found, worth keeping even though nothing starts. */
      diskWrites: DiskStateWrite[];
    };

/**
 * What would start now, where, with which command, or why not: the one set of start checks. It
 * writes nothing: the disk state writes it implies are part of the plan. The loop asks it before
 * it launches a tractor and ignores them; the tractor asks it again under the state lock and
 * commits them (commitStartWrites), both with the running plots, so they cannot disagree.
 */
export async function planStart(inputs: StartPlanInputs): Promise<StartPlan> {
  const { config, env } = inputs;
  const refuse = (message: string, countsAsFailure = true, diskWrites: DiskStateWrite[] = []): StartPlan => ({
    ok: false,
    message,
    countsAsFailure,
    diskWrites,
  });
  const invalid = findInvalidPlotValues(config);
  if (invalid.length > 0)
    return refuse(
      `${invalid[0]!.replace(/; using .*$/, '')}; no plot starts with a guessed value (fix it, see goplot config)`,
      false,
    );
  const farmRoot = config.get('farm_root');
  // a pos1 plot needs none of the pos2 group's code
  const pos2 = isPos2Plotter(config.get('plotter')) ? await import('./pos2-command.js') : null;
  // a value the plotter would refuse is said before any disk is chosen
  const probe = pos2
    ? probePos2Command(pos2, config, farmRoot)
    : buildPlotterCommand(plotJobFromConfig(config, { tempDir: config.get('temp_root'), destDir: farmRoot }));
  if (!probe.ok) return refuse(probe.message);
  if ((await findExecutable(probe.command, env)) === null) {
    return refuse(
      `the plotter command ${JSON.stringify(probe.command)} was not found (set ${pos2 ? 'config/chia_bin.goplot, xchplot2_bin or plot_command_v2' : 'config/chia_bin.goplot, madmax_bin or bladebit_bin'}, or PATH)`,
    );
  }
  const temp2 = config.get('temp2_dir');
  if (temp2 !== '' && !fs.existsSync(temp2)) return refuse(`temp2_dir ${temp2} does not exist`);

  const temp = await chooseConfiguredTempDir(
    config,
    inputs.running.map((plot) => plot.tempDir),
    { env },
  );
  if (!temp.ok) return refuse(temp.message);
  const destination = await chooseDestination({
    paths: inputs.paths,
    farmRoot,
    lastFarm: config.get('farm_dest'),
    requireMount: config.get('require_mount') === 'yes',
    mounts: readMountPoints(mountinfoPathFrom(env)),
    spaceMethod: config.get('disk_space'),
    plotKiB: pos2
      ? pos2GroupKiB(config.get('k'), config.get('group_size'))
      : committedKiB(config.get('k'), config.get('compression')),
    runningPlots: inputs.running,
    timeoutMs: config.get('disk_timeout') * 1000,
    onlyFarms: config
      .get('dest_farms')
      .split(' ')
      .filter((farm) => farm !== ''),
    log: inputs.log,
    replotCredit: await replotCredit(inputs.paths, config),
  });
  if (!destination.ok) return refuse(destination.message, true, destination.writes);
  const job = plotJobFromConfig(config, { tempDir: temp.dir, destDir: destination.choice.plotsDir });
  const command = pos2
    ? probePos2Command(pos2, config, destination.choice.plotsDir, temp.dir)
    : buildPlotterCommand(job);
  if (!command.ok) return refuse(command.message, true, destination.writes);
  return {
    ok: true,
    temp,
    destination: destination.choice,
    job,
    command: { command: command.command, args: command.args },
    diskWrites: destination.writes,
  };
}

/**
 * What replot's room counts for on a full disk (replotCreditFor), its code loaded only when replot
 * is on. replot_match is read either way, as before, so a bad rule is still named in the log.
 */
async function replotCredit(paths: HomePaths, config: ConfigReader) {
  const on = config.get('replot') === 'on';
  config.get('replot_match');
  if (!on) return undefined;
  const { replotCreditFor } = await import('../replot/replot-candidates.js');
  return replotCreditFor(paths, config);
}

/** The first run of a pos2 group as it would start (meta group 0 stands for the one the tractor picks), or why not. */
function probePos2Command(
  { planPos2Runs, pos2GroupFromConfig }: typeof import('./pos2-command.js'),
  config: ConfigReader,
  destDir: string,
  tempDir = config.get('temp_root'),
): { ok: true; command: string; args: string[] } | { ok: false; message: string } {
  const k = config.get('k');
  if (k % 2 !== 0 || k > 32)
    return {
      ok: false,
      message: `config/k.goplot: plotter ${config.get('plotter')} makes pos2 plots of even k 18 to 32 (mainnet takes 28), not k ${k}`,
    };
  const runs = planPos2Runs(pos2GroupFromConfig(config, { tempDir, destDir, metaGroup: 0 }));
  if ('problem' in runs) return { ok: false, message: runs.problem };
  return { ok: true, command: runs[0]!.command, args: runs[0]!.args };
}
