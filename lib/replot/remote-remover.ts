import { shellQuote } from '../util/shell-quote.js';
import type { ReplotSettings } from './replot-candidates.js';
import { ruleMatches } from './replot-rule.js';
import type { ReplotCandidate } from './removal-order.js';
import type { PlotRemover } from './plot-remover.js';

export interface RemovalRequest {
  plotsDir: string;
  victim: ReplotCandidate;
  /** The header bytes read when it was chosen: the file must still start with them. */
  head: Buffer;
}

/** What a script run on the host answered. */
export interface ScriptAnswer {
  stdout: string;
  exitCode: number | undefined;
  /** No answer in time: the script may or may not have run. */
  timedOut: boolean;
}

/** Runs one sh script on the disk's host (the archiver's ssh transport provides it). */
export type RunScript = (script: string) => Promise<ScriptAnswer>;

/**
 * One sh script that removes one old plot on a remote disk only if it is still the file that was
 * chosen: a regular file (not a link) right in `<disk>/plots/` (its folder's real path), the same
 * size and mtime, the same header bytes. Its last line says what happened: `REMOVED`, or
 * `REFUSED <why>`.
 */
export function removalScript(request: RemovalRequest): string {
  const { victim, plotsDir, head } = request;
  const file = shellQuote(victim.path);
  const dir = shellQuote(plotsDir);
  const name = victim.path.slice(victim.path.lastIndexOf('/') + 1);
  return [
    'export LC_ALL=C',
    `f=${file}`,
    `[ "$f" = ${shellQuote(`${plotsDir}/${name}`)} ] || { echo "REFUSED it is not inside ${plotsDir}"; exit 3; }`,
    '[ -L "$f" ] && { echo "REFUSED it is a link"; exit 3; }',
    '[ -f "$f" ] || { echo "REFUSED it is gone or not a regular file"; exit 3; }',
    `real=$(cd ${dir} && pwd -P) || { echo "REFUSED cannot enter ${plotsDir}"; exit 3; }`,
    `[ "$(cd "$(dirname "$f")" && pwd -P)" = "$real" ] || { echo "REFUSED it is not inside ${plotsDir}"; exit 3; }`,
    `s=$(stat -c '%s %Y' -- "$f") || { echo "REFUSED cannot stat it"; exit 3; }`,
    `[ "$s" = "${victim.sizeBytes} ${Math.trunc(victim.mtimeMs / 1000)}" ] || { echo "REFUSED its size or mtime changed ($s)"; exit 4; }`,
    `h=$(od -An -v -tx1 -N ${head.length} -- "$f" | tr -d ' \\n')`,
    `[ "$h" = "${head.toString('hex')}" ] || { echo "REFUSED its header changed"; exit 5; }`,
    'rm -f -- "$f" || { echo "REFUSED rm failed"; exit 6; }',
    '[ -e "$f" ] && { echo "REFUSED it is still there after rm"; exit 6; }',
    'echo REMOVED',
    '',
  ].join('\n');
}

/** What the removal script said: null when it removed the plot, else why not. */
export function parseRemovalAnswer(stdout: string, exitCode: number | undefined): string | null {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  if (last === 'REMOVED' && exitCode === 0) return null;
  if (last.startsWith('REFUSED ')) return last.slice('REFUSED '.length);
  return `no clear answer (exit ${exitCode ?? 'none'}${last === '' ? '' : `: ${last}`})`;
}

/**
 * A disk on another host: the rule is checked again here (against the header read there), the
 * rest on the host by one script, run by `run`. `headOf` gives the header bytes read when the
 * plot was listed (null when they are not known any more: nothing is removed then).
 */
export function remoteRemover(o: {
  where: string;
  run: RunScript;
  headOf: (victim: ReplotCandidate) => Buffer | null;
  settings: () => ReplotSettings;
  timeoutSeconds: number;
}): PlotRemover {
  return {
    where: o.where,
    async remove(victim, plotsDir) {
      const settings = o.settings();
      if (!settings.on) return 'replot is off';
      if (!ruleMatches(settings.rule, victim.header, victim.mtimeMs))
        return `replot_match (${settings.rule.text}) no longer matches it`;
      const head = o.headOf(victim);
      if (head === null) return 'its header is no longer known';
      const answer = await o.run(removalScript({ plotsDir, victim, head }));
      if (answer.timedOut) return `no answer within ${o.timeoutSeconds} s (it may or may not be gone)`;
      return parseRemovalAnswer(answer.stdout, answer.exitCode);
    },
  };
}
