import fs from 'node:fs';
import { HEADER_READ_BYTES, parsePlotHeader } from '../plot-file/plot-header.js';
import { errorMessage } from '../util/error-message.js';

/** Bytes compared between source and arrival: every header field a harvester reads lies within them. */
export const HEADER_COMPARE_BYTES = HEADER_READ_BYTES;

export type PlotCheck = { ok: true; k: number; size: number; head: Buffer } | { ok: false; problem: string };

/**
 * Whether `file` is a plot the archiver may move: a header the project's reader (lib/plot-file)
 * accepts, and a size a harvester would farm: chia takes a k >= 30 plot at level 0 smaller than
 * 98 % of its size for one still being copied, and so does the archiver.
 */
export function checkPlotFile(file: string): PlotCheck {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    return {
      ok: false,
      problem: `cannot be opened (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`,
    };
  }
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, HEADER_COMPARE_BYTES));
    const read = fs.readSync(fd, head, 0, head.length, 0);
    return judgeHeader(head.subarray(0, read), size);
  } finally {
    fs.closeSync(fd);
  }
}

export function judgeHeader(head: Buffer, size: number): PlotCheck {
  const parsed = parsePlotHeader(head);
  if (!parsed.ok) return { ok: false, problem: parsed.message };
  const { k, compression } = parsed.header;
  const expected = (2 * k + 1) * 2 ** (k - 1) * 0.78;
  if (compression === 0 && k >= 30 && size < 0.98 * expected)
    return { ok: false, problem: `${size} bytes is too small for a finished k${k} plot (still being written?)` };
  return { ok: true, k, size, head };
}
