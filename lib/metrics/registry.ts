import { createRequire } from 'node:module';
import type { Counter as CounterClass, Gauge as GaugeClass, Registry as RegistryClass } from 'prom-client';

export type Registry = RegistryClass;

/**
 * prom-client's Registry and Gauge, loaded from their own modules: the package index also loads
 * the Pushgateway (http, https, tls), the cluster aggregator and the default metrics, which
 * triples the start-up of a collector that cron starts every minute. They are the very classes
 * the index exports; if a later prom-client moves them, the index is used.
 */
const { Registry, Gauge } = ((): { Registry: typeof RegistryClass; Gauge: typeof GaugeClass } => {
  const require = createRequire(import.meta.url);
  try {
    return { Registry: require('prom-client/lib/registry.js'), Gauge: require('prom-client/lib/gauge.js') };
  } catch {
    return require('prom-client');
  }
})();

export function createRegistry(): Registry {
  return new Registry();
}

/** prom-client's Counter from its own module, as Gauge above; loaded the first time one is made. */
let Counter: typeof CounterClass | undefined;
function counterClass(): typeof CounterClass {
  if (Counter !== undefined) return Counter;
  const require = createRequire(import.meta.url);
  try {
    Counter = require('prom-client/lib/counter.js') as typeof CounterClass;
  } catch {
    Counter = (require('prom-client') as { Counter: typeof CounterClass }).Counter;
  }
  return Counter;
}

/** A counter in this registry only, as addGauge. */
export function addCounter(registry: Registry, name: string, help: string, labelNames: string[] = []): CounterClass {
  const Class = counterClass();
  return new Class({ name, help, labelNames, registers: [registry] });
}

/** A gauge in this registry only (never prom-client's global one). */
export function addGauge(registry: Registry, name: string, help: string, labelNames: string[] = []): GaugeClass {
  return new Gauge({ name, help, labelNames, registers: [registry] });
}
