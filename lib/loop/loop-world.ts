import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { chooseConfiguredTempDir } from '../plan/choose-configured-temp-dir.js';
import { chooseDestination } from '../plan/choose-destination.js';
import type { ConfigReader } from '../config/config-reader.js';
import { findTractorPids } from '../farm/find-tractors.js';
import { PACKAGE_ROOT, type HomePaths } from '../config/home.js';
import { mountinfoPathFrom, readMountPoints } from '../farm/mount-points.js';
import { committedKiB } from '../farm/plot-size.js';
import { readPlotPhase } from '../farm/read-plot-phase.js';
import { findInvalidPlotValues } from '../plan/plot-config-check.js';
import { buildPlotterCommand, plotJobFromConfig } from '../plan/plotter-command.js';
import { plotterCommandNames, readRunningPlots } from '../farm/process-table.js';
import { replotChoiceOptions } from '../replot/replot-candidates.js';
import type { LoopWorld, RunningPlotSummary } from './run-loop.js';

/** The real world for the loop: /proc, the load average, the disks, and detached tractors. */
export function createLoopWorld(paths: HomePaths, env: NodeJS.ProcessEnv): LoopWorld {
  const tractorScript = path.join(PACKAGE_ROOT, 'scripts', 'tractor.js');
  return {
    now: Date.now,
    loadavg: () => os.loadavg(),
    readRunning(config: ConfigReader): RunningPlotSummary[] {
      const needPhases = config.get('start_early_phase') > 0 || config.get('max_phase1') > 0;
      return readRunningPlots({
        farmRoot: config.get('farm_root'),
        tempRoot: config.get('temp_root'),
        commandNames: plotterCommandNames(config),
      }).map((plot) => ({
        pid: plot.pid,
        ppid: plot.ppid,
        tempDir: plot.tempDir,
        phase: needPhases && plot.logFile ? readPlotPhase(plot.logFile) : 0,
      }));
    },
    findTractors: () => findTractorPids(paths.home),
    async checkRoom(config, running) {
      const invalid = findInvalidPlotValues(config);
      if (invalid.length > 0) return `${invalid[0]!.replace(/; using .*$/, '')}; no plot starts with a guessed value (fix it, see goplot config)`;
      // a value the plotter would refuse is said here, instead of launching a tractor that
      // refuses it and sets off the back-off
      const probe = buildPlotterCommand(plotJobFromConfig(config, { tempDir: config.get('temp_root'), destDir: config.get('farm_root') }));
      if (!probe.ok) return probe.message;
      const temp = await chooseConfiguredTempDir(config, running.map((plot) => plot.tempDir));
      if (!temp.ok) return temp.message;
      const destination = await chooseDestination({
        paths,
        farmRoot: config.get('farm_root'),
        lastFarm: config.get('farm_dest'),
        requireMount: config.get('require_mount') === 'yes',
        mounts: readMountPoints(mountinfoPathFrom(env)),
        spaceMethod: config.get('disk_space'),
        plotKiB: committedKiB(config.get('k'), config.get('compression')),
        reserve: false,
        timeoutMs: config.get('disk_timeout') * 1000,
        ...replotChoiceOptions(paths, config),
      });
      return destination.ok ? null : destination.message;
    },
    launchTractor(onExit) {
      const child = spawn(process.execPath, [tractorScript, '--home', paths.home], {
        detached: true,
        stdio: 'ignore',
        env: { ...env, GOPLOT_HOME: paths.home },
      });
      child.on('exit', (code, signal) => onExit(code, signal));
      child.on('error', () => onExit(127, null));
      child.unref();
      return child.pid;
    },
  };
}
