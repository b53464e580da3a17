import type { Registry } from 'prom-client';
import { addGauge } from './registry.js';
import { arrayOf, isObject, numberOf, textOf, type ChiaJson, type JsonObject } from '../chia-rpc/chia-json.js';

/** The partial counters chia 2.0+ keeps per pool since the farmer started, by result. */
const PARTIAL_RESULTS = ['valid', 'invalid', 'insufficient', 'stale', 'missing'] as const;

/**
 * One series per plotNFT (launcher_id, and the pool it farms for) from the farmer's
 * get_pool_state: points found and acknowledged since the farmer started and over the last 24 h
 * (the sum of the difficulties of the partials, which is how a pool counts points), errors
 * the pool answered in the last 24 h, and difficulty, points and plots now.
 */
export function addPoolMetrics(registry: Registry, pools: ChiaJson[]): void {
  const entries = pools.filter(isObject);
  if (entries.length === 0) return;
  const labelNames = ['launcher_id', 'pool_url'];
  const gauge = (name: string, help: string, extra: string[] = []) =>
    addGauge(registry, `farm_pool_${name}`, help, [...labelNames, ...extra]);
  const foundSinceStart = gauge('points_found_since_start', 'Points found for this pool since the farmer started');
  const ackSinceStart = gauge(
    'points_acknowledged_since_start',
    'Points the pool acknowledged since the farmer started',
  );
  const found24h = gauge(
    'points_found_24h',
    "Points found for this pool in the last 24 hours (sum of the partials' difficulties)",
  );
  const ack24h = gauge('points_acknowledged_24h', 'Points the pool acknowledged in the last 24 hours');
  const errors24h = gauge('errors_24h', 'Errors the pool answered in the last 24 hours');
  const lastError = gauge(
    'last_error_code',
    "Code of the newest error the pool answered in the last 24 hours (the pool protocol's error codes)",
  );
  const difficulty = gauge('current_difficulty', "The difficulty the pool set for this farmer's partials");
  const points = gauge('current_points', 'Points the pool credits this farmer with now');
  const plots = gauge('plots', 'Plots of this plotNFT the farmer sees');
  const partials = entries.some((pool) => PARTIAL_RESULTS.some((result) => `${result}_partials_since_start` in pool))
    ? gauge(
        'partials_since_start',
        "Partials sent to this pool since the farmer started, by the pool's answer (chia 2.0 and later)",
        ['result'],
      )
    : null;
  for (const pool of entries) {
    const config = isObject(pool.pool_config) ? pool.pool_config : {};
    const labels = {
      launcher_id: textOf(config.launcher_id) ?? textOf(pool.p2_singleton_puzzle_hash) ?? 'unknown',
      pool_url: textOf(config.pool_url) ?? '',
    };
    setIfNumber(foundSinceStart, labels, pool.points_found_since_start);
    setIfNumber(ackSinceStart, labels, pool.points_acknowledged_since_start);
    found24h.set(labels, sumDifficulties(pool.points_found_24h));
    ack24h.set(labels, sumDifficulties(pool.points_acknowledged_24h));
    const errors = arrayOf(pool.pool_errors_24h);
    errors24h.set(labels, errors.length);
    const newest = errorCode(errors.at(-1));
    if (newest !== null) lastError.set(labels, newest);
    setIfNumber(difficulty, labels, pool.current_difficulty);
    setIfNumber(points, labels, pool.current_points);
    setIfNumber(plots, labels, pool.plot_count);
    for (const result of PARTIAL_RESULTS) {
      if (partials) setIfNumber(partials, { ...labels, result }, pool[`${result}_partials_since_start`]);
    }
  }
}

/** `[timestamp, difficulty]` pairs (floats in 1.x, integers in 2.x). */
function sumDifficulties(list: ChiaJson | undefined): number {
  return arrayOf(list).reduce<number>((sum, entry) => sum + (Array.isArray(entry) ? (numberOf(entry[1]) ?? 0) : 0), 0);
}

/** A bare `{error_code, error_message}` (chia 1.x) or `[timestamp, {error_code, error_message}]` (2.0+). */
function errorCode(entry: ChiaJson | undefined): number | null {
  const error: JsonObject | null = Array.isArray(entry)
    ? isObject(entry[1])
      ? entry[1]
      : null
    : isObject(entry)
      ? entry
      : null;
  return error === null ? null : numberOf(error.error_code);
}

function setIfNumber(
  gauge: ReturnType<typeof addGauge>,
  labels: Record<string, string>,
  value: ChiaJson | undefined,
): void {
  const number = numberOf(value);
  if (number !== null) gauge.set(labels, number);
}
