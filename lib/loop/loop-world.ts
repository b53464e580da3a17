import { spawn } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT, type HomePaths } from '../config/home.js';
import { createStartWorld } from '../plan/start-world.js';
import type { LoopWorld } from './run-loop.js';

/** The real world for the loop: the start decision's world, and detached tractors. */
export function createLoopWorld(paths: HomePaths, env: NodeJS.ProcessEnv): LoopWorld {
  const tractorScript = path.join(PACKAGE_ROOT, 'scripts', 'tractor.js');
  return {
    ...createStartWorld(paths, env),
    launchTractor(onExit, job) {
      const child = spawn(process.execPath, [tractorScript, '--home', paths.home, ...(job === undefined ? [] : ['--job', job])], {
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
