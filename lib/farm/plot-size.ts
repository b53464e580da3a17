const GIB = 1024 ** 3;

/** Final plot sizes in GiB from the chia-docs k-sizes table, by k then compression level. */
const TABLE_GIB: Record<number, Record<number, number>> = {
  32: { 0: 101.4, 1: 87.5, 2: 86.0, 3: 84.5, 4: 82.9, 5: 81.3, 6: 79.6, 7: 78.0, 9: 75.2 },
  33: { 0: 208.8 },
  34: { 0: 429.9 },
  35: { 0: 884.1 },
};

/** Bytes of a finished plot: the table where it has the k and level, else chiapos's formula. */
export function finalPlotBytes(k: number, compression = 0): number {
  const fromTable = TABLE_GIB[k]?.[compression];
  if (fromTable !== undefined) return Math.round(fromTable * GIB);
  if (compression === 8 && TABLE_GIB[k]?.[7] !== undefined && TABLE_GIB[k]?.[9] !== undefined) {
    return Math.round(((TABLE_GIB[k][7] + TABLE_GIB[k][9]) / 2) * GIB);
  }
  return Math.round((2 * k + 1) * 2 ** (k - 1) * 0.78005);
}

/** Space a running plot holds on its destination: its final size and a 1 % margin. */
export function committedKiB(k: number, compression = 0): number {
  return Math.ceil((finalPlotBytes(k, compression) * 1.01) / 1024);
}

/*
 * pos2 plots: the reference plotter (pos2-chip 0.6.0) stores about k + 1.46 bits per entry and
 * 2^k entries (its own logs: k18 638,669 bytes at 19.46 bits/entry, k22 12,259,673 at 23.46), so
 * k28 is about 0.92 GiB. The measured sizes are kept exact; the other even k follow the law.
 */
const POS2_MEASURED_BYTES: Record<number, number> = { 18: 638_669, 22: 12_259_673 };
const POS2_BITS_PAST_K = 1.46;

/** Bytes of one finished pos2 plot of this k. */
export function pos2PlotBytes(k: number): number {
  return POS2_MEASURED_BYTES[k] ?? Math.round((2 ** k * (k + POS2_BITS_PAST_K)) / 8);
}

/** The pos2 size table for k 18..32 (even), as `goplot` shows it and tests check it. */
export const POS2_SIZE_TABLE: ReadonlyArray<{ k: number; bytes: number }> = [18, 20, 22, 24, 26, 28, 30, 32].map(
  (k) => ({ k, bytes: pos2PlotBytes(k) }),
);

/** Room a pos2 plot group holds on its disk while it is made: `plots` plots of this k and a 1 % margin. */
export function pos2GroupKiB(k: number, plots: number): number {
  return Math.ceil((pos2PlotBytes(k) * plots * 1.01) / 1024);
}

/** What a running plot holds on its disk: its own figure when it has one (a plot group), else its final size. */
export function plotCommittedKiB(plot: { k: number; compression: number; committedKiB?: number | null }): number {
  return plot.committedKiB ?? committedKiB(plot.k, plot.compression);
}
