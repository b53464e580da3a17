import crypto from 'node:crypto';
import path from 'node:path';
import { shellQuote } from '../util/shell-quote.js';

/**
 * Leases on a target disk (DESIGN §15): room claimed on the target itself, so plotters with homes
 * of their own that archive to one harvester never overfill a disk. Each is a file in
 * `<disk>/.goplot-leases/` beside `plots/`, written (temp file, then mv) while holding a lock made
 * by mkdir, which is atomic on every filesystem; it names its holder, the bytes it still needs and
 * when it expires by the target's clock. A holder renews its lease while its stream runs; one that
 * died stops renewing, and the next claim there removes its lease and says so.
 */
export const LEASE_DIR = '.goplot-leases';

/** Who holds a lease: this host and home (the file name's prefix) and the archiver's pid. */
export interface LeaseHolder {
  /** A short hash of host and home: leases of this home are counted by its own reservations. */
  home: string;
  /** `<host> <home path> pid <pid>`: what another plotter's log names. */
  text: string;
}

export function leaseHolder(hostname: string, homePath: string, pid: number): LeaseHolder {
  const home = crypto.createHash('sha256').update(`${hostname}\0${homePath}`).digest('hex').slice(0, 12);
  return { home, text: `${hostname} ${homePath} pid ${pid}` };
}

/** The lease file of one stream: `<home hash>-<pid>-<n>.lease`. */
export function leaseName(holder: LeaseHolder, pid: number, stream: number): string {
  return `${holder.home}-${pid}-${stream}.lease`;
}

function leaseDirOf(plotsDir: string): string {
  return path.join(path.dirname(plotsDir), LEASE_DIR);
}

/**
 * The lock around reading and writing leases: mkdir, waiting up to 30 s; a lock older than two
 * minutes is a claimer killed while holding it, and is broken. Released when the script exits.
 */
function lockLines(dir: string): string[] {
  const lock = shellQuote(`${dir}/.lock`);
  return [
    'n=0',
    `until mkdir ${lock} 2>/dev/null; do`,
    '  n=$((n+1))',
    `  [ $n -gt 30 ] && { echo "LOCKED"; exit 0; }`,
    `  [ -n "$(find ${lock} -maxdepth 0 -mmin +2 2>/dev/null)" ] && rmdir ${lock} 2>/dev/null`,
    '  sleep 1',
    'done',
    `trap 'rmdir ${lock}' EXIT`,
  ];
}

/** Writes the lease file (temp file, then mv) from $HOLDER, $bytes, $expires and $plots. */
function writeLines(dir: string, name: string): string[] {
  const d = shellQuote(dir);
  return [
    `printf 'holder %s\\nbytes %s\\nexpires %s\\nplots %s\\n' "$HOLDER" "$bytes" "$expires" "$plots" > ${d}/.${name}.tmp &&`,
    `  mv ${d}/.${name}.tmp ${d}/${name} || { echo NOWRITE; exit 0; }`,
  ];
}

export interface ClaimRequest {
  plotsDir: string;
  holder: LeaseHolder;
  pid: number;
  name: string;
  ttlSeconds: number;
  /** Bytes each plot still needs there, in the order they go; the longest prefix that fits is granted. */
  needs: { plot: string; bytes: number }[];
  /** Bytes this home's other streams to the disk will still write (its own reservations). */
  ownBytes: number;
}

/**
 * One claim, as one sh script: under the lock, leases of other holders that expired are removed
 * (and named, `EXPIRED …`), leases of this home's earlier archivers (another pid) too (`OLD …`),
 * the disk's free space is read with df, and the longest prefix of the plots that fits beside the
 * other leases and this home's own streams is written as this stream's lease: `GRANTED <n> <room>`.
 * `NODIR` when no lease can be written beside plots/.
 */
export function claimScript(request: ClaimRequest): string {
  const dir = leaseDirOf(request.plotsDir);
  const d = shellQuote(dir);
  const ownPrefix = `${request.holder.home}-`;
  const mine = `${ownPrefix}${request.pid}-`;
  const pairs = request.needs.map((need) => shellQuote(`${need.plot}=${need.bytes}`)).join(' ');
  return [
    'export LC_ALL=C',
    `HOLDER=${shellQuote(request.holder.text)}`,
    `mkdir -p ${d} 2>/dev/null && [ -w ${d} ] || { echo NODIR; exit 0; }`,
    ...lockLines(dir),
    'now=$(date +%s); held=0',
    `for f in ${d}/*.lease; do`,
    '  [ -f "$f" ] || continue',
    '  b=$(sed -n "s/^bytes //p" "$f"); e=$(sed -n "s/^expires //p" "$f")',
    '  case "${f##*/}" in',
    `    ${mine}*) continue ;;`,
    `    ${ownPrefix}*) echo "OLD $(tr '\\n' ' ' < "$f")"; rm -f "$f"; continue ;;`,
    '  esac',
    '  case "$b$e" in *[!0-9]*|"") echo "BAD ${f##*/}"; continue ;; esac',
    `  if [ "$e" -le "$now" ]; then echo "EXPIRED $(tr '\\n' ' ' < "$f")"; rm -f "$f"; continue; fi`,
    '  held=$((held+b))',
    'done',
    `set -- $(df -Pk ${shellQuote(request.plotsDir)} | sed 1d)`,
    '[ $# -ge 6 ] || { echo NODF; exit 0; }',
    `room=$(( $4 * 1024 - held - ${request.ownBytes} ))`,
    'granted=0; bytes=0; plots=""',
    `for x in ${pairs}; do`,
    '  n=${x##*=}; [ $((bytes+n)) -le $room ] || break',
    '  bytes=$((bytes+n)); plots="${plots:+$plots }${x%=*}"; granted=$((granted+1))',
    'done',
    `expires=$((now+${request.ttlSeconds}))`,
    'if [ $granted -gt 0 ]; then',
    ...writeLines(dir, request.name),
    'fi',
    'echo "GRANTED $granted $room"',
    '',
  ].join('\n');
}

/** Rewrites this stream's lease with the bytes it still needs and a new expiry: `RENEWED`, or `GONE` if it was removed. */
export function renewScript(
  plotsDir: string,
  holder: LeaseHolder,
  name: string,
  bytes: number,
  ttlSeconds: number,
): string {
  const dir = leaseDirOf(plotsDir);
  const file = shellQuote(`${dir}/${name}`);
  return [
    'export LC_ALL=C',
    `HOLDER=${shellQuote(holder.text)}`,
    `[ -f ${file} ] || { echo GONE; exit 0; }`,
    ...lockLines(dir),
    `[ -f ${file} ] || { echo GONE; exit 0; }`,
    `plots=$(sed -n "s/^plots //p" ${file}); bytes=${bytes}; expires=$(( $(date +%s) + ${ttlSeconds} ))`,
    ...writeLines(dir, name),
    'echo RENEWED',
    '',
  ].join('\n');
}

/** Removes this stream's lease (its plots have arrived, or it stopped). */
export function releaseScript(plotsDir: string, name: string): string {
  return `rm -f ${shellQuote(`${leaseDirOf(plotsDir)}/${name}`)}\necho RELEASED\n`;
}

export type ClaimAnswer =
  | { kind: 'granted'; granted: number; roomBytes: number; expired: string[]; old: string[] }
  | { kind: 'none'; why: string };

/** What the claim script answered. */
export function parseClaim(output: string): ClaimAnswer {
  const lines = output.split('\n');
  const expired = lines.filter((l) => l.startsWith('EXPIRED ')).map((l) => describeLease(l.slice(8)));
  const old = lines.filter((l) => l.startsWith('OLD ')).map((l) => describeLease(l.slice(4)));
  const granted = /^GRANTED (\d+) (-?\d+)$/m.exec(output);
  if (granted) return { kind: 'granted', granted: Number(granted[1]), roomBytes: Number(granted[2]), expired, old };
  if (lines.includes('NODIR')) return { kind: 'none', why: `cannot write a lease in ${LEASE_DIR} beside plots/` };
  if (lines.includes('LOCKED')) return { kind: 'none', why: 'its lease lock stayed taken for 30 s' };
  if (lines.includes('NODF')) return { kind: 'none', why: 'df gave no line for it' };
  if (lines.includes('NOWRITE')) return { kind: 'none', why: 'cannot write the lease file' };
  return { kind: 'none', why: `no answer from the lease script (${output.trim().split('\n').at(-1) ?? ''})` };
}

/** A lease's fields as one line: `holder … bytes N expires T plots …` → `h1 /home pid 5, 123 bytes, expired at …`. */
function describeLease(fields: string): string {
  const holder = /holder (.*?) bytes /.exec(fields)?.[1] ?? 'an unknown holder';
  const bytes = /bytes (\d+)/.exec(fields)?.[1] ?? '?';
  const expires = Number(/expires (\d+)/.exec(fields)?.[1] ?? NaN);
  const when = Number.isFinite(expires)
    ? new Date(expires * 1000).toISOString().replace('.000Z', 'Z')
    : 'an unknown time';
  return `the lease of ${holder} for ${bytes} bytes (expired at ${when})`;
}

/**
 * The survey's part: every live lease of another home on the disks under the root, as
 * `Q <plots dir> <bytes> <expires> <now>`, so a pass sees room that other plotters hold.
 */
export function leaseListLines(root: string): string[] {
  const r = shellQuote(root);
  return [
    'echo Q',
    'now=$(date +%s)',
    `for f in ${r}/*/*/${LEASE_DIR}/*.lease; do`,
    '  [ -f "$f" ] || continue',
    '  b=$(sed -n "s/^bytes //p" "$f"); e=$(sed -n "s/^expires //p" "$f")',
    '  echo "Q ${f%/*/*}/plots ${f##*/} $b $e $now"',
    'done',
  ];
}

/** Bytes other homes' live leases hold per plots dir, from the survey's `Q` lines. */
export function parseLeaseLines(lines: string[], ownHome: string | null): Map<string, number> {
  const held = new Map<string, number>();
  for (const line of lines) {
    const match = /^Q (\/.*\/plots) (\S+) (\d+) (\d+) (\d+)$/.exec(line);
    if (!match) continue;
    const [, plotsDir, name, bytes, expires, now] = match;
    if ((ownHome !== null && name.startsWith(`${ownHome}-`)) || Number(expires) <= Number(now)) continue;
    held.set(plotsDir, (held.get(plotsDir) ?? 0) + Number(bytes));
  }
  return held;
}
