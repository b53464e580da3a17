import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the default home, as goplot's working directory was. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HomePaths {
  home: string;
  configDir: string;
  disksDir: string;
  logsDir: string;
}

/** `--home` wins over GOPLOT_HOME, which wins over the package root. */
export function resolveHome(options: { home?: string; env?: NodeJS.ProcessEnv } = {}): HomePaths {
  const env = options.env ?? process.env;
  const home = path.resolve(options.home ?? (env.GOPLOT_HOME || PACKAGE_ROOT));
  return {
    home,
    configDir: path.join(home, 'config'),
    disksDir: path.join(home, 'disks'),
    logsDir: path.join(home, 'logs'),
  };
}

export function valueFilePath(paths: HomePaths, name: string): string {
  return path.join(paths.configDir, `${name}.goplot`);
}
