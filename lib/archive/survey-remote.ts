import type { ArchiveTarget } from './archive-targets.js';
import { aesGcmInCpuinfo, CPU_SURVEY_LINES } from './bulk-cipher.js';
import type { HostSession } from './host-session.js';
import { shellQuote } from '../util/shell-quote.js';
import { leaseListLines, parseLeaseLines } from './target-leases.js';
import { PARTIAL_SUFFIX, type HostSurvey, type ListedPlot, type TargetDisk } from './target-disk.js';

/**
 * One sh script for every root of one host: its CPU's flags (for the batches' ciphers), its disks
 * with plots/ (writable? logs/?), one `df -Pk` over all of them, and our partial copies; with
 * `listPlots` (replot on), every plot file (`*.plot`, `*.plot2`, `*.gplot`) there with its size,
 * mtime and type, by one `stat -c` (GNU coreutils or BusyBox). One ssh round trip per host per
 * pass, however many disks: the remote side needs only sh, df, ls and stat.
 */
export function surveyScript(roots: string[], listPlots = false): string {
  const lines = ['export LC_ALL=C', ...CPU_SURVEY_LINES];
  for (const root of roots) {
    const r = shellQuote(root);
    lines.push(
      `echo "R ${root}"`,
      `if [ -d ${r} ]; then`,
      '  set --',
      `  for p in ${r}/*/*/plots; do`,
      '    [ -d "$p" ] || continue',
      '    w=0; [ -w "$p" ] && w=1',
      '    echo "D $w $p"; set -- "$@" "$p"',
      '  done',
      '  echo F',
      '  [ $# -gt 0 ] && df -Pk "$@" 2>&1 | sed 1d',
      '  echo P',
      `  ls -ln ${r}/*/*/plots/*${PARTIAL_SUFFIX} 2>/dev/null`,
      ...(listPlots
        ? [
            '  echo L',
            `  stat -c '%s %Y %F|%n' -- ${r}/*/*/plots/*.plot ${r}/*/*/plots/*.plot2 ${r}/*/*/plots/*.gplot 2>/dev/null`,
          ]
        : []),
      'else echo NOROOT; fi',
      ...leaseListLines(root),
    );
  }
  lines.push('echo END');
  return `${lines.join('\n')}\n`;
}

const DF_LINE = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\/.*)$/;

/** The disks in the script's output; `roots` maps each root to its target. */
export function parseSurvey(
  output: string,
  roots: Map<string, ArchiveTarget>,
  hostKey: string,
  requireMount: boolean,
  ownHome: string | null = null,
): HostSurvey {
  if (!output.split('\n').includes('END')) return { hostKey, ok: false, problem: 'its answer was cut short' };
  const leased = parseLeaseLines(output.split('\n'), ownHome);
  const disks: TargetDisk[] = [];
  const sections = output.split(/^R /m).slice(1);
  for (const section of sections) {
    const lines = section.split('\n');
    const root = lines[0];
    const target = roots.get(root);
    if (!target) continue;
    if (lines[1] === 'NOROOT') continue;
    const fAt = lines.indexOf('F');
    const pAt = lines.indexOf('P');
    const lAt = lines.indexOf('L');
    const diskLines = lines.slice(1, fAt).filter((line) => line.startsWith('D '));
    const dfLines = lines.slice(fAt + 1, pAt).filter((line) => line !== '');
    const plotFiles = lAt < 0 ? null : parsePlotListing(lines.slice(lAt + 1));
    const partials = new Map<string, Map<string, number>>();
    for (const line of lines.slice(pAt + 1, lAt < 0 ? undefined : lAt)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 9 || !fields[0].startsWith('-')) continue;
      const file = fields.slice(8).join(' ');
      const dir = file.slice(0, file.lastIndexOf('/'));
      const byDir = partials.get(dir) ?? new Map<string, number>();
      byDir.set(file.slice(dir.length + 1, -'.partial'.length), Number(fields[4]));
      partials.set(dir, byDir);
    }
    diskLines.forEach((line, i) => {
      const writable = line[2] === '1';
      const plotsDir = line.slice(4);
      const [farm, disk] = plotsDir.slice(root.length + 1).split('/');
      const df = DF_LINE.exec(dfLines.length === diskLines.length ? dfLines[i] : '');
      const diskDir = plotsDir.slice(0, -'/plots'.length);
      let problem: string | null = null;
      if (!df)
        problem = `unreadable: df gave no line for it${dfLines.length === diskLines.length ? ` (${dfLines[i]})` : ''}`;
      else if (requireMount && df[6] !== diskDir && !df[6].startsWith(`${diskDir}/`)) problem = 'unmounted';
      else if (!writable) problem = 'read-only';
      disks.push({
        target: target.name,
        hostKey,
        farm,
        disk,
        plotsDir,
        problem,
        totalBytes: df ? Number(df[2]) * 1024 : 0,
        // what other plotters' leases hold there is not free for this one
        freeBytes: df ? Math.max(0, Number(df[4]) * 1024 - (leased.get(plotsDir) ?? 0)) : 0,
        leasedBytes: leased.get(plotsDir) ?? 0,
        partials: partials.get(plotsDir) ?? new Map(),
        ...(plotFiles ? { plotFiles: plotFiles.get(plotsDir) ?? [] } : {}),
      });
    });
  }
  // the script's first line, before any root's
  const cpu = output.startsWith('C ') ? output.slice(2, output.indexOf('\n')) : '';
  return { hostKey, ok: true, disks, aesGcm: aesGcmInCpuinfo(cpu) === true };
}

const STAT_LINE = /^(\d+) (\d+) ([a-z ]+)\|(\/.*\/plots)\/([^/]+\.(?:plot2?|gplot))$/;

/** `stat -c '%s %Y %F|%n'` lines: the regular files per plots dir (a link is never a plot replot may remove). */
export function parsePlotListing(lines: string[]): Map<string, ListedPlot[]> {
  const byDir = new Map<string, ListedPlot[]>();
  for (const line of lines) {
    const match = STAT_LINE.exec(line);
    if (!match || !match[3].startsWith('regular')) continue;
    const list = byDir.get(match[4]) ?? [];
    list.push({ name: match[5], sizeBytes: Number(match[1]), mtimeMs: Number(match[2]) * 1000 });
    byDir.set(match[4], list);
  }
  return byDir;
}

export interface RemoteSurveyOptions {
  requireMount: boolean;
  timeoutMs: number;
  /** Replot is on: list the plots too. */
  listPlots?: boolean;
  /** This home's lease prefix: its own leases are counted by its reservations. */
  ownHome?: string;
  /** The pass's session on the host: its leases are claimed there after the survey, with no login of their own. */
  session: HostSession;
}

/** Surveys every target of one remote host with a single script, the first of the pass's session there. */
export async function surveyRemoteHost(targets: ArchiveTarget[], options: RemoteSurveyOptions): Promise<HostSurvey> {
  const first = targets[0]!;
  if (first.place.kind !== 'remote') throw new Error('surveyRemoteHost takes remote targets');
  const roots = new Map(targets.map((target) => [target.place.root as string, target]));
  const answer = await options.session.run(
    surveyScript([...roots.keys()], options.listPlots ?? false),
    options.timeoutMs,
  );
  if (!answer.ok) return { hostKey: first.hostKey, ok: false, problem: answer.problem };
  return parseSurvey(answer.stdout, roots, first.hostKey, options.requireMount, options.ownHome ?? null);
}
