import { absolutePathOrEmpty, nameList, oneOf, wholeNumber, type ValueParser } from './value-parsers.js';
import { parseReplotRule } from './replot-match.js';
import { DAY, type Spec } from './value-spec.js';

/** An octal file mode a plot may have: its owner must read and write it (the archiver verifies it). */
const fileMode: ValueParser<string> = (raw) => {
  if (!/^0?[0-7]{3}$/.test(raw) || (parseInt(raw, 8) & 0o600) !== 0o600)
    return { ok: false, expected: 'an octal mode such as 0644 with owner read and write (6 or 7 first)' };
  return { ok: true, value: raw.padStart(4, '0') };
};

/** auto, ssh, or an OpenSSH cipher list (names, commas; a leading +, - or ^ as ssh_config allows). */
const cipherSetting: ValueParser<string> = (raw) =>
  raw === 'auto' || raw === 'ssh' || /^[-+^]?[a-z0-9][a-z0-9@.-]*(,[a-z0-9][a-z0-9@.-]*)*$/.test(raw)
    ? { ok: true, value: raw }
    : {
        ok: false,
        expected: 'auto, ssh, or an ssh cipher list such as aes128-gcm@openssh.com,chacha20-poly1305@openssh.com',
      };

/** The canonical text of a valid rule, so a value file's value stays a plain string. */
const replotMatch: ValueParser<string> = (raw) => {
  const parsed = parseReplotRule(raw);
  return parsed.ok ? { ok: true, value: parsed.rule.text } : parsed;
};

/** Which old plots make room for new ones, and where finished plots go: the staging farm and the archiver. */
export const REPLOT_ARCHIVE_VALUE_SPECS = {
  replot: {
    default: 'off',
    parse: oneOf(['off', 'on'] as const),
    kind: 'config',
    help: '`on` removes old plots matching replot_match, one just before each new plot needs its room',
  },
  replot_removed: {
    default: 0,
    parse: wholeNumber(0, Number.MAX_SAFE_INTEGER),
    kind: 'state',
    help: 'old plots replot has removed (a counter)',
  },
  replot_match: {
    default: 'none',
    parse: replotMatch,
    kind: 'config',
    help: 'which old plots replot may remove: none, or kind=solo|pool compression<N k=N before=YYYY-MM-DD (all must hold)',
  },
  dest_farms: {
    default: '',
    parse: nameList(false),
    kind: 'config',
    help: 'farms the tractor may fill (e.g. the staging farm); empty for every farm',
  },
  archive_staging: {
    default: '',
    parse: nameList(true),
    kind: 'config',
    help: 'farms or farm/disk the archiver empties; empty: the archiver moves nothing',
  },
  archive_max_per_host: {
    default: 8,
    parse: wholeNumber(1, 100),
    kind: 'config',
    help: 'most archive streams at once to one host (one stream per target disk, each one rsync of the plots for that disk)',
  },
  archive_max_total: {
    default: 16,
    parse: wholeNumber(1, 1000),
    kind: 'config',
    help: 'most archive streams at once in all',
  },
  archive_mode: {
    default: '0644',
    parse: fileMode,
    kind: 'config',
    help: 'the mode of an archived plot on its target (octal; owner read and write at least)',
  },
  archive_lease_seconds: {
    default: 300,
    parse: wholeNumber(10, DAY),
    kind: 'config',
    help: "how long a lease on a target disk's room lasts unless its holder renews it (a dead holder's lease then frees the room)",
  },
  archive_bwlimit: {
    default: 0,
    parse: wholeNumber(0, 100_000_000),
    kind: 'config',
    help: "rsync's --bwlimit per transfer in KiB/s; 0 for none",
  },
  archive_interval: {
    default: 60,
    parse: wholeNumber(1, DAY),
    kind: 'config',
    help: 'seconds between two archiver passes',
  },
  archive_cipher: {
    default: 'auto',
    parse: cipherSetting,
    kind: 'config',
    help: "the ciphers a transfer's ssh asks for: auto (AES-GCM first when both CPUs do it in hardware), ssh (ssh's and its ssh_config's own), or a cipher list",
  },
  archive_ssh_config: {
    default: '',
    parse: absolutePathOrEmpty,
    kind: 'config',
    help: "ssh_config file for the archiver's ssh (ssh -F); empty: ssh's own",
  },
} satisfies Record<string, Spec<unknown>>;
