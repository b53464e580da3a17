import type { PlotKind } from './plot-header.js';

export interface HeaderSpec {
  /** gigahorse: a compressing madMAx chia_plot's closed format, known only by its description. */
  format: 'v1' | 'bladebit' | 'gigahorse';
  /** 64 hex digits. */
  plotId: string;
  k: number;
  /** Above 0 only for bladebit and gigahorse, as bladebit refuses a compressed v1 header. */
  compression: number;
  kind: PlotKind;
}

/**
 * The header bytes a plotter writes when it starts a plot (table pointers still zero), for the
 * simulated plotter and the tests. The memo's keys are filler derived from the id: enough for
 * every reader here, which goes by memo length, never a key chia would accept.
 */
export function buildPlotHeader(spec: HeaderSpec): Buffer {
  const id = Buffer.from(spec.plotId, 'hex');
  if (id.length !== 32) throw new Error(`plot id ${spec.plotId} is not 64 hex digits`);
  if (spec.format === 'v1' && spec.compression > 0) throw new Error('a v1 header has no compression level');
  const memoBytes = spec.kind === 'solo' ? 128 : 112;
  const memo = Buffer.alloc(memoBytes);
  for (let at = 0; at < memoBytes; at++) memo[at] = id[at % 32]! ^ 0x5a;
  const memoLength = Buffer.alloc(2);
  memoLength.writeUInt16BE(memoBytes);
  const pointers = Buffer.alloc(80);
  if (spec.format === 'gigahorse') {
    // past the description the layout is not public: zeros stand for it, as no reader here goes further
    return Buffer.concat([
      Buffer.from('Proof of Space Plot', 'ascii'),
      id,
      Buffer.from([spec.k]),
      Buffer.from([0, 8]),
      Buffer.from('mmx-v3.0', 'ascii'),
      Buffer.alloc(256),
    ]);
  }
  if (spec.format === 'v1') {
    return Buffer.concat([
      Buffer.from('Proof of Space Plot', 'ascii'),
      id,
      Buffer.from([spec.k]),
      Buffer.from([0, 4]),
      Buffer.from('v1.0', 'ascii'),
      memoLength,
      memo,
      pointers,
    ]);
  }
  const start = Buffer.alloc(8);
  start.write('PLOT', 0, 'ascii');
  start.writeUInt32LE(2, 4);
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(spec.compression > 0 ? 1 : 0);
  const level = spec.compression > 0 ? Buffer.from([spec.compression]) : Buffer.alloc(0);
  return Buffer.concat([start, id, Buffer.from([spec.k]), memoLength, memo, flags, level, pointers, Buffer.alloc(80)]);
}

export interface Pos2Spec {
  /** 64 hex digits. */
  plotId: string;
  k: number;
  strength: number;
  plotIndex: number;
  metaGroup: number;
  /** solo and pool: chia's memo lengths with filler keys; zero: the reference plotter's 112 zero bytes. */
  memo: PlotKind | 'zero';
  chunkCount: number;
  /** Bytes of each chunk after the header (the chunks themselves are zeros or sparse). */
  chunkBytes: number;
  /** Overrides the format version byte (tests of versions not read yet). */
  formatVersion?: number;
}

export interface Pos2Plot {
  /** Everything up to the end of the chunk offsets. */
  header: Buffer;
  /** The whole file's size: the header and every chunk. */
  fileBytes: number;
}

/**
 * A pos2 plot as the reference plotter lays it out, for the simulated plotter and the tests: the
 * header with chunk offsets that ascend from its end, each chunk `chunkBytes` long. The caller
 * writes `header` and extends the file to `fileBytes` (sparse is fine: no reader here looks past
 * the offsets).
 */
export function buildPos2Plot(spec: Pos2Spec): Pos2Plot {
  const id = Buffer.from(spec.plotId, 'hex');
  if (id.length !== 32) throw new Error(`plot id ${spec.plotId} is not 64 hex digits`);
  const memo = Buffer.alloc(spec.memo === 'solo' ? 128 : 112);
  if (spec.memo !== 'zero') for (let at = 0; at < memo.length; at++) memo[at] = id[at % 32]! ^ 0x5a;
  const fixed = Buffer.alloc(43);
  fixed.write('pos2', 0, 'ascii');
  fixed[4] = spec.formatVersion ?? 1;
  id.copy(fixed, 5);
  fixed[37] = spec.k;
  fixed[38] = spec.strength;
  fixed.writeUInt16LE(spec.plotIndex, 39);
  fixed[41] = spec.metaGroup;
  fixed[42] = memo.length;
  const table = Buffer.alloc(8 + 8 * spec.chunkCount);
  table.writeBigUInt64LE(BigInt(spec.chunkCount), 0);
  const headerBytes = fixed.length + memo.length + table.length;
  for (let chunk = 0; chunk < spec.chunkCount; chunk++)
    table.writeBigUInt64LE(BigInt(headerBytes + chunk * spec.chunkBytes), 8 + 8 * chunk);
  return { header: Buffer.concat([fixed, memo, table]), fileBytes: headerBytes + spec.chunkCount * spec.chunkBytes };
}
