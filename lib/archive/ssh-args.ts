import type { TargetPlace } from './archive-targets.js';

type RemotePlace = Extract<TargetPlace, { kind: 'remote' }>;

/**
 * Options every archiver ssh gets: never ask for a password or a host key (there is no one to
 * answer; an unknown host is refused, so add it to known_hosts once by hand), give up on a dead
 * host in seconds, and notice a cut network within a minute instead of hanging for hours.
 */
export const SSH_OPTIONS = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4'];

/** The ssh command line up to (not including) the remote command: `ssh [-F cfg] [-p port] opts [user@]host`. */
export function sshArgs(place: RemotePlace, sshConfig: string): string[] {
  return [...sshTransportArgs(place, sshConfig), destination(place)];
}

/** ssh's options without the host, as rsync's `-e` takes them. */
export function sshTransportArgs(place: RemotePlace, sshConfig: string): string[] {
  return [...(sshConfig === '' ? [] : ['-F', sshConfig]), ...(place.port === null ? [] : ['-p', String(place.port)]), ...SSH_OPTIONS];
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
