import type { Registry } from 'prom-client';

export interface CountedSample {
  /** The sample's own name: `<name>`, or `<name>_bucket` / `_sum` / `_count`. */
  metricName: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A metric whose samples were counted elsewhere (by the tractors, in a state file), rendered in
 * prom-client's text format: its Counter and Histogram can only count up from zero in this process.
 */
export function addCounted(
  registry: Registry,
  name: string,
  help: string,
  type: 'counter' | 'histogram' | 'summary',
  values: CountedSample[],
): void {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values }),
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}
