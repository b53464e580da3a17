/**
 * The facts in the header of a plot file (`.plot`, `.plot2`), parsed from its first bytes (layout
 * in test/fixtures/plot-headers/FORMAT.md). Pure: no file access, so every caller (inventory,
 * replot, archive verification, the tractor finding finished pos2 plots) shares one parser and
 * its exact problem messages.
 */

import {
  checkK,
  checkMemo,
  fail,
  ID_BYTES,
  kindOf,
  needs,
  startsWith,
  type HeaderContext,
  type ParsedHeader,
} from './header-checks.js';
import { parsePos2, POS2_MAGIC } from './pos2-header.js';

// callers import the types and pos2LastOffsetAt from here as before: the files behind it are this folder's own
export type {
  HeaderContext,
  HeaderProblem,
  ParsedHeader,
  Pos2Facts,
  PlotFormat,
  PlotHeader,
  PlotKind,
} from './header-checks.js';
export { pos2LastOffsetAt } from './pos2-header.js';

/**
 * Enough for the longest pos1 header (bladebit, solo memo, compressed: 336 bytes) and a pos2
 * header with its first chunk offsets; a k 28 pos2 plot has thousands, whose last one the reader
 * fetches on its own (pos2LastOffsetAt).
 */
export const HEADER_READ_BYTES = 512;

const V1_MAGIC = Buffer.from('Proof of Space Plot', 'ascii');
const V2_MAGIC = Buffer.from('PLOT', 'ascii');
const POINTERS_BYTES = 10 * 8;

function parseV1(bytes: Buffer): ParsedHeader {
  const early = needs(bytes, 'plot id, k and format description', 0, 60);
  if (early) return early;
  const descriptionBytes = bytes.readUInt16BE(52);
  const description = bytes.subarray(54, 54 + Math.min(descriptionBytes, 8)).toString('latin1');
  if (description.startsWith('mmx-'))
    return fail('unsupported', `Gigahorse plot (format description "${description}"): closed format, not read`, 1);
  if (descriptionBytes !== 4 || description !== 'v1.0') {
    return fail(
      'invalid',
      `format description ${JSON.stringify(description)} (length ${descriptionBytes}) is not "v1.0"`,
    );
  }
  const k = bytes[51]!;
  const badK = checkK(k);
  if (badK) return badK;
  const memoBytes = bytes.readUInt16BE(58);
  const badMemo = checkMemo(memoBytes);
  if (badMemo) return badMemo;
  const memoEnd = 60 + memoBytes;
  const shortMemo = needs(bytes, 'memo', 60, memoEnd);
  if (shortMemo) return shortMemo;
  const headerBytes = memoEnd + POINTERS_BYTES;
  const shortPointers = needs(bytes, 'table pointers', memoEnd, headerBytes);
  if (shortPointers) return shortPointers;
  const plotId = bytes.subarray(19, 19 + ID_BYTES).toString('hex');
  return {
    ok: true,
    header: { pos: 1, format: 'v1', plotId, k, compression: 0, kind: kindOf(memoBytes)!, memoBytes, headerBytes },
  };
}

function parseBladebit(bytes: Buffer): ParsedHeader {
  const early = needs(bytes, 'version, plot id, k and memo length', 0, 43);
  if (early) return early;
  const version = bytes.readUInt32LE(4);
  if (version !== 2) return fail('unsupported', `bladebit "PLOT" header version ${version} is not 2`, 1);
  const k = bytes[40]!;
  const badK = checkK(k);
  if (badK) return badK;
  const memoBytes = bytes.readUInt16BE(41);
  const badMemo = checkMemo(memoBytes);
  if (badMemo) return badMemo;
  const memoEnd = 43 + memoBytes;
  const shortMemo = needs(bytes, 'memo', 43, memoEnd);
  if (shortMemo) return shortMemo;
  const shortFlags = needs(bytes, 'flags', memoEnd, memoEnd + 4);
  if (shortFlags) return shortFlags;
  const compressed = (bytes.readUInt32LE(memoEnd) & 1) === 1;
  let compression = 0;
  let at = memoEnd + 4;
  if (compressed) {
    const shortLevel = needs(bytes, 'compression level', at, at + 1);
    if (shortLevel) return shortLevel;
    compression = bytes[at]!;
    if (compression < 1) return fail('invalid', 'compressed flag set with compression level 0');
    at += 1;
  }
  const headerBytes = at + 2 * POINTERS_BYTES;
  const shortTables = needs(bytes, 'table pointers and sizes', at, headerBytes);
  if (shortTables) return shortTables;
  const plotId = bytes.subarray(8, 8 + ID_BYTES).toString('hex');
  return {
    ok: true,
    header: {
      pos: 1,
      format: 'bladebit',
      plotId,
      k,
      compression,
      kind: kindOf(memoBytes)!,
      memoBytes,
      headerBytes,
    },
  };
}

/**
 * Reads the header at the start of `bytes` (the first HEADER_READ_BYTES of a file, or all of a
 * shorter one). `context` adds the checks that need the file's size (pos2 chunk offsets).
 */
export function parsePlotHeader(bytes: Buffer, context: HeaderContext = {}): ParsedHeader {
  if (startsWith(bytes, V2_MAGIC)) return parseBladebit(bytes);
  if (startsWith(bytes, V1_MAGIC)) return parseV1(bytes);
  if (startsWith(bytes, POS2_MAGIC)) return parsePos2(bytes, context);
  if (bytes.length === 0) return fail('truncated', 'truncated: empty file');
  for (const magic of [V1_MAGIC, V2_MAGIC, POS2_MAGIC]) {
    if (bytes.length < magic.length && magic.subarray(0, bytes.length).equals(bytes)) {
      return fail('truncated', `truncated: magic needs bytes 0..${magic.length}, file has ${bytes.length}`);
    }
  }
  return fail('not-a-plot', `not a plot: bad magic ${bytes.subarray(0, 8).toString('hex')}`);
}
