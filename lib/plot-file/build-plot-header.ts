import type { PlotKind } from './plot-header.js';

export interface HeaderSpec {
  /** gigahorse: a compressing madMAx chia_plot's closed format, known only by its description. */
  format: 'v1' | 'v2' | 'gigahorse';
  /** 64 hex digits. */
  plotId: string;
  k: number;
  /** Above 0 only for v2 and gigahorse, as bladebit refuses a compressed v1 header. */
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
