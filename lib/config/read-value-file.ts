import fs from 'node:fs';
import { errorMessage } from '../util/error-message.js';

/**
 * No value comes near this (the longest are paths, URLs and extra_args): a bigger file is not a
 * value file. Reading its tail only would take `-000…0001` for `1`.
 */
export const MAX_VALUE_FILE_BYTES = 4096;

export type RawValue =
  | { status: 'ok'; raw: string }
  | { status: 'missing' }
  | { status: 'unreadable'; problem: string }
  | { status: 'binary'; raw: string };

/**
 * goplot reads `tail -n1`: the last non-empty line, trimmed, so `echo 2 > file` works and so
 * do files edited on Windows (CRLF).
 */
export function readValueFile(file: string): RawValue {
  let text: string;
  try {
    // O_NONBLOCK: a FIFO put where a value file belongs must not hang the loop on open(2).
    // O_NOFOLLOW: value files are regular files only; a link could show any file of the system
    // (config/on_toggle.goplot -> /etc/shadow) in the log's warnings, read as root.
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
    try {
      const stat = fs.fstatSync(fd);
      if (stat.isDirectory()) return { status: 'unreadable', problem: 'it is a directory, not a file' };
      if (!stat.isFile())
        return { status: 'unreadable', problem: 'it is not a regular file (a FIFO, device or socket)' };
      if (stat.size > MAX_VALUE_FILE_BYTES) {
        return {
          status: 'unreadable',
          problem: `it is ${stat.size} bytes, more than any value takes (at most ${MAX_VALUE_FILE_BYTES}); not read`,
        };
      }
      const buffer = Buffer.alloc(stat.size);
      const read = stat.size > 0 ? fs.readSync(fd, buffer, 0, stat.size, 0) : 0;
      text = buffer.subarray(0, read).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing' };
    if (code === 'EISDIR') return { status: 'unreadable', problem: 'it is a directory, not a file' };
    if (code === 'ELOOP')
      return {
        status: 'unreadable',
        problem: 'it is a symbolic link; value files must be regular files (replace the link with the file)',
      };
    return { status: 'unreadable', problem: `${code ?? 'error'}: ${errorMessage(error)}` };
  }
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const raw = lines.at(-1) ?? '';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/.test(raw)) return { status: 'binary', raw };
  return { status: 'ok', raw };
}

/** A value as it can be shown in a log line: quoted, escaped and cut short. */
export function showRaw(raw: string): string {
  const shown = JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
  return shown;
}
