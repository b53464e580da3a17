/** The proof of space v2 header (magic `pos2`, layout in test/fixtures/plot-headers/FORMAT.md). */
import {
  checkK,
  fail,
  ID_BYTES,
  kindOf,
  needs,
  POOL_MEMO,
  SOLO_MEMO,
  startsWith,
  type HeaderContext,
  type ParsedHeader,
  type PlotKind,
} from './header-checks.js';

export const POS2_MAGIC = Buffer.from('pos2', 'ascii');
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

/** A pos2 header (magic `pos2`): its fixed fields, memo, chunk count and chunk offsets. */
export function parsePos2(bytes: Buffer, context: HeaderContext): ParsedHeader {
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
