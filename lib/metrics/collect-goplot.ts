import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '../config/config-reader.js';
import { buildGoplotRegistry, type OutcomeFacts } from './goplot-metrics-build.js';
import { readPlotOutcomes } from '../plot-outcomes/plot-outcomes.js';
import { readPlotInventory } from '../inventory/scan-farm-plots.js';
import { SummaryStore, storedPlotFiles, summaryStoreFile } from '../inventory/summary-store.js';
import { addPlotInventoryMetrics } from './plot-inventory-metrics.js';
import { addMigrationMetrics } from './migration-metrics.js';
import { readMigration } from '../migrate/read-migration.js';
import { readGoplotFacts, type InvalidValue } from './goplot-metrics-read.js';
import type { HomePaths } from '../config/home.js';
import { mountinfoPathFrom } from '../farm/mount-points.js';
import { runCollector, type CollectedValue, type CollectorOutcome, type CollectResult } from './run-collector.js';
import { DeferredLog } from './deferred-log.js';
import { errorMessage } from '../util/error-message.js';

export const GOPLOT_PROM_NAME = 'goplot';

export interface CollectGoplotOptions {
  paths: HomePaths;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Where /proc is (node_exporter's --path.procfs, in a container). */
  procDir?: string;
  /** Default: GOPLOT_MOUNTINFO, else /proc/self/mountinfo. */
  mountinfoPath?: string;
}

/**
 * The goplot collector (goplot's goplot_collector.sh): the loop's config and state, the running
 * plots with their phase and progress, and every destination disk's state and space, written to
 * `<prom_dir>/goplot.prom` through the shared collector run (success metric, last good file).
 */
export async function collectGoplot(options: CollectGoplotOptions): Promise<CollectorOutcome> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const log = new DeferredLog(options.paths, 'goplot_collector');
  // problems are logged below, once per change, not on every cron run
  const config = new ConfigReader(options.paths, () => {}, env);
  const promDir = config.get('prom_dir');
  const wasInvalid = readInvalidNames(path.join(promDir, `${GOPLOT_PROM_NAME}.prom`));

  return runCollector({
    name: GOPLOT_PROM_NAME,
    promDir,
    log,
    now,
    collect: async (): Promise<CollectResult> => {
      // first, so the disks' plot counts below come from the summaries it just refreshed
      const { inventory, cache } = await readPlotInventory({ config, now });
      if (cache.cacheProblem) log.add('warn', cache.cacheProblem);
      if (cache.writeError) log.addOnce('warn', `the plot inventory cache was not saved: ${cache.writeError}`);
      for (const farm of inventory.farms)
        for (const disk of farm.disks)
          if (disk.unreadable !== undefined) log.addOnce('warn', `${disk.unreadable}; its plots are not counted`);
      const store = SummaryStore.load(summaryStoreFile(options.paths));
      const facts = await readGoplotFacts({
        config,
        now,
        procDir: options.procDir,
        mountinfoPath: options.mountinfoPath ?? mountinfoPathFrom(env),
        plotFiles: (plotsDir) => storedPlotFiles(store, plotsDir, now()),
      });
      logInvalidChanges(log, facts.invalid, wasInvalid);
      let outcomes: OutcomeFacts | null = null;
      try {
        outcomes = { outcomes: readPlotOutcomes(options.paths), plotter: config.get('plotter') };
        facts.values.push({ name: 'plot_outcomes', present: true });
      } catch (error) {
        // the next tractor to end a plot sets the bad file aside and counts afresh
        facts.values.push({ name: 'plot_outcomes', present: false, why: errorMessage(error) });
      }
      const registry = buildGoplotRegistry(facts, outcomes);
      addPlotInventoryMetrics(registry, inventory, config.get('replot_removed'));
      facts.values.push(...(await addMigration(registry, config, env, now(), log)));
      return { ok: true, registry, values: facts.values };
    },
  });
}

/**
 * The phase-out metrics. A height no source gives leaves them out: a plotter with no node and no
 * chain_height is the usual case, neither a failed scrape nor news for the log (`goplot migrate`
 * says why it has no height).
 */
async function addMigration(
  registry: Parameters<typeof addMigrationMetrics>[0],
  config: ConfigReader,
  env: NodeJS.ProcessEnv,
  nowMs: number,
  log: DeferredLog,
): Promise<CollectedValue[]> {
  try {
    // getfarm's fresh height first: it already asked chia this minute, and a second `chia show -s`
    // is a Python start (1-2 s of CPU) every minute for the same number
    const migration = await readMigration(config, env, nowMs, {
      rpcTimeoutMs: 5000,
      cliTimeoutMs: 15_000,
      fromGetfarm: true,
    });
    addMigrationMetrics(registry, migration);
    return migration.height.height === null ? [] : [{ name: 'chain_height', present: true }];
  } catch (error) {
    log.addOnce('warn', `the phase-out metrics were left out: ${errorMessage(error)}`);
    return [];
  }
}

/** New problems are said once; a value that was invalid in the last file and is fine now is said too. */
function logInvalidChanges(log: DeferredLog, invalid: InvalidValue[], wasInvalid: Set<string>): void {
  for (const value of invalid) {
    if (!wasInvalid.has(value.name)) log.add('warn', value.problem);
  }
  const nowInvalid = new Set<string>(invalid.map((value) => value.name));
  for (const name of wasInvalid) {
    if (!nowInvalid.has(name)) log.add('info', `config/${name}.goplot: valid again`);
  }
}

/** Which values the last written file marked invalid: the file is this cron job's only memory. */
function readInvalidNames(promFile: string): Set<string> {
  let text: string;
  try {
    text = fs.readFileSync(promFile, 'utf8');
  } catch {
    return new Set();
  }
  return new Set([...text.matchAll(/^goplot_config_value_invalid\{name="(\w+)"\} 1$/gm)].map((match) => match[1]!));
}
