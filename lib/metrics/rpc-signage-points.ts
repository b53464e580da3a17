import fs from 'node:fs';
import type { Registry } from 'prom-client';
import { addGauge } from './registry.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';
import { isObject, numberOf, textOf, type ChiaJson } from '../chia-rpc/chia-json.js';

/**
 * The farmer tells which signage points it holds, not when each came. Across cron runs this
 * remembers the newest one and when a run first saw it, and how many have come in all, so a
 * farmer that stops receiving them shows up as a growing age (to the collector's interval).
 */
export interface SignagePointMemory {
  file: string;
}

interface Remembered {
  newest: string;
  seenAtMs: number;
  received: number;
}

export function addSignagePointMetrics(
  registry: Registry,
  list: ChiaJson[],
  memory: SignagePointMemory,
  nowMs: number,
): void {
  // the farmer keeps them in arrival order: the last is the newest
  const points = list.flatMap((entry) => {
    const point = isObject(entry) && isObject(entry.signage_point) ? entry.signage_point : null;
    const hash = textOf(point?.challenge_chain_sp);
    return point !== null && hash !== null ? [{ hash, index: numberOf(point.signage_point_index) }] : [];
  });
  const before = recall(memory.file);
  let now = before;
  const newest = points.at(-1);
  if (newest !== undefined && newest.hash !== before?.newest) {
    const known = before === null ? -1 : points.findIndex((point) => point.hash === before.newest);
    now = { newest: newest.hash, seenAtMs: nowMs, received: (before?.received ?? 0) + points.length - known - 1 };
    remember(memory.file, now);
  }
  addGauge(
    registry,
    'farm_farmer_signage_points',
    'Signage points the farmer holds now (it keeps those of about the last 30 minutes)',
  ).set(points.length);
  if (newest?.index !== null && newest?.index !== undefined) {
    addGauge(
      registry,
      'farm_farmer_signage_point_index',
      'Index (0-63) of the newest signage point the farmer holds',
    ).set(newest.index);
  }
  if (now === null) return;
  addGauge(
    registry,
    'farm_farmer_last_signage_point_age_seconds',
    "Seconds since this collector first saw the farmer's newest signage point (0 when one came since its last run)",
  ).set(Math.max(0, (nowMs - now.seenAtMs) / 1000));
  const received = {
    name: 'farm_farmer_signage_points_received_total',
    help: 'Signage points the farmer received, as counted by this collector across its runs',
    type: 'counter',
    values: [{ value: now.received, labels: {} }],
  };
  registry.registerMetric({ ...received, get: async () => received } as unknown as Parameters<
    Registry['registerMetric']
  >[0]);
}

function recall(file: string): Remembered | null {
  try {
    const saved: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof saved !== 'object' || saved === null) return null;
    const { newest, seenAtMs, received } = saved as Record<string, unknown>;
    if (typeof newest !== 'string' || typeof seenAtMs !== 'number' || typeof received !== 'number') return null;
    return { newest, seenAtMs, received };
  } catch {
    return null; // first run, or a memory lost: the age starts again from now
  }
}

function remember(file: string, value: Remembered): void {
  try {
    writeFileAtomicSync(file, `${JSON.stringify(value)}\n`);
  } catch {
    // without memory the age reads 0 on each new point and the count restarts: no worse than none
  }
}
