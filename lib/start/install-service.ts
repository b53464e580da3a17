import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initValueFiles } from '../config/write-value.js';
import { resolveHome, type HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { renderLogrotate, renderUnit, type ServiceSettings } from './service-files.js';
import { errorMessage } from '../util/error-message.js';

export interface InstallServiceOptions {
  settings: ServiceSettings;
  unitDir: string;
  logrotateDir: string;
  dryRun: boolean;
  /** Run systemctl daemon-reload and enable (off: only write the files, e.g. for a package build). */
  enable: boolean;
  /**
   * Whether systemd runs this machine (sd_booted's test: /run/systemd/system exists). Without it
   * systemctl can only fail: the files are written and the farmer told, and that is a success.
   */
  systemdRunning: boolean;
  out: (text: string) => void;
  run?: (command: string, args: string[]) => void;
}

export const UNIT_NAME = 'goplot.service';

/** The folder that exists while systemd runs the machine (sd_booted(3)); GOPLOT_SYSTEMD_RUN_DIR in tests. */
export function systemdRunDir(env: NodeJS.ProcessEnv): string {
  return env.GOPLOT_SYSTEMD_RUN_DIR || '/run/systemd/system';
}

const NOT_ENABLED_HINT = 'to run it: systemctl daemon-reload && systemctl enable --now goplot';

/** Why systemctl is not run, or null when it is. */
function whyNotEnabled(options: InstallServiceOptions): string | null {
  if (!options.enable) return '--no-enable';
  if (!options.systemdRunning) return 'systemd does not run this machine: no /run/systemd/system';
  return null;
}

/** The user the suite should run as by default: the one who ran sudo, else the caller. */
export function defaultServiceUser(env: NodeJS.ProcessEnv): string {
  return env.SUDO_USER || os.userInfo().username;
}

/** The user's primary group, from /etc/passwd and /etc/group (`id -gn` without a process). */
export function primaryGroup(user: string, passwd = '/etc/passwd', group = '/etc/group'): string | null {
  try {
    const entry = fs
      .readFileSync(passwd, 'utf8')
      .split('\n')
      .find((line) => line.split(':')[0] === user);
    const gid = entry?.split(':')[3];
    if (gid === undefined) return null;
    const groupEntry = fs
      .readFileSync(group, 'utf8')
      .split('\n')
      .find((line) => line.split(':')[2] === gid);
    return groupEntry?.split(':')[0] ?? null;
  } catch {
    return null;
  }
}

/** Why this home cannot be a service's home, or null. */
export function serviceHomeProblem(home: string): string | null {
  if (!path.isAbsolute(home)) return `the home ${home} is not an absolute path`;
  if (home.split(path.sep).includes('node_modules')) {
    return `the home ${home} is inside an installed package, which an update replaces: give --home DIR (e.g. /var/lib/goplot)`;
  }
  return null;
}

/**
 * Writes the systemd unit and the logrotate file for one home, creates the home's value files
 * (owned by the service's user), then reloads systemd and enables the unit. `dryRun` prints the
 * files and the commands and changes nothing.
 */
export function installService(options: InstallServiceOptions): number {
  const { settings, out } = options;
  const unitFile = path.join(options.unitDir, UNIT_NAME);
  const logrotateFile = path.join(options.logrotateDir, 'goplot');
  const unit = renderUnit(settings);
  const logrotate = renderLogrotate(settings);
  const notEnabled = whyNotEnabled(options);
  const commands: [string, string[]][] =
    notEnabled === null
      ? [
          ['systemctl', ['daemon-reload']],
          ['systemctl', ['enable', UNIT_NAME]],
        ]
      : [];
  if (options.dryRun) {
    out(`would write ${unitFile}:\n\n${unit}\nwould write ${logrotateFile}:\n\n${logrotate}`);
    out(`would create the value files in ${settings.home}/config (owned by ${settings.user})`);
    for (const [command, args] of commands) out(`would run: ${command} ${args.join(' ')}`);
    if (notEnabled !== null) out(`would not enable it (${notEnabled}); ${NOT_ENABLED_HINT}`);
    return 0;
  }
  const paths = resolveHome({ home: settings.home });
  initValueFiles(paths);
  const chownProblem = chownHome(paths, settings.user, settings.group);
  if (chownProblem) out(`warning: ${chownProblem}`);
  for (const [file, text] of [
    [unitFile, unit],
    [logrotateFile, logrotate],
  ] as const) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomicSync(file, text);
      fs.chmodSync(file, 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM')
        throw new Error(`cannot write ${file} (${code}): run it as root, e.g. sudo goplot install-service …`);
      throw error;
    }
    out(`wrote ${file}`);
  }
  const run = options.run ?? ((command: string, args: string[]) => execFileSync(command, args, { stdio: 'inherit' }));
  for (const [command, args] of commands) {
    out(`running: ${command} ${args.join(' ')}`);
    run(command, args);
  }
  out(
    notEnabled === null
      ? `enabled ${UNIT_NAME}; start it with: systemctl start goplot (logs: journalctl -u goplot and ${paths.logsDir}/)`
      : `not enabled (${notEnabled}); ${NOT_ENABLED_HINT}`,
  );
  return 0;
}

/** The home's folders and files to the service's user, when run as root (otherwise they are the caller's already). */
function chownHome(paths: HomePaths, user: string, group: string): string | null {
  if (process.getuid?.() !== 0) return null;
  try {
    execFileSync('chown', [`${user}:${group}`, paths.home], { stdio: 'pipe' });
    execFileSync('chown', ['-R', `${user}:${group}`, paths.configDir, paths.disksDir, paths.logsDir], {
      stdio: 'pipe',
    });
    return null;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    return `cannot give ${paths.home} to ${user}:${group} (${stderr || errorMessage(error)}); the service runs as ${user} and must be able to write there`;
  }
}
