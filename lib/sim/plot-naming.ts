import crypto from 'node:crypto';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return String(n).padStart(2, '0');
}

export function randomHex(bytes: number): string {
  return crypto.randomBytes(bytes).toString('hex');
}

/** `plot-k32[-c07]-YYYY-MM-DD-HH-MM-<id>` in local time, as every plotter names its file. */
export function plotName(k: number, compression: number, start: Date, id: string, padLevel = true): string {
  const level = compression > 0 ? `-c${padLevel ? two(compression) : compression}` : '';
  const date = `${start.getFullYear()}-${two(start.getMonth() + 1)}-${two(start.getDate())}-${two(start.getHours())}-${two(start.getMinutes())}`;
  return `plot-k${k}${level}-${date}-${id}`;
}

/** C's ctime() as chiapos prints it: `Thu Jul  1 03:39:45 2021` (a space pads one-digit days). */
export function ctime(date: Date): string {
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} ${time} ${date.getFullYear()}`;
}

/** Python logging's timestamp in chia's logs: `2021-07-14T22:33:24.969`. */
export function isoLocal(date: Date): string {
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `${day}T${time}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}
