import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TargetPlace } from './archive-targets.js';

type RemotePlace = Extract<TargetPlace, { kind: 'remote' }>;

/**
 * Options every archiver ssh gets: never ask for a password or a host key (there is no one to
 * answer; an unknown host is refused, so add it to known_hosts once by hand), give up on a dead
 * host in seconds, and notice a cut network within a minute instead of hanging for hours.
 */
export const SSH_OPTIONS = [
  '-o',
  'BatchMode=yes',
  '-o',
  'ConnectTimeout=10',
  '-o',
  'ServerAliveInterval=15',
  '-o',
  'ServerAliveCountMax=4',
];

/** `ssh … -O exit host`: ends the shared connection to the host, if there is one, when the archiver stops. */
export function closeMasterArgs(place: RemotePlace, sshConfig: string): string[] {
  return [...sshTransportArgs(place, sshConfig), '-O', 'exit', destination(place)];
}

/** The ssh command line up to (not including) the remote command: `ssh [-F cfg] [-p port] opts [user@]host`. */
export function sshArgs(place: RemotePlace, sshConfig: string): string[] {
  return [...sshTransportArgs(place, sshConfig), destination(place)];
}

/**
 * ssh's options without the host, as rsync's `-e` takes them. `shared`: through the host's shared
 * connection (short commands); rsync's bulk data goes on a connection of its own instead, since
 * through the master every byte takes two more copies and one more process on the way.
 */
export function sshTransportArgs(place: RemotePlace, sshConfig: string, shared = true): string[] {
  return [
    ...(sshConfig === '' ? [] : ['-F', sshConfig]),
    ...(place.port === null ? [] : ['-p', String(place.port)]),
    ...SSH_OPTIONS,
    ...(shared ? multiplexOptions() : ['-o', 'ControlMaster=no', '-o', 'ControlPath=none']),
  ];
}

let controlDir: string | null | undefined;

/**
 * A folder for ssh's control sockets that only this user can enter, or null (then every ssh
 * connects on its own). A socket there lets anyone who can reach it use the connection.
 */
function ownControlDir(): string | null {
  if (controlDir !== undefined) return controlDir;
  const uid = process.getuid?.() ?? 0;
  const dir = path.join(os.tmpdir(), `goplot-ssh-${uid}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return (controlDir = null);
  }
  try {
    const stat = fs.lstatSync(dir);
    controlDir = stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0 ? dir : null;
  } catch {
    controlDir = null;
  }
  return controlDir;
}

/**
 * One SSH connection per host, shared by the pass's survey and the checks after each copy
 * (ControlMaster): a new connection costs a key exchange and a login, about half a second on a
 * loaded box. The master ends 30 s after its last use.
 */
export function multiplexOptions(): string[] {
  const dir = ownControlDir();
  return dir === null
    ? []
    : ['-o', 'ControlMaster=auto', '-o', `ControlPath=${path.join(dir, '%C')}`, '-o', 'ControlPersist=30'];
}

function destination(place: RemotePlace): string {
  const host = place.host.startsWith('[') ? place.host.slice(1, -1) : place.host;
  return place.user === null ? host : `${place.user}@${host}`;
}

/** rsync's remote spec for a path: `[user@]host:/path` (IPv6 hosts in brackets). */
export function rsyncRemote(place: RemotePlace, remotePath: string): string {
  return `${place.user === null ? '' : `${place.user}@`}${place.host}:${remotePath}`;
}

/** A word quoted for a POSIX shell: the remote side runs our commands through sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
