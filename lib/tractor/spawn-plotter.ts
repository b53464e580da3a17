import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readCmdline } from '../farm/proc-read.js';

/**
 * Starts the plotter writing straight into its log (no pipe through the tractor), in its own
 * process group: a killed tractor or a closed terminal never takes the plot down with it. Returns
 * once the plotter (past any nice/ionice/taskset wrappers) shows in /proc, or after 2 s.
 */
export async function spawnPlotter(
  command: { command: string; args: string[] },
  logFile: string,
  env: NodeJS.ProcessEnv,
  commandNames: string[],
  now: () => number,
) {
  const fd = fs.openSync(logFile, 'a');
  const startedMs = now();
  const child = spawn(command.command, command.args, { stdio: ['ignore', fd, fd], detached: true, env });
  fs.closeSync(fd);
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => resolve({ exitCode: 127, signal: null }));
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  const deadline = Date.now() + 2000;
  let done = false;
  void exited.then(() => (done = true));
  while (!done && child.pid !== undefined && Date.now() < deadline && !isPlotterProcess(child.pid, commandNames)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { child, exited, startedMs };
}

function isPlotterProcess(pid: number, commandNames: string[]): boolean {
  return (readCmdline('/proc', pid) ?? []).slice(0, 2).some((arg) => commandNames.includes(path.basename(arg)));
}
