import fs from 'node:fs';
import path from 'node:path';
import { commandLineHas } from './proc-read.js';
import { errorMessage } from '../util/error-message.js';

/** The exit code of a script that finds its home held by another instance (a supervisor waits rather than restarts). */
export const ALREADY_RUNNING = 3;

export type PidFileResult =
  { ok: true; release: () => void; owns: () => boolean } | { ok: false; pid: number; message: string };

export interface PidFileOptions {
  /** The script name the holder runs (`goplot.js`): a reused pid running something else holds nothing. */
  marker: string;
  /** For the refusal: `goplot loop`, `harvesterlog`. */
  what: string;
  procDir?: string;
  pid?: number;
  /** Told when something that is no pid file (a FIFO, a socket, a link) was in the way and was removed. */
  onReplaced?: (message: string) => void;
}

type PidFileContent =
  { kind: 'pid'; pid: number | null } | { kind: 'missing' } | { kind: 'directory' } | { kind: 'other'; type: string };

function typeOf(stats: fs.Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * What is at the pid file's path, read without following a link and without blocking: a FIFO
 * opened for reading would wait for a writer for ever, deaf to SIGTERM.
 */
function readPidFile(file: string): PidFileContent {
  let before: fs.Stats;
  try {
    before = fs.lstatSync(file);
  } catch {
    return { kind: 'missing' };
  }
  if (before.isDirectory()) return { kind: 'directory' };
  if (!before.isFile()) return { kind: 'other', type: typeOf(before) };
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'other', type: 'a symbolic link' };
    throw error;
  }
  try {
    // swapped for something else between lstat and open
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) return { kind: 'other', type: typeOf(stats) };
    const buffer = Buffer.alloc(32);
    const text = buffer
      .subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0))
      .toString('utf8')
      .trim();
    const pid = /^\d+$/.test(text) ? Number(text) : null;
    return { kind: 'pid', pid };
  } finally {
    fs.closeSync(fd);
  }
}

/** The number in a pid file, or null (no file, no number, or no regular file: a FIFO is never opened for reading). */
export function readPid(file: string): number | null {
  try {
    const content = readPidFile(file);
    return content.kind === 'pid' && content.pid !== null && content.pid > 0 ? content.pid : null;
  } catch {
    return null;
  }
}

/** The live process that holds this pid file, or null when none does (no file, a dead or reused pid, no pid file at all). */
export function pidFileHolder(file: string, options: { marker: string; procDir?: string }): number | null {
  let content: PidFileContent;
  try {
    content = readPidFile(file);
  } catch {
    return null;
  }
  if (content.kind !== 'pid' || content.pid === null || content.pid <= 0) return null;
  return commandLineHas(options.procDir ?? '/proc', content.pid, options.marker) ? content.pid : null;
}

/**
 * One instance per home (the loop, harvesterlog). The pid file is created whole through link(2),
 * which fails when it exists; a file left by a dead instance (kill -9, power cut) is taken over,
 * and so is anything at that path that is no pid file (a FIFO would otherwise hang the reader).
 * A pid file that cannot be written (a full home) throws with the reason, leaving no temp file.
 */
export function acquirePidFile(file: string, options: PidFileOptions): PidFileResult {
  const procDir = options.procDir ?? '/proc';
  const pid = options.pid ?? process.pid;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${pid}.tmp`;
  const owns = () => {
    try {
      const content = readPidFile(file);
      return content.kind === 'pid' && content.pid === pid;
    } catch {
      return false;
    }
  };
  try {
    try {
      fs.writeFileSync(temp, `${pid}\n`);
    } catch (error) {
      throw new Error(`cannot write the pid file ${temp}: ${errorMessage(error)}`);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(temp, file);
        return {
          ok: true,
          owns,
          release: () => {
            try {
              if (owns()) fs.unlinkSync(file);
            } catch {
              // already gone: nothing to release
            }
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const content = readPidFile(file);
      if (content.kind === 'directory') throw new Error(`${file} is a directory, not a pid file: remove it`);
      if (content.kind === 'other') {
        options.onReplaced?.(`${file} was ${content.type}, not a pid file: replaced it`);
      } else if (
        content.kind === 'pid' &&
        content.pid !== null &&
        content.pid !== pid &&
        commandLineHas(procDir, content.pid, options.marker)
      ) {
        const holder = content.pid;
        return {
          ok: false,
          pid: holder,
          message: `another ${options.what} is running for this home (pid ${holder}); stop it first with: kill ${holder}`,
        };
      }
      fs.rmSync(file, { force: true });
    }
    throw new Error(`could not create ${file}`);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
