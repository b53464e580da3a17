import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { nameMismatches } from './plot-file-name.js';
import {
  HEADER_READ_BYTES,
  parsePlotHeader,
  pos2LastOffsetAt,
  type HeaderProblem,
  type PlotHeader,
} from './plot-header.js';
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

/**
 * Anything else, as data: `unreadable` when the file could not be opened or read at all; `group`
 * for a pos2 plot group file (`.gplot`), whose format is not published yet: counted by its size.
 */
export interface InvalidPlotFile {
  ok: false;
  path: string;
  problem: HeaderProblem | 'unreadable' | 'group';
  message: string;
  /** Which proof of space the file is for, when that much is known. */
  pos?: 1 | 2;
  /** Present when stat worked, so an inventory can still count the bytes. */
  stat?: PlotFileStat;
}

export type PlotFileFacts = ValidPlotFile | InvalidPlotFile;

/** A `.gplot` file holds a whole pos2 plot group in a format chia has not published yet. */
export const GROUP_FILE_MESSAGE = 'pos2 plot group file: format not published yet, counted by its size';

export function isGroupFile(file: string): boolean {
  return file.endsWith('.gplot');
}

/**
 * Reads the header of one plot file: one open, one fstat, one read of at most HEADER_READ_BYTES,
 * whatever the file's size (and for a pos2 plot with more chunk offsets than that, one 8-byte read
 * of the last). Never throws.
 */
export async function readPlotFile(file: string): Promise<PlotFileFacts> {
  let handle: fsp.FileHandle | undefined;
  let stat: PlotFileStat | undefined;
  try {
    handle = await fsp.open(file, 'r');
    const info = await handle.stat();
    stat = { sizeBytes: info.size, mtimeMs: Math.trunc(info.mtimeMs) };
    if (!info.isFile()) return { ok: false, path: file, problem: 'unreadable', message: 'not a regular file', stat };
    if (isGroupFile(file))
      return { ok: false, path: file, problem: 'group', message: GROUP_FILE_MESSAGE, pos: 2, stat };
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_READ_BYTES, 0);
    const bytes = buffer.subarray(0, bytesRead);
    const lastAt = pos2LastOffsetAt(bytes);
    if (lastAt === undefined) return factsOf(file, stat, bytes);
    const last = Buffer.alloc(8);
    const { bytesRead: lastRead } = await handle.read(last, 0, 8, lastAt);
    return factsOf(file, stat, bytes, lastRead === 8 ? Number(last.readBigUInt64LE(0)) : undefined);
  } catch (error) {
    return unreadable(file, error, stat);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** One buffer for every synchronous read: nothing parsed from it keeps a reference to it. */
const SYNC_BUFFER = Buffer.alloc(HEADER_READ_BYTES);

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
    if (isGroupFile(file))
      return { ok: false, path: file, problem: 'group', message: GROUP_FILE_MESSAGE, pos: 2, stat };
    const bytes = SYNC_BUFFER.subarray(0, fs.readSync(fd, SYNC_BUFFER, 0, HEADER_READ_BYTES, 0));
    const lastAt = pos2LastOffsetAt(bytes);
    if (lastAt === undefined) return factsOf(file, stat, bytes);
    const last = Buffer.alloc(8);
    const lastRead = fs.readSync(fd, last, 0, 8, lastAt);
    return factsOf(file, stat, bytes, lastRead === 8 ? Number(last.readBigUInt64LE(0)) : undefined);
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

/**
 * The facts from bytes already read (the header cache and tests build them this way too).
 * `lastChunkOffset`: a pos2 plot's last chunk offset when it lies past `bytes`; a file too short
 * to hold it is cut, which the size check names.
 */
export function factsOf(file: string, stat: PlotFileStat, bytes: Buffer, lastChunkOffset?: number): PlotFileFacts {
  const context =
    lastChunkOffset === undefined ? { fileBytes: stat.sizeBytes } : { fileBytes: stat.sizeBytes, lastChunkOffset };
  const parsed = parsePlotHeader(bytes, context);
  if (!parsed.ok) {
    const refused: InvalidPlotFile = { ok: false, path: file, problem: parsed.problem, message: parsed.message, stat };
    return parsed.pos === undefined ? refused : { ...refused, pos: parsed.pos };
  }
  return { ok: true, path: file, ...stat, header: parsed.header, nameMismatches: nameMismatches(file, parsed.header) };
}
