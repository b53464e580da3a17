/**
 * The facts in the header of a `.plot` file, parsed from its first bytes (layout in
 * test/fixtures/plot-headers/FORMAT.md). Pure: no file access, so every caller (inventory,
 * replot, archive verification) shares one parser and its exact problem messages.
 */

/** solo: the memo holds a pool public key (OG plot); pool: a pool contract puzzle hash (NFT plot). */
export type PlotKind = 'solo' | 'pool';

export interface PlotHeader {
  /** v1: chiapos, madmax, bladebit C0 disk/cuda; v2: bladebit's "PLOT" header. */
  format: 'v1' | 'v2';
  /** Lowercase hex of the 32 id bytes: the id in the plot's file name. */
  plotId: string;
  k: number;
  /** 0 for v1 and for v2 without the compressed flag. */
  compression: number;
  kind: PlotKind;
  memoBytes: number;
  /** Bytes the header takes, up to the end of its table pointers (v1) or table sizes (v2). */
  headerBytes: number;
}

export type HeaderProblem = 'not-a-plot' | 'truncated' | 'invalid' | 'unsupported';

export type ParsedHeader = { ok: true; header: PlotHeader } | { ok: false; problem: HeaderProblem; message: string };

/** Enough for the longest header (v2, solo memo, compressed: 336 bytes) with room to spare. */
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

function fail(problem: HeaderProblem, message: string): ParsedHeader {
  return { ok: false, problem, message };
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
    return fail('unsupported', `Gigahorse plot (format description "${description}"): closed format, not read`);
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
    header: { format: 'v1', plotId, k, compression: 0, kind: kindOf(memoBytes)!, memoBytes, headerBytes },
  };
}

function parseV2(bytes: Buffer): ParsedHeader {
  const early = needs(bytes, 'version, plot id, k and memo length', 0, 43);
  if (early) return early;
  const version = bytes.readUInt32LE(4);
  if (version !== 2) return fail('unsupported', `"PLOT" header version ${version} is not 2`);
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
    header: { format: 'v2', plotId, k, compression, kind: kindOf(memoBytes)!, memoBytes, headerBytes },
  };
}

function startsWith(bytes: Buffer, magic: Buffer): boolean {
  return bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic);
}

/** Reads the header at the start of `bytes` (the first HEADER_READ_BYTES of a file, or all of a shorter one). */
export function parsePlotHeader(bytes: Buffer): ParsedHeader {
  if (startsWith(bytes, V2_MAGIC)) return parseV2(bytes);
  if (startsWith(bytes, V1_MAGIC)) return parseV1(bytes);
  if (startsWith(bytes, POS2_MAGIC)) return fail('unsupported', 'proof of space v2 ("pos2") plot: not read');
  if (bytes.length === 0) return fail('truncated', 'truncated: empty file');
  for (const magic of [V1_MAGIC, V2_MAGIC]) {
    if (bytes.length < magic.length && magic.subarray(0, bytes.length).equals(bytes)) {
      return fail('truncated', `truncated: magic needs bytes 0..${magic.length}, file has ${bytes.length}`);
    }
  }
  return fail('not-a-plot', `not a plot: bad magic ${bytes.subarray(0, 8).toString('hex')}`);
}
