// Plot file names and the paths plotters print, Linux or Windows.

const PLOT_NAME = /plot-k(\d+)(?:-c(\d\d?))?-(\d{4})-(\d\d)-(\d\d)-(\d\d)-(\d\d)-([0-9a-f]{64})(?=\.plot|\b)/;

export interface PlotNameParts {
  /** The name without `.plot` or temp suffixes. */
  name: string;
  k: number;
  compression: number | null;
  plotId: string;
  /** The plotter writes its local time at plot start into the name. */
  startedAt: Date;
}

/** Finds a plot name anywhere in `text` (a path, a quoted path, a bare name). */
export function findPlotName(text: string): PlotNameParts | null {
  const match = PLOT_NAME.exec(text);
  if (!match) return null;
  const [name, k, compression, year, month, day, hour, minute, plotId] = match;
  return {
    name,
    k: Number(k),
    compression: compression === undefined ? null : Number(compression),
    plotId,
    startedAt: new Date(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute)),
  };
}

/** chiapos names a plot from its ID and the local start time, the same way as the plotter does. */
export function buildPlotName(k: number, startedAt: Date, plotId: string): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = [
    startedAt.getFullYear(),
    two(startedAt.getMonth() + 1),
    two(startedAt.getDate()),
    two(startedAt.getHours()),
    two(startedAt.getMinutes()),
  ].join('-');
  return `plot-k${k}-${stamp}-${plotId}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parses a ctime date (`Wed Jul 14 22:33:24 2021`, `Sun Apr  4 19:00:50 2021`) as local time. */
export function parseCtime(text: string): Date | null {
  const match = /^\w{3} (\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})$/.exec(text.trim());
  if (!match) return null;
  const month = MONTHS.indexOf(match[1]);
  if (month < 0) return null;
  const [, , day, hour, minute, second, year] = match;
  return new Date(Number(year), month, Number(day), Number(hour), Number(minute), Number(second));
}

/** chiapos escapes backslashes inside quoted Windows paths (`"F:\\temp1\\x"`). */
export function unescapeQuotedPath(text: string): string {
  return text.includes('\\\\') ? text.replace(/\\\\/g, '\\') : text;
}

function isWindowsPath(text: string): boolean {
  return /^[A-Za-z]:\\/.test(text) || (text.includes('\\') && !text.includes('/'));
}

/** Drops trailing separators so `/a/b/` and `/a/b` group together; keeps a bare root. */
export function normalizeDir(dir: string): string {
  const trimmed = dir.trim();
  const stripped = trimmed.replace(isWindowsPath(trimmed) ? /\\+$/ : /\/+$/, '');
  if (stripped === '') return trimmed.slice(0, 1);
  return /^[A-Za-z]:$/.test(stripped) ? `${stripped}\\` : stripped;
}

export function dirnameOf(file: string): string {
  const separator = isWindowsPath(file) ? '\\' : '/';
  const at = file.lastIndexOf(separator);
  if (at < 0) return '.';
  return normalizeDir(at === 0 ? separator : file.slice(0, at + 1));
}

export function joinPath(dir: string, name: string): string {
  const separator = isWindowsPath(dir) ? '\\' : '/';
  return dir.endsWith(separator) ? `${dir}${name}` : `${dir}${separator}${name}`;
}

/** The folder a tractor makes for one bladebit diskplot inside its temp dir: goplot-plot-<index>-<tractor pid>. */
export const OWN_TEMP_DIR_NAME = /^goplot-plot-\d+-\d+$/;

/**
 * The temp dir a plot used, as a farmer names it: a plot's own folder inside a temp dir counts as
 * that temp dir (each bladebit plot has a new one, so grouped by it every plot is a group alone).
 */
export function sharedTempDir(dir: string): string {
  const trimmed = dir.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut > 0 && OWN_TEMP_DIR_NAME.test(trimmed.slice(cut + 1)) ? trimmed.slice(0, cut) : dir;
}
