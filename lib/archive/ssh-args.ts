import crypto from 'node:crypto';
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
 * ssh's options without the host, as rsync's `-e` takes them. `shared`: through the host's one
 * master connection (the survey, the leases, the checks). A batch's rsync (`shared` false) has a
 * connection of its own instead: one key exchange per batch, not per plot, and its bulk data is
 * spared the master's extra copies and process, which measured slower (bench/RESULTS.md).
 */
export function sshTransportArgs(place: RemotePlace, sshConfig: string, shared = true): string[] {
  return [
    ...(sshConfig === '' ? [] : ['-F', sshConfig]),
    ...(place.port === null ? [] : ['-p', String(place.port)]),
    ...SSH_OPTIONS,
    ...(shared ? multiplexOptions(place, sshConfig) : ['-o', 'ControlMaster=no', '-o', 'ControlPath=none']),
  ];
}

/** Seconds a master outlives its last use: it ends soon after an archiver killed -9, and lives through a pass's wait. */
export const CONTROL_PERSIST_SECONDS = 300;

/** A unix socket's path must fit in sun_path (108 bytes with its NUL on Linux). */
const SOCKET_PATH_MAX = 100;

/**
 * A folder for ssh's control sockets that only this user can enter, or null (then every ssh
 * connects on its own). A socket there lets anyone who can reach it use the connection.
 */
export function ownControlDir(dir: string): string | null {
  const uid = process.getuid?.() ?? 0;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0 ? dir : null;
  } catch {
    return null;
  }
}

/**
 * The socket of the host's master connection: in the home's private folder (the target's
 * `controlDir`), named by the host, port, user and ssh_config; in the user's own folder of
 * $TMPDIR when the home's path is too long for a socket or no home is known.
 */
export function controlPath(place: RemotePlace, sshConfig: string): string | null {
  const name = crypto
    .createHash('sha256')
    .update(`${destination(place)}\0${place.port ?? ''}\0${sshConfig}\0${place.controlDir ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  const home = place.controlDir === undefined ? null : ownControlDir(place.controlDir);
  if (home !== null && path.join(home, name).length <= SOCKET_PATH_MAX) return path.join(home, name);
  const tmp = ownControlDir(path.join(os.tmpdir(), `goplot-ssh-${process.getuid?.() ?? 0}`));
  return tmp === null ? null : path.join(tmp, name);
}

/**
 * One SSH connection per host (ControlMaster), shared by the pass's survey, the leases, the
 * checks after each copy and rsync's streams: a new connection costs a key exchange and a login,
 * about half a second on a loaded box, which batches of small plots would otherwise pay again
 * and again. The archiver ends the masters when it stops.
 */
export function multiplexOptions(place: RemotePlace, sshConfig: string): string[] {
  const socket = controlPath(place, sshConfig);
  return socket === null
    ? []
    : ['-o', 'ControlMaster=auto', '-o', `ControlPath=${socket}`, '-o', `ControlPersist=${CONTROL_PERSIST_SECONDS}`];
}

function destination(place: RemotePlace): string {
  const host = place.host.startsWith('[') ? place.host.slice(1, -1) : place.host;
  return place.user === null ? host : `${place.user}@${host}`;
}

/** rsync's remote spec for a path: `[user@]host:/path` (IPv6 hosts in brackets). */
export function rsyncRemote(place: RemotePlace, remotePath: string): string {
  return `${place.user === null ? '' : `${place.user}@`}${place.host}:${remotePath}`;
}
