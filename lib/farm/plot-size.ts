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
