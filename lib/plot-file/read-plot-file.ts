import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { nameMismatches } from './plot-file-name.js';
import { HEADER_READ_BYTES, parsePlotHeader, type HeaderProblem, type PlotHeader } from './plot-header.js';
import { errorMessage } from '../util/error-message.js';

export interface PlotFileStat {
  sizeBytes: number;
  mtimeMs: number;
}

/** A readable plot: header facts, size and mtime, and where its name disagrees with its header. */
export interface ValidPlotFile extends PlotFileStat {
  ok: true;
  path: string;
  header: PlotHeader;
  nameMismatches: string[];
}

/** Anything else, as data: `unreadable` when the file could not be opened or read at all. */
export interface InvalidPlotFile {
  ok: false;
  path: string;
  problem: HeaderProblem | 'unreadable';
  message: string;
  /** Present when stat worked, so an inventory can still count the bytes. */
  stat?: PlotFileStat;
}

export type PlotFileFacts = ValidPlotFile | InvalidPlotFile;

/**
 * Reads the header of one `.plot` file: one open, one fstat, one read of at most HEADER_READ_BYTES,
 * whatever the file's size. Never throws.
 */
export async function readPlotFile(file: string): Promise<PlotFileFacts> {
  let handle: fsp.FileHandle | undefined;
  let stat: PlotFileStat | undefined;
  try {
    handle = await fsp.open(file, 'r');
    const info = await handle.stat();
    stat = { sizeBytes: info.size, mtimeMs: Math.trunc(info.mtimeMs) };
    if (!info.isFile()) return { ok: false, path: file, problem: 'unreadable', message: 'not a regular file', stat };
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_READ_BYTES, 0);
    return factsOf(file, stat, buffer.subarray(0, bytesRead));
  } catch (error) {
    return unreadable(file, error, stat);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * The same as readPlotFile, without the thread pool's round trips: a scan of 10,000 local plots
 * spends most of its time there otherwise. Blocks the caller while a disk answers.
 */
export function readPlotFileSync(file: string): PlotFileFacts {
  let fd: number | undefined;
  let stat: PlotFileStat | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const info = fs.fstatSync(fd);
    stat = { sizeBytes: info.size, mtimeMs: Math.trunc(info.mtimeMs) };
    if (!info.isFile()) return { ok: false, path: file, problem: 'unreadable', message: 'not a regular file', stat };
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const bytesRead = fs.readSync(fd, buffer, 0, HEADER_READ_BYTES, 0);
    return factsOf(file, stat, buffer.subarray(0, bytesRead));
  } catch (error) {
    return unreadable(file, error, stat);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function unreadable(file: string, error: unknown, stat: PlotFileStat | undefined): InvalidPlotFile {
  const code = (error as NodeJS.ErrnoException).code;
  const message = code === 'EISDIR' ? 'not a regular file' : `cannot read: ${code ?? errorMessage(error)}`;
  return stat
    ? { ok: false, path: file, problem: 'unreadable', message, stat }
    : { ok: false, path: file, problem: 'unreadable', message };
}

/** The facts from bytes already read (the header cache and tests build them this way too). */
export function factsOf(file: string, stat: PlotFileStat, bytes: Buffer): PlotFileFacts {
  const parsed = parsePlotHeader(bytes);
  if (!parsed.ok) return { ok: false, path: file, problem: parsed.problem, message: parsed.message, stat };
  return { ok: true, path: file, ...stat, header: parsed.header, nameMismatches: nameMismatches(file, parsed.header) };
}
