import { spawn } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT, type HomePaths } from '../config/home.js';
import { EXIT_CODE_FILE_ENV, takeLeftExitCode } from '../farm/end-process.js';
import { createStartWorld } from '../plan/start-world.js';
import type { LoopWorld } from './run-loop.js';

/** The real world for the loop: the start decision's world, and detached tractors. */
export function createLoopWorld(paths: HomePaths, env: NodeJS.ProcessEnv): LoopWorld {
  const tractorScript = path.join(PACKAGE_ROOT, 'scripts', 'tractor.js');
  let launched = 0;
  return {
    ...createStartWorld(paths, env),
    launchTractor(onExit, job) {
      const exitCodeFile = path.join(paths.logsDir, `.tractor-exit-${process.pid}-${++launched}`);
      const child = spawn(
        process.execPath,
        [tractorScript, '--home', paths.home, ...(job === undefined ? [] : ['--job', job])],
        {
          detached: true,
          stdio: 'ignore',
          // libuv reads this once, before any of the script runs: it must come from outside.
          // Hung disks each hold a thread until the kernel answers; 64 leave room for the rest.
          env: { UV_THREADPOOL_SIZE: '64', ...env, GOPLOT_HOME: paths.home, [EXIT_CODE_FILE_ENV]: exitCodeFile },
        },
      );
      child.on('exit', (code, signal) => {
        // a tractor stuck on a dead disk ends itself with SIGKILL after its plot is done: its own code counts
        const left = takeLeftExitCode(exitCodeFile);
        if (signal === 'SIGKILL' && left !== null) onExit(left, null);
        else onExit(code, signal);
      });
      child.on('error', () => onExit(127, null));
      child.unref();
      return child.pid;
    },
  };
}
