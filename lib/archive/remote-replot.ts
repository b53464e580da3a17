import { execa } from 'execa';
import { inRemovalOrder, type ReplotCandidate, type ReplotSettings } from '../replot/replot-candidates.js';
import { ruleMatches } from '../replot/replot-rule.js';
import type { ArchiveTarget } from './archive-targets.js';
import { fetchRemoteHeaders, RemoteHeaderCache, type RemoteHeader } from './remote-headers.js';
import { sshArgs, shellQuote } from './ssh-args.js';
import type { RemoteReplot } from './target-replot.js';
import type { HostSurvey, TargetDisk } from './target-disk.js';

export interface RemovalRequest {
  plotsDir: string;
  victim: ReplotCandidate;
  /** The header bytes read when it was chosen: the file must still start with them. */
  head: Buffer;
}

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

export interface RemoteReplotOptions {
  targets: ArchiveTarget[];
  sshConfig: string;
  timeoutMs: number;
  cache: RemoteHeaderCache;
}

/**
 * Replot on remote targets: candidates from the survey's listing and the headers in the cache
 * (read over ssh only for files not seen with that size and mtime, one command per host), and
 * the removal as one checked ssh command.
 */
export class RemoteTargetsReplot implements RemoteReplot {
  constructor(private readonly options: RemoteReplotOptions) {}

  private placeOf(disk: TargetDisk): Extract<ArchiveTarget['place'], { kind: 'remote' }> {
    const place = this.options.targets.find((target) => target.name === disk.target)?.place;
    if (!place || place.kind !== 'remote') throw new Error(`${disk.target} is not a remote target`);
    return place;
  }

  private header(
    disk: TargetDisk,
    file: string,
    listed: { sizeBytes: number; mtimeMs: number },
  ): RemoteHeader | undefined {
    return this.options.cache.get(disk.hostKey, file, listed);
  }

  /**
   * Reads, in one ssh command per host, the headers not in the cache of the plots on `disks`
   * (those that may need replot's credit). Returns the hosts that could not be read, with why.
   */
  async readUnseen(
    surveys: Extract<HostSurvey, { ok: true }>[],
    needsCredit: (disk: TargetDisk) => boolean,
  ): Promise<string[]> {
    const problems: string[] = [];
    await Promise.all(
      surveys.map(async (survey) => {
        const disks = survey.disks.filter((disk) => disk.plotFiles !== undefined);
        if (disks.length === 0) return;
        this.options.cache.forgetMissing(
          survey.hostKey,
          disks.map((disk) => disk.plotsDir),
          new Set(disks.flatMap((disk) => disk.plotFiles!.map((plot) => `${disk.plotsDir}/${plot.name}`))),
        );
        const unseen = disks
          .filter(needsCredit)
          .flatMap((disk) =>
            disk.plotFiles!.map((listed) => ({ disk, path: `${disk.plotsDir}/${listed.name}`, listed })),
          )
          .filter((file) => this.header(file.disk, file.path, file.listed) === undefined);
        if (unseen.length === 0) return;
        const problem = await fetchRemoteHeaders(
          this.placeOf(unseen[0].disk),
          survey.hostKey,
          unseen,
          this.options.cache,
          {
            sshConfig: this.options.sshConfig,
            timeoutMs: this.options.timeoutMs,
          },
        );
        if (problem !== null) problems.push(`${survey.hostKey}: cannot read plot headers: ${problem}`);
      }),
    );
    this.options.cache.save();
    return problems;
  }

  candidates(disk: TargetDisk, settings: ReplotSettings): ReplotCandidate[] {
    const list: ReplotCandidate[] = [];
    for (const listed of disk.plotFiles ?? []) {
      const file = `${disk.plotsDir}/${listed.name}`;
      const head = this.header(disk, file, listed);
      if (head?.ok && ruleMatches(settings.rule, head.header, listed.mtimeMs))
        list.push({ path: file, header: head.header, sizeBytes: listed.sizeBytes, mtimeMs: listed.mtimeMs });
    }
    return list.sort(inRemovalOrder);
  }

  async remove(disk: TargetDisk, victim: ReplotCandidate): Promise<string | null> {
    const head = this.header(disk, victim.path, victim);
    if (!head?.ok) return 'its header is no longer known';
    const result = await execa('ssh', [...sshArgs(this.placeOf(disk), this.options.sshConfig), 'sh', '-s'], {
      input: removalScript({ plotsDir: disk.plotsDir, victim, head: head.bytes }),
      timeout: this.options.timeoutMs,
      reject: false,
    });
    if (result.timedOut) return `no answer within ${this.options.timeoutMs / 1000} s (it may or may not be gone)`;
    return parseRemovalAnswer(String(result.stdout), result.exitCode);
  }
}
