import fs from 'node:fs';
import { errorMessage } from '../util/run-main.js';

/** Large files are read from their tail only: the value is the last line anyway. */
const TAIL_BYTES = 64 * 1024;

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
    // O_NONBLOCK: a FIFO put where a value file belongs must not hang the loop on open(2)
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const stat = fs.fstatSync(fd);
      if (stat.isDirectory()) return { status: 'unreadable', problem: 'it is a directory, not a file' };
      if (!stat.isFile()) return { status: 'unreadable', problem: 'it is not a regular file (a FIFO, device or socket)' };
      const size = stat.size;
      const length = Math.min(size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      const read = length > 0 ? fs.readSync(fd, buffer, 0, length, size - length) : 0;
      text = buffer.subarray(0, read).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing' };
    if (code === 'EISDIR') return { status: 'unreadable', problem: 'it is a directory, not a file' };
    return { status: 'unreadable', problem: `${code ?? 'error'}: ${errorMessage(error)}` };
  }
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
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
