import type { HomePaths } from './home.js';

/** What a `goplot` subcommand gets from its caller: the home, the environment, a clock and two outputs. */
export interface CommandIo {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  now: () => number;
  out: (text: string) => void;
  err: (text: string) => void;
}
