import { PACKAGE_ROOT, resolveHome } from '../config/home.js';
import fs from 'node:fs';
import {
  defaultServiceUser,
  installService,
  primaryGroup,
  serviceHomeProblem,
  systemdRunDir,
} from './install-service.js';

export interface InstallServiceCommandOptions {
  home?: string;
  env: NodeJS.ProcessEnv;
  user?: string;
  dryRun?: boolean;
  unitDir: string;
  logrotateDir: string;
  enable: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** `goplot install-service`: the settings from the options and this machine, checked, then installed. */
export function installServiceCommand(options: InstallServiceCommandOptions): number {
  const home = resolveHome({ home: options.home, env: options.env }).home;
  const problem = serviceHomeProblem(home);
  if (problem) {
    options.err(`goplot install-service: ${problem}`);
    return 2;
  }
  const user = options.user ?? defaultServiceUser(options.env);
  const group = primaryGroup(user);
  if (group === null) {
    options.err(
      `goplot install-service: no user ${user} on this machine (make it first, e.g. useradd --system --create-home --home-dir ${home} ${user})`,
    );
    return 2;
  }
  return installService({
    settings: { user, group, home, node: process.execPath, packageRoot: PACKAGE_ROOT },
    unitDir: options.unitDir,
    logrotateDir: options.logrotateDir,
    dryRun: Boolean(options.dryRun),
    enable: options.enable,
    systemdRunning: fs.existsSync(systemdRunDir(options.env)),
    out: options.out,
  });
}
