import type { TargetPlace } from './archive-targets.js';
import { shellQuote } from '../util/shell-quote.js';
import { partialName } from './target-disk.js';
import { runOnHost, type HostSession } from './host-session.js';

export type FinishResult = { ok: true; already: boolean } | { ok: false; problem: string; removedPartial: boolean };

export interface FinishRequest {
  place: TargetPlace;
  sshConfig: string;
  plotsDir: string;
  plotName: string;
  size: number;
  /** The source's first bytes: the copy must start with the very same header. */
  head: Buffer;
  /** The plot's mode once it is one (archive_mode): a harvester of another user must read it. */
  mode: number;
  timeoutMs: number;
}

export type RemoteRequest = FinishRequest & { place: Extract<TargetPlace, { kind: 'remote' }> };

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

/**
 * One plot's steps as finishLocal takes them, in sh: exit 0 renamed, 10 already there, else
 * failed with one line saying why. Run in a subshell of its own per plot.
 */
export function finishScript(request: FinishRequest): string {
  const part = shellQuote(partialName(request.plotName));
  const final = shellQuote(request.plotName);
  const hex = request.head.toString('hex');
  const n = request.head.length;
  const mode = octal(request.mode);
  return [
    'same() { s=$(wc -c < "$1") || return 1; s=$(echo $s)',
    `  [ "$s" = "${request.size}" ] || { echo "size $s instead of ${request.size}"; return 1; }`,
    `  h=$(od -An -v -tx1 -N ${n} "$1" | tr -d ' \\n')`,
    `  [ "$h" = "${hex}" ] || { echo "its header differs from the source"; return 1; }; }`,
    `if [ -e ${final} ]; then`,
    `  why=$(same ${final}) || { echo "exists already and is another file ($why)"; exit 3; }`,
    `  rm -f ${part}; chmod ${mode} ${final}; exit 10`,
    'fi',
    `why=$(same ${part}) || { rm -f ${part}; echo "the copy failed verification ($why); removed it"; exit 4; }`,
    `chmod ${mode} ${part} || { echo "cannot chmod ${mode} the copy"; exit 5; }`,
    `if ln ${part} ${final} 2>/dev/null; then rm -f ${part}; exit 0; fi`,
    `[ -e ${final} ] && { echo "appeared meanwhile"; exit 3; }`,
    `mv ${part} ${final} || exit 5`,
  ].join('\n');
}

/**
 * The renames in one process where the target has perl (every Debian and Ubuntu has perl-base):
 * link(2) never replaces a file of that name; rename(2) only where the filesystem has no hard
 * links and the name is still free. Without perl, the same with an ln per plot.
 */
function renameLines(renames: { i: number; part: string; final: string }[]): string[] {
  const perl = [
    'while (@ARGV) { my ($i, $p, $f) = splice(@ARGV, 0, 3);',
    ' if (link($p, $f)) { unlink($p); print "R $i ok\\n" }',
    ' elsif (-e $f) { print "R $i exists\\n" }',
    ' elsif (rename($p, $f)) { print "R $i ok\\n" }',
    ' else { print "R $i failed\\n" } }',
  ].join('');
  const args = renames.map((r) => `${r.i} ${r.part} ${r.final}`).join(' ');
  const lines = [`if command -v perl >/dev/null 2>&1; then perl -e ${shellQuote(perl)} ${args}`, 'else', '  set --'];
  for (const { i, part, final } of renames)
    lines.push(
      `  if ln -- ${part} ${final} 2>/dev/null; then set -- "$@" ${part}; echo "R ${i} ok"`,
      `  elif [ -e ${final} ]; then echo "R ${i} exists"`,
      `  elif mv -- ${part} ${final}; then echo "R ${i} ok"`,
      `  else echo "R ${i} failed"; fi`,
    );
  lines.push('  [ $# -gt 0 ] && rm -f -- "$@"', 'fi');
  return lines;
}

/**
 * The usual case in a few processes for the whole batch: no plot of these names there yet, every
 * copy present, `wc -c` over all of them giving the sources' sizes and their first bytes (one
 * `head -q -c`, as GNU coreutils and BusyBox have it, into one `od`) the sources' headers; then
 * one chmod and the renames. Anything else (a resumed or damaged copy, a plot there already, a
 * head without -c) says FAST-NO before it changes anything, and each plot is finished on its own.
 */
export function fastFinishScript(requests: FinishRequest[], after: string): string {
  const parts = requests.map((r) => shellQuote(partialName(r.plotName)));
  const finals = requests.map((r) => shellQuote(r.plotName));
  const n = Math.max(...requests.map((r) => r.head.length));
  const counted = requests.flatMap((r) => [String(r.size), partialName(r.plotName)]);
  if (requests.length > 1) counted.push(String(requests.reduce((sum, r) => sum + r.size, 0)), 'total');
  const heads = requests.map((r) => r.head.toString('hex')).join('');
  return [
    'export LC_ALL=C',
    `cd ${shellQuote(requests[0]!.plotsDir)} || exit 2`,
    'fast=1',
    `for f in ${finals.join(' ')}; do [ -e "$f" ] && fast=0; done`,
    `for f in ${parts.join(' ')}; do [ -f "$f" ] || fast=0; done`,
    `[ $fast = 1 ] && [ "$(echo $(wc -c -- ${parts.join(' ')}))" != ${shellQuote(counted.join(' '))} ] && fast=0`,
    `[ $fast = 1 ] && [ "$(head -q -c ${n} -- ${parts.join(' ')} 2>/dev/null | od -An -v -tx1 | tr -d ' \\n')" != "${heads}" ] && fast=0`,
    `[ $fast = 1 ] && { chmod ${octal(requests[0]!.mode)} -- ${parts.join(' ')} || fast=0; }`,
    '[ $fast = 1 ] || { echo FAST-NO; exit 0; }',
    ...renameLines(requests.map((r, i) => ({ i, part: parts[i]!, final: finals[i]! }))),
    after,
    'echo END',
    '',
  ].join('\n');
}

/** Each plot's own steps (finishScript) in a subshell of its own, then `after`. */
export function slowFinishScript(requests: FinishRequest[], after: string): string {
  return [
    'export LC_ALL=C',
    `cd ${shellQuote(requests[0]!.plotsDir)} || exit 2`,
    ...requests.map(
      (request, i) => `out=$( (\n${finishScript(request)}\n) 2>&1 ); echo "goplot-finish ${i} $? $(echo $out)"`,
    ),
    after,
    'echo END',
    '',
  ].join('\n');
}

/** One copy's answer: its rename word (fast path) or its script's exit code and line. */
function resultOf(
  word: string | undefined,
  slow: { code: number; said: string } | undefined,
  why: string,
): FinishResult {
  if (word === 'ok') return { ok: true, already: false };
  if (word === 'exists') return { ok: false, problem: 'appeared meanwhile', removedPartial: false };
  if (word === 'failed') return { ok: false, problem: 'could not be renamed', removedPartial: false };
  if (slow === undefined) return { ok: false, problem: why, removedPartial: false };
  if (slow.code === 0) return { ok: true, already: false };
  if (slow.code === 10) return { ok: true, already: true };
  return { ok: false, problem: slow.said || `exit ${slow.code}`, removedPartial: slow.code === 4 };
}

/**
 * Finishes a batch's copies on one harvester disk in one round trip over the master connection
 * (in the pass's session there while it lives, else a session of its own), whatever the batch's size (two when a copy needs a look of its own); each plot keeps the guarantees of finishLocal. `after` runs in the
 * same session; `afterRan` says whether the script got that far.
 */
export async function finishRemoteBatch(
  requests: RemoteRequest[],
  after = '',
  session?: HostSession,
): Promise<{ results: FinishResult[]; afterRan: boolean }> {
  const first = requests[0]!;
  const run = (script: string) => runOnHost(session, first.place, first.sshConfig, script, first.timeoutMs);
  let answer = await run(fastFinishScript(requests, after));
  if (answer.ok && answer.stdout.split('\n').includes('FAST-NO')) answer = await run(slowFinishScript(requests, after));
  const stdout = answer.ok ? answer.stdout : '';
  const words = new Map<number, string>();
  for (const m of stdout.matchAll(/^R (\d+) (\w+)$/gm)) words.set(Number(m[1]), m[2]);
  const slow = new Map<number, { code: number; said: string }>();
  for (const m of stdout.matchAll(/^goplot-finish (\d+) (\d+) ?(.*)$/gm))
    slow.set(Number(m[1]), { code: Number(m[2]), said: m[3] });
  const why = answer.ok ? 'no answer for it' : answer.problem;
  return {
    results: requests.map((_, i) => resultOf(words.get(i), slow.get(i), why)),
    afterRan: answer.ok && stdout.split('\n').includes('END'),
  };
}
