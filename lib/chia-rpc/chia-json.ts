import { createRequire } from 'node:module';
import type * as LosslessJson from 'lossless-json';

// Required, not imported: the package's CommonJS build is one file, its ES build ten modules that
// node resolves and links one by one, a few milliseconds of each getfarm cron run over the RPC. And
// only once an answer holds a long number.
let lossless: typeof LosslessJson | undefined;
const losslessJson = () => (lossless ??= createRequire(import.meta.url)('lossless-json') as typeof LosslessJson);

/** A JSON value as chia sends it: integers beyond 2^53 (netspace, weights, uint128 balances) as bigint. */
export type ChiaJson = null | boolean | number | bigint | string | ChiaJson[] | { [key: string]: ChiaJson };

/** A number of 16 or more digits after `:`, `[` or `,`: one that may not fit a double exactly. */
const LONG_NUMBER = /[:[,]\s*-?\d{16,}/;

/**
 * JSON.parse would round netspace (a uint128, above 2^64 at times) and large mojo amounts to the
 * nearest double before anything could add or divide them exactly: integers that a double cannot
 * hold come back as bigint, everything else as JSON.parse gives it. The exact parser is tens of times
 * slower than JSON.parse (bench/chia-rpc.bench.ts): an answer without a long number anywhere (a
 * harvester's get_plots of 10,000 plots is 5 MB of them) goes to JSON.parse. A long run of digits
 * inside a string only sends the text the slow, exact way.
 */
export function parseChiaJson(text: string): ChiaJson {
  return LONG_NUMBER.test(text) ? parseExactly(text) : (JSON.parse(text) as ChiaJson);
}

/** Every integer a double cannot hold as bigint, whatever the text holds. */
export function parseExactly(text: string): ChiaJson {
  const { isInteger, parse } = losslessJson();
  return parse(text, null, (digits) => {
    const value = Number(digits);
    return isInteger(digits) && !Number.isSafeInteger(value) ? BigInt(digits) : value;
  }) as ChiaJson;
}

export type JsonObject = { [key: string]: ChiaJson };

export function isObject(value: ChiaJson | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An integer field (number or bigint) as bigint, or null when it is absent or not an integer. */
export function integerOf(value: ChiaJson | undefined): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return null;
}

/** A numeric field as a number (a double: what a Prometheus sample holds), or null. */
export function numberOf(value: ChiaJson | undefined): number | null {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return null;
}

export function arrayOf(value: ChiaJson | undefined): ChiaJson[] {
  return Array.isArray(value) ? value : [];
}

export function textOf(value: ChiaJson | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * `whole / unit` as the double nearest the exact quotient: 9007199254740993 mojo is
 * 9007.199254740993 XCH, where Number(mojo) / 1e12 would already have lost the last digit.
 */
export function exactRatio(whole: bigint, unit: bigint): number {
  const negative = whole < 0n;
  const magnitude = negative ? -whole : whole;
  const integerPart = magnitude / unit;
  const remainder = magnitude % unit;
  // 20 significant digits of the remainder (more than a double shows) however small the ratio is
  const digits = 20 + unit.toString().length;
  const fraction = ((remainder * 10n ** BigInt(digits)) / unit).toString().padStart(digits, '0');
  return Number(`${negative ? '-' : ''}${integerPart}.${fraction}`);
}
