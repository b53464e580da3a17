import fs from 'node:fs';

/** Bytes compared between source and arrival: every header field a harvester reads lies within them. */
export const HEADER_COMPARE_BYTES = 512;

const V1_MAGIC = Buffer.from('Proof of Space Plot', 'ascii');
const V2_MAGIC = Buffer.from([0x50, 0x4c, 0x4f, 0x54, 0x02, 0x00, 0x00, 0x00]);

export type PlotCheck =
  | { ok: true; k: number; size: number; head: Buffer }
  | { ok: false; problem: string };

/**
 * Whether `file` is a plot the archiver may move: a known header and a size a harvester would
 * farm. This is the one place the header is judged, so the project's header reader can take
 * it over without touching the archiver. Until then it checks the magic, the format, k and the
 * memo length, and chia's own size rule (a k >= 30 plot at level 0 smaller than 98 % of its size
 * is one still being copied).
 */
export function checkPlotFile(file: string): PlotCheck {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    return { ok: false, problem: `cannot be opened (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
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
  if (head.subarray(0, 19).equals(V1_MAGIC)) {
    if (head.length < 60) return { ok: false, problem: `truncated: a v1 header needs 60 bytes, the file has ${size}` };
    if (head.subarray(52, 58).toString('latin1') !== '\x00\x04v1.0') return { ok: false, problem: 'not a v1.0 plot (another format description, e.g. Gigahorse)' };
    const memo = head.readUInt16BE(58);
    return finish(head, size, head[51], memo, 0, 140 + memo);
  }
  if (head.subarray(0, 8).equals(V2_MAGIC)) {
    if (head.length < 43) return { ok: false, problem: `truncated: a v2 header needs 43 bytes, the file has ${size}` };
    const memo = head.readUInt16BE(41);
    if (head.length < 47 + memo) return { ok: false, problem: `truncated: the v2 header needs ${47 + memo} bytes, the file has ${size}` };
    const compressed = (head.readUInt32LE(43 + memo) & 1) === 1;
    const level = compressed ? (head[47 + memo] ?? 0) : 0;
    return finish(head, size, head[40], memo, level, 207 + memo + (compressed ? 1 : 0));
  }
  return { ok: false, problem: 'no plot header (bad magic)' };
}

function finish(head: Buffer, size: number, k: number, memo: number, level: number, headerEnd: number): PlotCheck {
  if (k < 18 || k > 50) return { ok: false, problem: `k ${k} is not a plot size` };
  if (memo !== 112 && memo !== 128) return { ok: false, problem: `memo length ${memo} is neither 112 (pool) nor 128 (solo)` };
  if (size < headerEnd) return { ok: false, problem: `truncated: the header needs ${headerEnd} bytes, the file has ${size}` };
  // chia's harvester refuses such a file as one still being copied (plotting/manager.py)
  const expected = (2 * k + 1) * 2 ** (k - 1) * 0.78;
  if (level === 0 && k >= 30 && size < 0.98 * expected) return { ok: false, problem: `${size} bytes is too small for a finished k${k} plot (still being written?)` };
  return { ok: true, k, size, head };
}
