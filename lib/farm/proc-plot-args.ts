import path from 'node:path';

export type PlotterKind =
  'chia' | 'madmax' | 'bladebit-ram' | 'bladebit-disk' | 'bladebit-cuda' | 'chia-v2' | 'xchplot2' | 'unknown';

/** What a plotter's command line says, before it is related to this home's roots. */
export interface PlotArgs {
  plotter: PlotterKind;
  k: number;
  compression: number;
  /** Values of the temp options (-t, --tmp_dir, --tmpdir, -t1, --temp1). */
  tempDir: string | null;
  /** Values of the second temp options (-2, --tmp2_dir, --tmpdir2, -t2, --temp2, --tmp2). */
  temp2Dir: string | null;
  /** Value of -d / --final_dir / --finaldir; bladebit's output dir is its last positional path. */
  destDir: string | null;
  /** Every absolute path on the command line (option values and positionals), normalised. */
  paths: string[];
}

/*
 * Option names of chiapos (`chia plots create`), `chia plotters …`, madmax's chia_plot and
 * bladebit. bladebit's -t is a thread count, which is harmless here: only absolute paths are
 * taken as directories.
 */
const TEMP_OPTIONS = new Set(['-t', '--tmp_dir', '--tmpdir', '--tmp-dir', '-t1', '--temp1', '--temp', '--tmp']);
const TEMP2_OPTIONS = new Set([
  '-2',
  '--tmp2_dir',
  '--tmpdir2',
  '--tmp_dir2',
  '--tmp-dir2',
  '-t2',
  '--temp2',
  '--tmp2',
]);
const DEST_OPTIONS = new Set(['-d', '--final_dir', '--finaldir', '--final-dir']);
const K_OPTIONS = new Set(['-k', '--size']);
/** madmax (Gigahorse) -C/--level; bladebit and `chia plotters bladebit` --compress, whose level is optional. */
const COMPRESSION_OPTIONS = new Set(['-C', '--level', '--compress', '--compression', '-z']);
const OPTIONAL_VALUE = new Set(['-z', '--compress']);
const VALUE_OPTIONS = [...TEMP_OPTIONS, ...TEMP2_OPTIONS, ...DEST_OPTIONS, ...K_OPTIONS, ...COMPRESSION_OPTIONS];
/** Longest first, so `-t1/x` is -t1 and not -t with `1/x`. */
const GLUED_SHORT = VALUE_OPTIONS.filter((name) => /^-[^-]/.test(name)).sort((a, b) => b.length - a.length);

const BLADEBIT_MODES: Record<string, PlotterKind> = {
  ramplot: 'bladebit-ram',
  diskplot: 'bladebit-disk',
  cudaplot: 'bladebit-cuda',
};

function isAbsolute(value: string): boolean {
  return value.startsWith('/');
}

function splitOption(
  token: string,
  next: string | undefined,
): { name: string; value: string | undefined; usedNext: boolean } | null {
  if (token.startsWith('--')) {
    const equals = token.indexOf('=');
    if (equals > 0) return { name: token.slice(0, equals), value: token.slice(equals + 1), usedNext: false };
    return { name: token, value: next, usedNext: true };
  }
  if (!token.startsWith('-') || token.length < 2) return null;
  if (VALUE_OPTIONS.includes(token)) return { name: token, value: next, usedNext: true };
  const glued = GLUED_SHORT.find((name) => token.startsWith(name));
  if (glued) return { name: glued, value: token.slice(glued.length), usedNext: false };
  return { name: token, value: undefined, usedNext: false };
}

function detectPlotter(command: string, args: string[]): PlotterKind {
  const at = (word: string) => args.indexOf(word);
  const plots = at('plots');
  if (plots >= 0 && args[plots + 1] === 'create') return 'chia';
  const plotters = at('plotters');
  if (plotters >= 0) {
    const which = args[plotters + 1];
    if (which === 'madmax') return 'madmax';
    if (which === 'chiapos') return 'chia';
  }
  for (const arg of args) {
    const mode = BLADEBIT_MODES[arg];
    if (mode) return mode;
  }
  const name = path.basename(command);
  if (name.startsWith('chia_plot') || name.includes('madmax')) return 'madmax';
  if (name.includes('bladebit_cuda')) return 'bladebit-cuda';
  return 'unknown';
}

function wholeNumber(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * Reads a plotter's arguments as its own parser would, as far as goplot needs them.
 * `command` is the matched command (argv[0], or the script an interpreter runs).
 */
export function parsePlotArgs(command: string, args: string[]): PlotArgs {
  const result: PlotArgs = {
    plotter: detectPlotter(command, args),
    k: 32,
    compression: 0,
    tempDir: null,
    temp2Dir: null,
    destDir: null,
    paths: [],
  };
  const positionalPaths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i];
    const option = splitOption(token, args[i + 1]);
    if (!option) {
      if (isAbsolute(token)) positionalPaths.push(path.resolve(token));
      continue;
    }
    const { name } = option;
    let value = option.value;
    let usedNext = option.usedNext;
    if (OPTIONAL_VALUE.has(name) && usedNext && wholeNumber(value) === null) {
      value = '1';
      usedNext = false;
    }
    const known = VALUE_OPTIONS.includes(name);
    if (!known) {
      // an unknown option's value (if any) is read as a positional on the next turn
      continue;
    }
    if (usedNext) i++;
    if (value === undefined) continue;
    if (K_OPTIONS.has(name)) result.k = wholeNumber(value) ?? result.k;
    else if (COMPRESSION_OPTIONS.has(name)) result.compression = wholeNumber(value) ?? result.compression;
    else if (isAbsolute(value)) {
      const dir = path.resolve(value);
      result.paths.push(dir);
      if (TEMP_OPTIONS.has(name)) result.tempDir ??= dir;
      else if (TEMP2_OPTIONS.has(name)) result.temp2Dir ??= dir;
      else if (DEST_OPTIONS.has(name)) result.destDir ??= dir;
    }
  }
  result.paths.push(...positionalPaths);
  if (result.destDir === null && result.plotter.startsWith('bladebit') && positionalPaths.length > 0) {
    result.destDir = positionalPaths.at(-1) ?? null;
  }
  return result;
}
