import { wholeNumber, type ValueParser } from './value-parsers.js';
import type { Spec } from './value-spec.js';

/** Empty (no value: read the height from chia) or a height. */
const heightOrEmpty: ValueParser<string> = (raw) =>
  raw === '' || /^\d{1,12}$/.test(raw)
    ? { ok: true, value: raw === '' ? '' : String(Number(raw)) }
    : { ok: false, expected: 'a block height (a whole number), or nothing to read it from chia' };

/** A weight the race is run against: above 0 (a weight never falls under 0) and at most 1. */
const weightAboveZero: ValueParser<number> = (raw) => {
  const value = Number(raw);
  return /^[+]?(\d+\.?\d*|\.\d+)$/.test(raw) && value > 0 && value <= 1
    ? { ok: true, value }
    : { ok: false, expected: 'a number above 0 and at most 1' };
};

/** The pos1 phase-out (DESIGN §18) and what `goplot migrate` plans against. */
export const MIGRATE_VALUE_SPECS = {
  fork_height: {
    default: 9_562_000,
    parse: wholeNumber(0, 1_000_000_000),
    kind: 'config',
    help: 'chain height from which pos2 plots count and pos1 plots lose 1/256 of their weight an epoch',
  },
  epoch_blocks: {
    default: 4608,
    parse: wholeNumber(1, 1_000_000),
    kind: 'config',
    help: 'blocks in an epoch (about a day): the pos1 weight steps down once an epoch',
  },
  phaseout_epochs: {
    default: 255,
    parse: wholeNumber(1, 100_000),
    kind: 'config',
    help: 'epochs from the fork height until chia refuses every pos1 proof',
  },
  chain_height: {
    default: '',
    parse: heightOrEmpty,
    kind: 'config',
    help: "the chain height on a host with no chia node (used only when neither chia's RPC nor its CLI answers)",
  },
  migrate_target_weight: {
    default: 0.5,
    parse: weightAboveZero,
    kind: 'config',
    help: 'goplot migrate: the pos1 weight the farm should be all pos2 before (the needed rate races it)',
  },
} satisfies Record<string, Spec<unknown>>;
