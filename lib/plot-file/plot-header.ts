/**
 * The facts in the header of a plot file (`.plot`, `.plot2`), parsed from its first bytes (layout
 * in test/fixtures/plot-headers/FORMAT.md). Pure: no file access, so every caller (inventory,
 * replot, archive verification, the tractor finding finished pos2 plots) shares one parser and
 * its exact problem messages.
 */

/** solo: the memo holds a pool public key (OG plot); pool: a pool contract puzzle hash (NFT plot). */
export type PlotKind = 'solo' | 'pool';

/**
 * v1: chiapos, madmax, bladebit C0 disk/cuda; bladebit: bladebit's "PLOT" header (its own "version
 * 2", a pos1 plot all the same); pos2: proof of space v2 (chia 3.x).
 */
export type PlotFormat = 'v1' | 'bladebit' | 'pos2';

/** The facts only a proof of space v2 header has. */
export interface Pos2Facts {
  /** The layout's own version byte (1 is the only one read). */
  formatVersion: number;
  /** Plotting work: each step doubles it (pos2's stand-in for a compression level). */
  strength: number;
  /** The plot's place in its plot group. */
  plotIndex: number;
  /** 0..255; each group on one disk should have its own. */
  metaGroup: number;
  chunkCount: number;
}

export interface PlotHeader {
  /** Which proof of space the plot is for: every format but pos2 is pos1. */
  pos: 1 | 2;
  format: PlotFormat;
  /** Lowercase hex of the 32 id bytes: the id in the plot's file name. */
  plotId: string;
  k: number;
  /** 0 for v1, pos2 and bladebit without the compressed flag. */
  compression: number;
  kind: PlotKind;
  memoBytes: number;
  /** Bytes the header takes: to the end of its table pointers (v1), table sizes (bladebit) or chunk offsets (pos2). */
  headerBytes: number;
  /** Present for pos2 plots only. */
  pos2?: Pos2Facts;
}

export type HeaderProblem = 'not-a-plot' | 'truncated' | 'invalid' | 'unsupported';

/** `pos` on a refusal says which proof of space the file is for when that much is known (a newer pos2 version). */
export type ParsedHeader =
  { ok: true; header: PlotHeader } | { ok: false; problem: HeaderProblem; message: string; pos?: 1 | 2 };

/** What the caller knows of the file beyond the bytes it read, for the checks that need it. */
export interface HeaderContext {
  /** The file's size: a pos2 chunk that starts at or past it means a cut or half-copied file. */
  fileBytes?: number;
  /** The last pos2 chunk offset, read by the caller when the offsets run past `bytes`. */
  lastChunkOffset?: number;
}

/**
 * Enough for the longest pos1 header (bladebit, solo memo, compressed: 336 bytes) and a pos2
 * header with its first chunk offsets; a k 28 pos2 plot has thousands, whose last one the reader
 * fetches on its own (pos2LastOffsetAt).
 */
export const HEADER_READ_BYTES = 512;

const V1_MAGIC = Buffer.from('Proof of Space Plot', 'ascii');
const V2_MAGIC = Buffer.from('PLOT', 'ascii');
const POS2_MAGIC = Buffer.from('pos2', 'ascii');
const ID_BYTES = 32;
const POINTERS_BYTES = 10 * 8;
const SOLO_MEMO = 128;
const POOL_MEMO = 112;
const MIN_K = 18;
const MAX_K = 50;

function fail(problem: HeaderProblem, message: string, pos?: 1 | 2): ParsedHeader {
  return pos === undefined ? { ok: false, problem, message } : { ok: false, problem, message, pos };
}

function needs(bytes: Buffer, what: string, from: number, to: number): ParsedHeader | undefined {
  return bytes.length < to
    ? fail('truncated', `truncated: ${what} needs bytes ${from}..${to}, file has ${bytes.length}`)
    : undefined;
}

function kindOf(memoBytes: number): PlotKind | undefined {
  if (memoBytes === SOLO_MEMO) return 'solo';
  if (memoBytes === POOL_MEMO) return 'pool';
  return undefined;
}

function checkK(k: number): ParsedHeader | undefined {
  return k < MIN_K || k > MAX_K ? fail('invalid', `k ${k} is outside ${MIN_K}..${MAX_K}`) : undefined;
}

function checkMemo(memoBytes: number): ParsedHeader | undefined {
  return kindOf(memoBytes) === undefined
    ? fail('invalid', `memo length ${memoBytes} is neither ${SOLO_MEMO} (solo) nor ${POOL_MEMO} (pool)`)
    : undefined;
}

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

const POS2_VERSION = 1;
/** Magic, version, id, k, strength, plot index, meta group, memo length. */
const POS2_FIXED = 43;
/** A k 32 plot has 2^16 chunks of 2^16 entries: more than 2^24 means a corrupt count. */
const POS2_MAX_CHUNKS = 2 ** 24;

/** Where the last pos2 chunk offset lies, when the first read stopped short of it (the reader then fetches 8 bytes there). */
export function pos2LastOffsetAt(bytes: Buffer): number | undefined {
  if (!startsWith(bytes, POS2_MAGIC) || bytes.length < POS2_FIXED) return undefined;
  const countAt = POS2_FIXED + bytes[42]!;
  if (bytes.length < countAt + 8) return undefined;
  const count = bytes.readBigUInt64LE(countAt);
  if (count < 1n || count > BigInt(POS2_MAX_CHUNKS)) return undefined;
  const lastAt = countAt + 8 + 8 * (Number(count) - 1);
  return lastAt + 8 > bytes.length ? lastAt : undefined;
}

function pos2Kind(memoBytes: number): ParsedHeader | PlotKind {
  const kind = kindOf(memoBytes);
  return (
    kind ?? fail('invalid', `pos2 memo length ${memoBytes} is neither ${SOLO_MEMO} (solo) nor ${POOL_MEMO} (pool)`)
  );
}

/** Offsets seen in `bytes` (and the last one, when given) ascend, start past the header and lie inside the file. */
function checkChunkOffsets(
  bytes: Buffer,
  tableAt: number,
  count: number,
  context: HeaderContext,
): ParsedHeader | undefined {
  const headerBytes = tableAt + 8 * count;
  const seen: { chunk: number; offset: number }[] = [];
  for (let chunk = 0; chunk < count && tableAt + 8 * chunk + 8 <= bytes.length; chunk++)
    seen.push({ chunk, offset: Number(bytes.readBigUInt64LE(tableAt + 8 * chunk)) });
  if (seen.length < count && context.lastChunkOffset !== undefined)
    seen.push({ chunk: count - 1, offset: context.lastChunkOffset });
  let after = `the header (${headerBytes} bytes)`;
  let previous = headerBytes - 1;
  for (const { chunk, offset } of seen) {
    if (offset <= previous)
      return fail('invalid', `pos2 chunk ${chunk} starts at byte ${offset}, not after ${after}`, 2);
    if (context.fileBytes !== undefined && offset >= context.fileBytes)
      return fail(
        'truncated',
        `truncated or half-copied: pos2 chunk ${chunk} starts at byte ${offset}, the file has ${context.fileBytes}`,
        2,
      );
    after = `chunk ${chunk} (byte ${offset})`;
    previous = offset;
  }
  return undefined;
}

function parsePos2(bytes: Buffer, context: HeaderContext): ParsedHeader {
  const early = needs(bytes, 'pos2 version', 0, 5);
  if (early) return early;
  const formatVersion = bytes[4]!;
  if (formatVersion !== POS2_VERSION) return fail('unsupported', `pos2, version ${formatVersion}, not read`, 2);
  const fixed = needs(bytes, 'pos2 plot id, k, strength, index, meta group and memo length', 0, POS2_FIXED);
  if (fixed) return fixed;
  const k = bytes[37]!;
  const badK = checkK(k);
  if (badK) return badK;
  const memoBytes = bytes[42]!;
  const kind = pos2Kind(memoBytes);
  if (typeof kind !== 'string') return kind;
  const countAt = POS2_FIXED + memoBytes;
  const shortCount = needs(bytes, 'pos2 memo and chunk count', POS2_FIXED, countAt + 8);
  if (shortCount) return shortCount;
  const bigCount = bytes.readBigUInt64LE(countAt);
  if (bigCount < 1n || bigCount > BigInt(POS2_MAX_CHUNKS))
    return fail('invalid', `pos2 chunk count ${bigCount} is outside 1..${POS2_MAX_CHUNKS}`, 2);
  const chunkCount = Number(bigCount);
  const shortFirst = needs(bytes, 'pos2 first chunk offset', countAt + 8, countAt + 16);
  if (shortFirst) return shortFirst;
  const headerBytes = countAt + 8 + 8 * chunkCount;
  if (context.fileBytes !== undefined && context.fileBytes < headerBytes)
    return fail(
      'truncated',
      `truncated: pos2 chunk offsets need bytes ${countAt + 8}..${headerBytes}, file has ${context.fileBytes}`,
      2,
    );
  const badOffsets = checkChunkOffsets(bytes, countAt + 8, chunkCount, context);
  if (badOffsets) return badOffsets;
  return {
    ok: true,
    header: {
      pos: 2,
      format: 'pos2',
      plotId: bytes.subarray(5, 5 + ID_BYTES).toString('hex'),
      k,
      compression: 0,
      kind,
      memoBytes,
      headerBytes,
      pos2: {
        formatVersion,
        strength: bytes[38]!,
        plotIndex: bytes.readUInt16LE(39),
        metaGroup: bytes[41]!,
        chunkCount,
      },
    },
  };
}

function startsWith(bytes: Buffer, magic: Buffer): boolean {
  return bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic);
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
