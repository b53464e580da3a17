#!/usr/bin/env node
/**
 * Generates dashboard/goplot.json: `npm run dashboard` (tsc, then node dashboard/build-dashboard.js).
 * Plain typed objects rather than @grafana/grafana-foundation-sdk: see dashboard/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { farmRpcPanels } from './panels-chia-rpc.js';
import { diskPanels } from './panels-disks.js';
import { farmPanels, healthPanels } from './panels-farm.js';
import { harvesterPanels } from './panels-harvester.js';
import { layOut, PROMETHEUS, type Panel } from './panels-kit.js';
import { plottingPanels } from './panels-plotting.js';
import { replotPanels } from './panels-replot.js';
import { migrationPanels } from './panels-migration.js';

export const DASHBOARD_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'goplot.json');

/** Every metric the dashboard queries, for the lead to cross-check against the collectors. */
export const DASHBOARD_METRICS = [
  'goplot_config_ontoggle',
  'goplot_config_maxplots',
  'goplot_config_loadmax',
  'goplot_config_plotpoll_seconds',
  'goplot_config_plot_gap_seconds',
  'goplot_running_plots',
  'goplot_failures',
  'goplot_last_start_timestamp_seconds',
  'goplot_plot_progress_ratio',
  'goplot_plot_phase',
  'goplot_plots_started_total',
  'goplot_plots_finished_total',
  'goplot_plots_failed_total',
  'goplot_plot_duration_seconds_sum',
  'goplot_plot_duration_seconds_count',
  'goplot_plot_duration_seconds_bucket',
  'goplot_plot_phase_duration_seconds_sum',
  'goplot_plot_phase_duration_seconds_count',
  'goplot_disk_free_bytes',
  'goplot_disk_committed_bytes',
  'goplot_disk_state',
  'goplot_plots',
  'goplot_plots_replot_remaining',
  'goplot_plots_invalid',
  'goplot_plots_bytes',
  'goplot_plot_group_files',
  'goplot_plots_not_read',
  'goplot_plot_meta_groups',
  'goplot_plots_dir_readable',
  'goplot_farm_effective_bytes',
  'goplot_farm_effective_no_replot_bytes',
  'goplot_migrate_measured_plots_per_day',
  'goplot_migrate_needed_plots_per_day',
  'goplot_pos1_weight',
  'goplot_migrate_finish_timestamp_seconds',
  'node_load5',
  'node_load15',
  'node_textfile_scrape_error',
  'node_textfile_mtime_seconds',
  'farm_harvester_status',
  'farm_harvester_last_challenge_timestamp_seconds',
  'farm_harvester_plots',
  'farm_harvester_proofs_total',
  'farm_harvester_slow_lookups_total',
  'farm_harvester_challenges_total',
  'farm_harvester_plots_eligible',
  'farm_harvester_eligible_plots_total',
  'farm_harvester_proofs_found',
  'farm_harvester_lookup_seconds_bucket',
  'farm_fullnode_syncstatus',
  'farm_farmer_farmstatus',
  'farm_plot_count',
  'farm_plots_size_bytes',
  'farm_xch_farmed',
  'farm_expected_time_to_win_seconds',
  'farm_fullnode_netspace_bytes',
  'farm_plots_effective_size_bytes',
  'farm_fullnode_difficulty',
  'farm_farmer_last_signage_point_age_seconds',
  'farm_farmer_signage_points_received_total',
  'farm_wallet_synced',
  'farm_wallet_height',
  'farm_wallet_farmed_amount_mojos',
  'farm_wallet_last_height_farmed',
  'farm_pool_points_found_24h',
  'farm_pool_points_acknowledged_24h',
  'farm_pool_errors_24h',
  'farm_farmer_harvester_plots',
  'farm_farmer_harvester_plots_failed_to_open',
  'farm_farmer_harvester_plots_no_key',
  'farm_farmer_harvester_plots_duplicates',
  'farm_harvester_loaded_plots',
  'farm_local_plots',
  'farm_harvester_directory_loaded_plots',
] as const;

/** Metrics matched by name pattern (`{__name__=~"…"}`): one per collector. */
export const DASHBOARD_METRIC_PATTERNS = [
  '.+_collector_success',
  '.+_collector_last_success_timestamp_seconds',
] as const;

/**
 * The host drop-downs: the `instance` of every host that exports the metric, among the hosts of the
 * chosen `role` (the label prometheus/prometheus.yml gives each target; "All" also takes hosts
 * without one). No allValue: "All" then stands for the listed hosts one by one, which the plot
 * annotations need (their tag is the host, and a tag cannot be a regex).
 */
const HOST_VARIABLES = [
  { name: 'farmer', label: 'Farmer', metric: 'farm_farmer_farmstatus' },
  { name: 'plotter', label: 'Plotter', metric: 'goplot_running_plots' },
  { name: 'harvester', label: 'Harvester', metric: 'farm_harvester_status' },
] as const;

/** The roles prometheus.yml names, as they are written there (a host with two roles: `harvester,farmer`). */
const ROLE_VARIABLE_QUERY = 'label_values(up, role)';

/** `label_values(<selector>, <label>)` of every query variable, for end-to-end checks. */
export function variableSelectors(
  dashboard: Dashboard = buildDashboard(),
): { name: string; selector: string; label: string }[] {
  const list = (dashboard.templating as { list: { type: string; name: string; query: string }[] }).list;
  return list
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const match = /^label_values\((.+), (\w+)\)$/.exec(variable.query);
      if (!match) throw new Error(`variable ${variable.name}: not a label_values query: ${variable.query}`);
      return { name: variable.name, selector: match[1]!, label: match[2]! };
    });
}

const GRAFANA = { type: 'grafana', uid: '-- Grafana --' } as const;

export interface Dashboard {
  uid: string;
  title: string;
  [key: string]: unknown;
  panels: Panel[];
}

export function buildDashboard(): Dashboard {
  const tagAnnotation = (
    name: string,
    tags: string[],
    iconColor: string,
    options: { enable: boolean; matchAny: boolean },
  ) => ({
    name,
    datasource: GRAFANA,
    enable: options.enable,
    hide: false,
    iconColor,
    target: { type: 'tags', tags, limit: 500, matchAny: options.matchAny },
  });
  const allHosts = { enable: false, matchAny: false };
  return {
    id: null,
    uid: 'goplot',
    title: 'goplot: Chia plotting and farm',
    description:
      'goplot-ts: plots, disks, harvester and farm, from node_exporter textfile metrics. Generated by dashboard/build-dashboard.ts.',
    tags: ['goplot', 'chia'],
    editable: true,
    graphTooltip: 1,
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-24h', to: 'now' },
    timepicker: {},
    links: [],
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    annotations: {
      list: [
        {
          builtIn: 1,
          name: 'Annotations & Alerts',
          type: 'dashboard',
          datasource: GRAFANA,
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
        },
        // every plot region of the chosen plotters: tagged with its host name, which prometheus.yml makes the instance
        tagAnnotation('Plots on the chosen plotters', ['$plotter'], 'blue', { enable: true, matchAny: true }),
        tagAnnotation('Plots running (all hosts)', ['goplot', 'plot_start'], 'blue', allHosts),
        tagAnnotation('Plots finished (all hosts)', ['goplot', 'plot_end'], 'green', allHosts),
        tagAnnotation('Plots failed (all hosts)', ['goplot', 'plot_fail'], 'red', allHosts),
      ],
    },
    templating: {
      list: [
        {
          type: 'datasource',
          name: 'datasource',
          label: 'Data source',
          query: 'prometheus',
          current: {},
          hide: 0,
          includeAll: false,
          multi: false,
          options: [],
          refresh: 1,
          regex: '',
        },
        {
          type: 'query',
          name: 'role',
          label: 'Role',
          datasource: PROMETHEUS,
          query: ROLE_VARIABLE_QUERY,
          definition: ROLE_VARIABLE_QUERY,
          current: {},
          hide: 0,
          includeAll: true,
          allValue: '.*',
          multi: true,
          options: [],
          refresh: 2,
          regex: '',
          sort: 1,
        },
        ...HOST_VARIABLES.map(({ name, label, metric }) => ({
          type: 'query',
          name,
          label,
          datasource: PROMETHEUS,
          query: `label_values(${metric}{role=~"$role"}, instance)`,
          definition: `label_values(${metric}{role=~"$role"}, instance)`,
          current: {},
          hide: 0,
          includeAll: true,
          multi: true,
          options: [],
          refresh: 2,
          regex: '',
          sort: 1,
        })),
      ],
    },
    panels: layOut([
      ...plottingPanels(),
      ...diskPanels(),
      ...replotPanels(),
      ...migrationPanels(),
      ...harvesterPanels(),
      ...farmPanels(),
      ...farmRpcPanels(),
      ...healthPanels(),
    ]),
  };
}

export function dashboardJson(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}

export interface DashboardQuery {
  panel: string;
  refId: string;
  /** As written in the dashboard, with Grafana variables. */
  expr: string;
  /** The same with the variables replaced (hosts: all; $__rate_interval: 5m), for Prometheus itself. */
  promql: string;
}

export function dashboardQueries(dashboard: Dashboard = buildDashboard()): DashboardQuery[] {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      refId: target.refId,
      expr: target.expr,
      promql: substituteVariables(target.expr),
    })),
  );
}

export function substituteVariables(expr: string): string {
  return expr
    .replace(/\$(plotter|harvester|farmer)\b/g, '.+')
    .replace(/\$role\b/g, '.*')
    .replace(/\$__rate_interval\b/g, '5m');
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** Metric names in a PromQL expression: identifiers that are not functions, keywords or labels. */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter((match) => !match[2] && !PROMQL_WORDS.has(match[1]!.toLowerCase()))
    .map((match) => match[1]!);
  return [...new Set(names)];
}

async function main(): Promise<void> {
  const program = new Command()
    .name('build-dashboard')
    .description('Writes the Grafana dashboard goplot.json from code')
    .option('--out <file>', 'where to write it', DASHBOARD_FILE)
    .option('--check', 'write nothing; exit 1 when the file differs from a fresh build')
    .parse();
  const options = program.opts<{ out: string; check?: boolean }>();
  const fresh = dashboardJson();
  if (options.check) {
    const current = fs.existsSync(options.out) ? fs.readFileSync(options.out, 'utf8') : '';
    if (current !== fresh) {
      console.error(`${options.out} is out of date: run npm run dashboard`);
      process.exitCode = 1;
    }
    return;
  }
  fs.writeFileSync(options.out, fresh);
  console.log(`wrote ${options.out} (${buildDashboard().panels.length} panels)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
