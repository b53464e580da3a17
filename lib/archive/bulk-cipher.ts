import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

/**
 * OpenSSH's default ciphers with AES-GCM first. Spelled out rather than `^aes128-gcm…` (head of
 * the default set): the `^` prefix came to ssh_config later than these ciphers, so an older
 * client may refuse it (not checked here). A server that allows none of the GCM ones gets the
 * next it allows.
 */
export const AES_GCM_FIRST =
  'aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr';

/**
 * Whether a CPU does AES-GCM in hardware, from /proc/cpuinfo: its first `flags` (x86) or
 * `Features` (ARM) line names `aes` and the carry-less multiply GCM needs (`pclmulqdq`, `pmull`).
 * null when there is no such line (not Linux, or a CPU that names neither).
 */
export function aesGcmInCpuinfo(cpuinfo: string): boolean | null {
  const line = /^(?:flags|Features)\s*:(.*)$/m.exec(cpuinfo);
  if (line === null) return null;
  const words = new Set(line[1].trim().split(/\s+/));
  return words.has('aes') && (words.has('pclmulqdq') || words.has('pmull'));
}

/** The ciphers this machine's ssh knows (`ssh -Q cipher`), null when it cannot say. */
export function clientCiphers(): string[] | null {
  const run = spawnSync('ssh', ['-Q', 'cipher'], { encoding: 'utf8', timeout: 5000 });
  return run.status === 0 ? run.stdout.split('\n').filter((name) => name !== '') : null;
}

/**
 * AES_GCM_FIRST less what this ssh does not know (an ssh refuses the whole option for one name
 * it lacks: a FIPS build without chacha20), or null when it knows no GCM cipher.
 */
export function aesGcmFirstFor(known: string[] | null): string | null {
  const list = AES_GCM_FIRST.split(',').filter((name) => known === null || known.includes(name));
  return list.some((name) => name.includes('-gcm@')) ? list.join(',') : null;
}

/** This machine's answer (false when /proc/cpuinfo cannot be read). */
export function localAesGcm(cpuinfoPath = '/proc/cpuinfo'): boolean {
  try {
    return aesGcmInCpuinfo(fs.readFileSync(cpuinfoPath, 'utf8')) === true;
  } catch {
    return false;
  }
}

/**
 * sh lines for the survey: the host's first flags or Features line, as `C <line>`, with sh's own
 * read (the remote side needs no more than a POSIX shell).
 */
export const CPU_SURVEY_LINES = [
  'while IFS= read -r c; do case $c in flags*|Features*) echo "C $c"; break;; esac; done 2>/dev/null </proc/cpuinfo',
];

/**
 * The ciphers a batch's ssh asks for (`-o Ciphers=`), null for ssh's own choice (and the
 * ssh_config's), undefined while it depends on a host not surveyed yet. `auto`: AES-GCM first
 * when both CPUs do it in hardware, where it moves about twice what chacha20-poly1305 (ssh's
 * first choice) moves per core; a harvester without (a Raspberry Pi 4) keeps chacha20, faster there.
 */
export function bulkCiphers(
  setting: string,
  localAes: boolean,
  hostAes: boolean | undefined,
  aesFirst: () => string | null = () => AES_GCM_FIRST,
): string | null | undefined {
  if (setting === 'ssh') return null;
  if (setting !== 'auto') return setting;
  if (!localAes) return null;
  if (hostAes === undefined) return undefined;
  return hostAes ? aesFirst() : null;
}

/** Where the hosts' answers are kept between runs: one per host, the archiver's state (may be deleted). */
export function hostCpuFile(stateDir: string): string {
  return path.join(stateDir, 'host-aes.json');
}

/**
 * Each host's AES-GCM answer, from its surveys, kept so that a restarted archiver knows its hosts
 * before their first survey: an rsync started ahead of the survey asks for the right ciphers.
 */
export class HostCiphers {
  private readonly known: Map<string, boolean>;
  private aesFirst: string | null | undefined;

  /** `knownCiphers`: what this ssh knows, asked once and only when a host first needs it. */
  constructor(
    private readonly file: string,
    private readonly localAes: boolean,
    private readonly knownCiphers: () => string[] | null = clientCiphers,
  ) {
    this.known = new Map(Object.entries(readAnswers(file)));
  }

  /** What a batch to the host asks for under `setting` (archive_cipher). */
  forHost(hostKey: string, setting: string): string | null | undefined {
    return bulkCiphers(setting, this.localAes, this.known.get(hostKey), () => {
      if (this.aesFirst === undefined) this.aesFirst = aesGcmFirstFor(this.knownCiphers());
      return this.aesFirst;
    });
  }

  /** The surveys' answers, saved at once when one is new or changed, each such one said with what it means. */
  learn(answers: Map<string, boolean>, setting: string, say: (message: string) => void): void {
    const changed = [...answers].filter(([host, aes]) => this.known.get(host) !== aes);
    if (changed.length === 0) return;
    for (const [host, aes] of changed) {
      this.known.set(host, aes);
      const asks = this.forHost(host, setting);
      say(
        `${host}: its CPU ${aes ? 'does' : 'does not do'} AES-GCM in hardware; batches there ${asks ? `ask ssh for ${asks.split(',')[0]} first` : "use ssh's own ciphers"} (archive_cipher ${setting})`,
      );
    }
    writeFileAtomicSync(this.file, `${JSON.stringify(Object.fromEntries(this.known), null, 1)}\n`, { sync: false });
  }
}

/** The saved answers; a missing or damaged file is no answer (each host is surveyed again). */
function readAnswers(file: string): Record<string, boolean> {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean'),
    );
  } catch {
    return {};
  }
}
