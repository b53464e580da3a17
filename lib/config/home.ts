import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: the default home, as goplot's working directory was. Found as the nearest
 * folder above with a package.json, not by a fixed depth: this code runs from lib/config/ and,
 * bundled, from an entry script in scripts/ or collectors/.
 */
export const PACKAGE_ROOT = packageRootAbove(path.dirname(fileURLToPath(import.meta.url)));

export function packageRootAbove(dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, 'package.json'))) return at;
    if (path.dirname(at) === at) return path.resolve(dir, '..', '..');
  }
}

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

/**
 * Why a home given to a command is not one, or null: a typo in --home or GOPLOT_HOME would
 * otherwise read every value as its default and scan /farm. `mayBeNew`: a command that makes
 * the home (init) only refuses an installed package's folder.
 */
export function homeProblem(paths: HomePaths, source: string, options: { mayBeNew?: boolean } = {}): string | null {
  if (source === 'the package folder' && paths.home.split(path.sep).includes('node_modules')) {
    return `no home given: give --home DIR or set GOPLOT_HOME (the folder of an installed package, ${paths.home}, is no home: an update replaces it)`;
  }
  if (options.mayBeNew) return null;
  const makeIt = `make it one with: goplot init --home ${paths.home}`;
  try {
    if (!fs.statSync(paths.home).isDirectory()) return `the home ${paths.home} (${source}) is not a directory`;
  } catch {
    return `the home ${paths.home} (${source}) does not exist; check the path, or ${makeIt}`;
  }
  if (!fs.existsSync(paths.configDir))
    return `${paths.home} (${source}) is no goplot home: it has no config/ folder; check the path, or ${makeIt}`;
  return null;
}

/** Where the home came from, for messages. */
export function homeSource(options: { home?: string; env?: NodeJS.ProcessEnv } = {}): string {
  if (options.home !== undefined) return '--home';
  return (options.env ?? process.env).GOPLOT_HOME ? 'GOPLOT_HOME' : 'the package folder';
}
