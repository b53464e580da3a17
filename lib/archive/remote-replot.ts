import { inRemovalOrder, type ReplotCandidate, type ReplotSettings } from '../replot/replot-candidates.js';
import { ruleMatches } from '../replot/replot-rule.js';
import type { ArchiveTarget } from './archive-targets.js';
import type { HostSession } from './host-session.js';
import { fetchRemoteHeaders, RemoteHeaderCache, type RemoteHeader } from './remote-headers.js';
import { sshArgs } from './ssh-args.js';
import type { PlotRemover } from '../replot/plot-remover.js';
import { remoteRemover, type RunScript } from '../replot/remote-remover.js';
import type { RemoteReplot } from './target-replot.js';
import type { HostSurvey, TargetDisk } from './target-disk.js';

// the removal script is lib/replot's, the one way of making room; these names stay for the archiver's callers
export { parseRemovalAnswer, removalScript, type RemovalRequest } from '../replot/remote-remover.js';

export interface RemoteReplotOptions {
  targets: ArchiveTarget[];
  sshConfig: string;
  timeoutMs: number;
  cache: RemoteHeaderCache;
  /** The pass's session on each host, for the header reads. */
  sessions?: Map<string, HostSession>;
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
   * Reads, in one script per host (in the pass's session there), the headers not in the cache of the plots on `disks`
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
            session: this.options.sessions?.get(survey.hostKey),
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

  /** lib/replot's remote remover, its script run over this host's ssh. */
  remover(disk: TargetDisk, settings: () => ReplotSettings): PlotRemover {
    const run: RunScript = async (script) => {
      // loaded when a plot is removed for room, not in every pass
      const { execa } = await import('execa');
      const result = await execa('ssh', [...sshArgs(this.placeOf(disk), this.options.sshConfig), 'sh', '-s'], {
        input: script,
        timeout: this.options.timeoutMs,
        reject: false,
      });
      return { stdout: String(result.stdout), exitCode: result.exitCode, timedOut: result.timedOut };
    };
    return remoteRemover({
      where: `${disk.target}:${disk.farm}/${disk.disk}`,
      run,
      settings,
      timeoutSeconds: this.options.timeoutMs / 1000,
      headOf: (victim) => {
        const head = this.header(disk, victim.path, victim);
        return head?.ok ? head.bytes : null;
      },
    });
  }
}
