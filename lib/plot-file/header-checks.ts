/**
 * What every plot header parser returns, and the checks the pos1 (plot-header.ts) and pos2
 * (pos2-header.ts) parsers share: kept apart from both so that neither imports the other.
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

export const ID_BYTES = 32;
export const SOLO_MEMO = 128;
export const POOL_MEMO = 112;
const MIN_K = 18;
const MAX_K = 50;

/** A refusal; `pos` only when the file's proof of space is known. */
export function fail(problem: HeaderProblem, message: string, pos?: 1 | 2): ParsedHeader {
  return pos === undefined ? { ok: false, problem, message } : { ok: false, problem, message, pos };
}

/** A truncated refusal naming the field when `bytes` ends before `to`, else undefined. */
export function needs(bytes: Buffer, what: string, from: number, to: number): ParsedHeader | undefined {
  return bytes.length < to
    ? fail('truncated', `truncated: ${what} needs bytes ${from}..${to}, file has ${bytes.length}`)
    : undefined;
}

/** The plot kind a memo length means (pos1 and pos2 alike), or undefined for any other length. */
export function kindOf(memoBytes: number): PlotKind | undefined {
  if (memoBytes === SOLO_MEMO) return 'solo';
  if (memoBytes === POOL_MEMO) return 'pool';
  return undefined;
}

/** A refusal for a k no plotter makes. */
export function checkK(k: number): ParsedHeader | undefined {
  return k < MIN_K || k > MAX_K ? fail('invalid', `k ${k} is outside ${MIN_K}..${MAX_K}`) : undefined;
}

/** A refusal for a pos1 memo length that is neither kind's. */
export function checkMemo(memoBytes: number): ParsedHeader | undefined {
  return kindOf(memoBytes) === undefined
    ? fail('invalid', `memo length ${memoBytes} is neither ${SOLO_MEMO} (solo) nor ${POOL_MEMO} (pool)`)
    : undefined;
}

export function startsWith(bytes: Buffer, magic: Buffer): boolean {
  return bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic);
}
