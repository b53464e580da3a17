import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { execa } from 'execa';
import which from 'which';
import {
  buildDashboard,
  DASHBOARD_FILE,
  DASHBOARD_METRICS,
  dashboardJson,
  dashboardQueries,
  metricNamesIn,
  substituteVariables,
} from '../../dashboard/build-dashboard.js';
import { PANEL_TYPES, type Panel } from '../../dashboard/panels-kit.js';
import { builtScript, waitFor } from '../helpers/temp-home.js';
import { freePort } from '../helpers/prometheus.js';
import { testRules } from '../helpers/promtool.js';

const dashboard = buildDashboard();
const panels = dashboard.panels;
const templating = (
  dashboard.templating as { list: { type: string; name: string; query: string; datasource?: unknown }[] }
).list;
const annotations = (
  dashboard.annotations as {
    list: {
      name: string;
      enable: boolean;
      datasource: { type: string };
      target?: { type: string; tags: string[]; matchAny: boolean };
    }[];
  }
).list;

describe('the Grafana dashboard', () => {
  test('the committed dashboard/goplot.json is a fresh build (run npm run dashboard after a change)', () => {
    assert.equal(fs.readFileSync(DASHBOARD_FILE, 'utf8'), dashboardJson());
  });

  test('every panel has a current type, and the dashboard uses timeseries, stat, gauge and table', () => {
    for (const panel of panels)
      assert.ok((PANEL_TYPES as readonly string[]).includes(panel.type), `${panel.title}: ${panel.type}`);
    assert.deepEqual([...new Set(panels.map((p) => p.type))].sort(), ['gauge', 'row', 'stat', 'table', 'timeseries']);
  });

  test('panel ids are unique and the panels sit on the 24-column grid without overlapping', () => {
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
    const taken = new Set<string>();
    for (const { title, gridPos } of panels) {
      assert.ok(gridPos.x >= 0 && gridPos.x + gridPos.w <= 24, `${title} leaves the grid`);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          assert.ok(!taken.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`);
          taken.add(`${x},${y}`);
        }
      }
    }
  });

  test('every query uses the datasource variable and only variables the dashboard defines', () => {
    const defined = new Set(templating.map((v) => v.name));
    const queried = panels.filter((p: Panel) => p.type !== 'row');
    for (const panel of queried) {
      assert.ok(panel.targets && panel.targets.length > 0, `${panel.title} has no query`);
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets) {
        assert.deepEqual(target.datasource, { type: 'prometheus', uid: '${datasource}' });
        for (const [, name] of target.expr.matchAll(/\$(\w+)/g)) {
          assert.ok(
            defined.has(name!) || name === '__rate_interval' || /^\d+$/.test(name!),
            `${panel.title}: unknown variable $${name}`,
          );
        }
      }
    }
  });

  test('a prometheus datasource variable, a role variable, and host variables for farmer, plotter and harvester instances of the role', () => {
    assert.deepEqual(
      templating.map((v) => [v.type, v.name, v.query]),
      [
        ['datasource', 'datasource', 'prometheus'],
        ['query', 'role', 'label_values(up, role)'],
        ['query', 'farmer', 'label_values(farm_farmer_farmstatus{role=~"$role"}, instance)'],
        ['query', 'plotter', 'label_values(goplot_running_plots{role=~"$role"}, instance)'],
        ['query', 'harvester', 'label_values(farm_harvester_status{role=~"$role"}, instance)'],
      ],
    );
    const all = templating as { name: string; allValue?: string }[];
    assert.equal(all.find((v) => v.name === 'role')?.allValue, '.*', 'All roles takes hosts without a role label too');
    for (const host of ['farmer', 'plotter', 'harvester']) {
      assert.equal(
        all.find((v) => v.name === host)?.allValue,
        undefined,
        `${host}: All is the list of hosts, so the annotation tags get host names`,
      );
    }
  });

  test('plot regions of the chosen plotters by their host tag, and of all hosts by event (off by default)', () => {
    assert.deepEqual(
      annotations
        .filter((a) => a.target)
        .map((a) => [a.name, a.enable, a.datasource.type, a.target!.type, a.target!.tags, a.target!.matchAny]),
      [
        ['Plots on the chosen plotters', true, 'grafana', 'tags', ['$plotter'], true],
        ['Plots running (all hosts)', false, 'grafana', 'tags', ['goplot', 'plot_start'], false],
        ['Plots finished (all hosts)', false, 'grafana', 'tags', ['goplot', 'plot_end'], false],
        ['Plots failed (all hosts)', false, 'grafana', 'tags', ['goplot', 'plot_fail'], false],
      ],
    );
  });

  test('a Migration row: effective space by pos against the phase-out line, and the rate made against the rate needed', () => {
    const start = panels.findIndex((p) => p.type === 'row' && p.title === 'Migration');
    assert.ok(start >= 0, 'no Migration row');
    const end = panels.findIndex((p, i) => i > start && p.type === 'row');
    const row = panels.slice(start + 1, end === -1 ? undefined : end);
    const exprs = (title: string) => row.find((p) => p.title === title)?.targets?.map((t) => t.expr) ?? [];
    assert.deepEqual(exprs('Effective space by pos against the phase-out line'), [
      'sum by (instance, pos) (goplot_farm_effective_bytes{instance=~"$plotter"})',
      'sum by (instance) (goplot_farm_effective_bytes{instance=~"$plotter"})',
      'sum by (instance) (goplot_farm_effective_no_replot_bytes{instance=~"$plotter"})',
    ]);
    assert.deepEqual(exprs('Replot rate: made against needed (pos2 plots a day)'), [
      'goplot_migrate_measured_plots_per_day{instance=~"$plotter"}',
      'goplot_migrate_needed_plots_per_day{instance=~"$plotter",deadline="target"}',
      'goplot_migrate_needed_plots_per_day{instance=~"$plotter",deadline="zero"}',
    ]);
    assert.deepEqual(exprs('pos1 weight'), ['goplot_pos1_weight{instance=~"$plotter"}']);
  });

  test("DASHBOARD_METRICS lists exactly the metrics the queries use, goplot's kept names among them", () => {
    const used = new Set(dashboardQueries().flatMap((q) => metricNamesIn(q.expr)));
    assert.deepEqual([...used].sort(), [...DASHBOARD_METRICS].sort());
    for (const kept of [
      'goplot_running_plots',
      'goplot_config_ontoggle',
      'goplot_config_maxplots',
      'goplot_config_loadmax',
      'farm_harvester_status',
      'farm_harvester_plots_eligible',
      'farm_harvester_proofs_found',
      'farm_fullnode_syncstatus',
      'farm_farmer_farmstatus',
      'farm_fullnode_difficulty',
      'farm_xch_farmed',
      'farm_plot_count',
    ]) {
      assert.ok(used.has(kept), kept);
    }
  });

  test('metricNamesIn skips functions, keywords, labels and strings', () => {
    assert.deepEqual(
      metricNamesIn(
        'histogram_quantile(0.9, sum by (le, instance) (rate(a_bucket{instance=~"$h"}[$__rate_interval]))) / on(instance) group_left b or label_replace(c, "x", "$1", "y", "(.+)")',
      ),
      ['a_bucket', 'b', 'c'],
    );
    assert.equal(
      substituteVariables('rate(x{instance=~"$plotter|$farmer",role=~"$role"}[$__rate_interval])'),
      'rate(x{instance=~".+|.+",role=~".*"}[5m])',
    );
  });

  test('npm run dashboard --check passes on the committed file and fails on a stale one', async () => {
    const ok = await execa('node', [builtScript('dashboard/build-dashboard.js'), '--check'], {
      reject: false,
      timeout: 30_000,
    });
    assert.equal(ok.exitCode, 0, String(ok.stderr));
    const stale = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-dash-')), 'goplot.json');
    fs.writeFileSync(stale, '{}\n');
    const bad = await execa('node', [builtScript('dashboard/build-dashboard.js'), '--check', '--out', stale], {
      reject: false,
      timeout: 30_000,
    });
    assert.equal(bad.exitCode, 1);
    assert.equal(bad.stderr, `${stale} is out of date: run npm run dashboard`);
    fs.rmSync(path.dirname(stale), { recursive: true, force: true });
  });
});

/**
 * promtool's promql_expr_test: `expr` over made-up series (`[series, values]` in promtool's
 * notation, one point a minute from time 0), expecting exactly `samples` at each eval time.
 */
async function promqlTest(
  expr: string,
  series: string[][],
  evals: { at: string; samples: [string, number][] }[],
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-dash-expr-'));
  fs.writeFileSync(
    path.join(dir, 'panel.test.yml'),
    [
      'rule_files: []',
      'evaluation_interval: 1m',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      ...series.flatMap(([name, values]) => [`      - series: '${name}'`, `        values: '${values}'`]),
      '    promql_expr_test:',
      ...evals.flatMap(({ at, samples }) => [
        `      - expr: ${JSON.stringify(expr)}`,
        `        eval_time: ${at}`,
        '        exp_samples:',
        ...samples.flatMap(([labels, value]) => [`          - labels: '${labels}'`, `            value: ${value}`]),
      ]),
      '',
    ].join('\n'),
  );
  const tested = await testRules(['panel.test.yml'], dir);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.ok(tested.ok, tested.output);
}

const panelExpr = (title: string, type: string) =>
  substituteVariables(panels.find((p) => p.title === title && p.type === type)!.targets![0]!.expr);
const PROM_DIR = '/var/lib/prometheus/node-exporter';

describe('status panels that read file ages, evaluated by promtool on made-up series', () => {
  test('Harvester: up or down from farm_harvester_status while harvesterlog.prom is fresh, stale (-1) once it is over 120 s old', async () => {
    // h1: up and writing; h2: down and writing; h3: up, but harvesterlog was killed at 5 min (its file stops changing)
    await promqlTest(
      panelExpr('Harvester', 'stat'),
      [
        ['farm_harvester_status{instance="h1"}', '1x20'],
        [`node_textfile_mtime_seconds{instance="h1",file="${PROM_DIR}/harvesterlog.prom"}`, '0+60x20'],
        ['farm_harvester_status{instance="h2"}', '0x20'],
        ['node_textfile_mtime_seconds{instance="h2",file="harvesterlog.prom"}', '0+60x20'],
        ['farm_harvester_status{instance="h3"}', '1x20'],
        [`node_textfile_mtime_seconds{instance="h3",file="${PROM_DIR}/harvesterlog.prom"}`, '0+60x5 300x15'],
        [`node_textfile_mtime_seconds{instance="h3",file="${PROM_DIR}/goplot.prom"}`, '0+60x20'],
      ],
      [
        // a fresh file keeps farm_harvester_status's own series (and name); a stale one gets a nameless -1
        {
          at: '6m',
          samples: [
            ['farm_harvester_status{instance="h1"}', 1],
            ['farm_harvester_status{instance="h2"}', 0],
            ['farm_harvester_status{instance="h3"}', 1],
          ],
        },
        {
          at: '10m',
          samples: [
            ['farm_harvester_status{instance="h1"}', 1],
            ['farm_harvester_status{instance="h2"}', 0],
            ['{instance="h3"}', -1],
          ],
        },
      ],
    );
  });

  test("Collector health: ok or failing while the collector's file is fresh, stale (-1) when it is older than its writer allows", async () => {
    // goplot writes; getfarm writes but fails; getharvester's cron line is gone at 5 min; harvesterlog killed at 10 min
    await promqlTest(
      panelExpr('Collector health', 'table'),
      [
        ['goplot_collector_success{instance="a"}', '1x30'],
        [`node_textfile_mtime_seconds{instance="a",file="${PROM_DIR}/goplot.prom"}`, '0+60x30'],
        ['getfarm_collector_success{instance="a"}', '0x30'],
        [`node_textfile_mtime_seconds{instance="a",file="${PROM_DIR}/getfarm.prom"}`, '0+60x30'],
        ['getharvester_collector_success{instance="a"}', '1x30'],
        ['node_textfile_mtime_seconds{instance="a",file="getharvester.prom"}', '0+60x5 300x25'],
        ['harvesterlog_collector_success{instance="a"}', '1x30'],
        [`node_textfile_mtime_seconds{instance="a",file="${PROM_DIR}/harvesterlog.prom"}`, '0+60x10 600x20'],
        ['node_scrape_collector_success{instance="a",collector="textfile"}', '1x30'],
      ],
      [
        // a fresh file keeps the success series (and its name, which the table hides); a stale one gets a nameless -1
        {
          at: '13m',
          samples: [
            ['goplot_collector_success{instance="a",collector="goplot"}', 1],
            ['getfarm_collector_success{instance="a",collector="getfarm"}', 0],
            ['getharvester_collector_success{instance="a",collector="getharvester"}', 1],
            ['{instance="a",collector="harvesterlog"}', -1],
          ],
        },
        {
          at: '20m',
          samples: [
            ['goplot_collector_success{instance="a",collector="goplot"}', 1],
            ['getfarm_collector_success{instance="a",collector="getfarm"}', 0],
            ['{instance="a",collector="getharvester"}', -1],
            ['{instance="a",collector="harvesterlog"}', -1],
          ],
        },
      ],
    );
  });
});

describe('the dashboard queries in a real Prometheus', () => {
  let prometheus: ChildProcess | undefined;
  let dataDir: string | undefined;
  after(() => {
    prometheus?.kill('SIGKILL');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('every query parses and evaluates (an empty result is fine)', async () => {
    // A missing Prometheus fails the test: the check is the point (.ci/run installs it).
    const binary = which.sync('prometheus', { nothrow: true });
    assert.ok(
      binary,
      "prometheus is not on PATH: it is in Debian's prometheus package (apt-get install -y prometheus)",
    );
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-prom-'));
    fs.writeFileSync(path.join(dataDir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    const port = await freePort();
    prometheus = spawn(
      binary,
      [
        `--config.file=${path.join(dataDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dataDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=error',
      ],
      { stdio: 'ignore' },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      'prometheus to be ready',
      async () => (await fetch(`${base}/-/ready`).catch(() => null))?.ok,
      20_000,
      100,
    );
    const problems: string[] = [];
    for (const { panel, refId, promql } of dashboardQueries()) {
      const answer = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: promql })}`);
      const body = (await answer.json()) as { status: string; error?: string };
      if (body.status !== 'success') problems.push(`${panel} ${refId}: ${body.error} in ${promql}`);
    }
    assert.deepEqual(problems, []);
  });
});
