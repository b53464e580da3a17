import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { execa } from 'execa';
import which from 'which';
import {
  buildDashboard, DASHBOARD_FILE, DASHBOARD_METRICS, dashboardJson, dashboardQueries, metricNamesIn, substituteVariables,
} from '../../dashboard/build-dashboard.js';
import { PANEL_TYPES, type Panel } from '../../dashboard/panels-kit.js';
import { builtScript, waitFor } from '../helpers/temp-home.js';
import { freePort } from '../helpers/prometheus.js';

const dashboard = buildDashboard();
const panels = dashboard.panels;
const templating = (dashboard.templating as { list: { type: string; name: string; query: string; datasource?: unknown }[] }).list;
const annotations = (dashboard.annotations as { list: { name: string; datasource: { type: string }; target?: { type: string; tags: string[] } }[] }).list;

describe('the Grafana dashboard', () => {
  test('the committed dashboard/goplot.json is a fresh build (run npm run dashboard after a change)', () => {
    assert.equal(fs.readFileSync(DASHBOARD_FILE, 'utf8'), dashboardJson());
  });

  test('every panel has a current type, and the dashboard uses timeseries, stat, gauge and table', () => {
    for (const panel of panels) assert.ok((PANEL_TYPES as readonly string[]).includes(panel.type), `${panel.title}: ${panel.type}`);
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
          assert.ok(defined.has(name!) || name === '__rate_interval' || /^\d+$/.test(name!), `${panel.title}: unknown variable $${name}`);
        }
      }
    }
  });

  test('a prometheus datasource variable and host variables for farmer, plotter and harvester instances', () => {
    assert.deepEqual(templating.map((v) => [v.type, v.name, v.query]), [
      ['datasource', 'datasource', 'prometheus'],
      ['query', 'farmer', 'label_values(farm_farmer_farmstatus, instance)'],
      ['query', 'plotter', 'label_values(goplot_running_plots, instance)'],
      ['query', 'harvester', 'label_values(farm_harvester_status, instance)'],
    ]);
  });

  test('plot regions are shown from the Grafana annotations tagged goplot and their event', () => {
    assert.deepEqual(annotations.filter((a) => a.target).map((a) => [a.name, a.datasource.type, a.target!.type, a.target!.tags]), [
      ['Plots running', 'grafana', 'tags', ['goplot', 'plot_start']],
      ['Plots finished', 'grafana', 'tags', ['goplot', 'plot_end']],
      ['Plots failed', 'grafana', 'tags', ['goplot', 'plot_fail']],
    ]);
  });

  test('DASHBOARD_METRICS lists exactly the metrics the queries use, goplot\'s kept names among them', () => {
    const used = new Set(dashboardQueries().flatMap((q) => metricNamesIn(q.expr)));
    assert.deepEqual([...used].sort(), [...DASHBOARD_METRICS].sort());
    for (const kept of ['goplot_running_plots', 'goplot_config_ontoggle', 'goplot_config_maxplots', 'goplot_config_loadmax', 'goplot_config_plotpoll',
      'goplot_config_plot_gap', 'farm_harvester_status', 'farm_harvester_plots_eligible', 'farm_harvester_proofs_found', 'farm_fullnode_syncstatus',
      'farm_farmer_farmstatus', 'farm_fullnode_difficulty', 'farm_xch_farmed', 'farm_plot_count']) {
      assert.ok(used.has(kept), kept);
    }
  });

  test('metricNamesIn skips functions, keywords, labels and strings', () => {
    assert.deepEqual(
      metricNamesIn('histogram_quantile(0.9, sum by (le, instance) (rate(a_bucket{instance=~"$h"}[$__rate_interval]))) / on(instance) group_left b or label_replace(c, "x", "$1", "y", "(.+)")'),
      ['a_bucket', 'b', 'c'],
    );
    assert.equal(substituteVariables('rate(x{instance=~"$plotter|$farmer"}[$__rate_interval])'), 'rate(x{instance=~".+|.+"}[5m])');
  });

  test('npm run dashboard --check passes on the committed file and fails on a stale one', async () => {
    const ok = await execa('node', [builtScript('dashboard/build-dashboard.js'), '--check'], { reject: false, timeout: 30_000 });
    assert.equal(ok.exitCode, 0, String(ok.stderr));
    const stale = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-dash-')), 'goplot.json');
    fs.writeFileSync(stale, '{}\n');
    const bad = await execa('node', [builtScript('dashboard/build-dashboard.js'), '--check', '--out', stale], { reject: false, timeout: 30_000 });
    assert.equal(bad.exitCode, 1);
    assert.equal(bad.stderr, `${stale} is out of date: run npm run dashboard`);
    fs.rmSync(path.dirname(stale), { recursive: true, force: true });
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
    assert.ok(binary, 'prometheus is not on PATH: it is in Debian\'s prometheus package (apt-get install -y prometheus)');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-prom-'));
    fs.writeFileSync(path.join(dataDir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    const port = await freePort();
    prometheus = spawn(binary, [
      `--config.file=${path.join(dataDir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=error',
    ], { stdio: 'ignore' });
    const base = `http://127.0.0.1:${port}`;
    await waitFor('prometheus to be ready', async () => (await fetch(`${base}/-/ready`).catch(() => null))?.ok, 20_000, 100);
    const problems: string[] = [];
    for (const { panel, refId, promql } of dashboardQueries()) {
      const answer = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: promql })}`);
      const body = (await answer.json()) as { status: string; error?: string };
      if (body.status !== 'success') problems.push(`${panel} ${refId}: ${body.error} in ${promql}`);
    }
    assert.deepEqual(problems, []);
  });
});

