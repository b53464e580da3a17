import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../config/home.js';

export interface SimPlotOptions {
  tempDir: string;
  plotsDir: string;
  /** The plot log, appended to as a tractor's would be. */
  logFile: string;
  seconds: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * A k25 `chia plots create` by the simulated plotter, started outside goplot: what a plot looks
 * like in /proc and its log to the readers (status, view, the snapshot), without loop or tractor.
 */
export function spawnSimPlot(options: SimPlotOptions): ChildProcess {
  const args = ['plots', 'create', '-k', '25', '--override-k', '-r', '1', '-n', '1', '-b', '1024', '-u', '128'];
  args.push('-t', options.tempDir, '-2', options.tempDir, '-d', options.plotsDir);
  const log = fs.openSync(options.logFile, 'a');
  try {
    return spawn(process.execPath, [path.join(PACKAGE_ROOT, 'scripts', 'simplotter.js'), ...args], {
      stdio: ['ignore', log, 'ignore'],
      env: { ...(options.env ?? process.env), SIMPLOTTER_SECONDS: String(options.seconds) },
    });
  } finally {
    fs.closeSync(log);
  }
}
