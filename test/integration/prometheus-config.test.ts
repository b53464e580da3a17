import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import yaml from 'js-yaml';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { ALERTS_DIR, readAlerts, ruleFiles } from '../helpers/alert-rules.js';
import { missingBinaries, startNodeExporter, startPrometheusWithConfig, type Server } from '../helpers/prometheus.js';
import { checkConfig } from '../helpers/promtool.js';
import { waitFor } from '../helpers/temp-home.js';

const EXAMPLE = path.join(PACKAGE_ROOT, 'prometheus', 'prometheus.yml');
const ROLES = ['plotter', 'harvester', 'farmer'];

interface ScrapeConfig {
  job_name: string;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
  relabel_configs?: unknown[];
}

interface PrometheusConfig {
  global?: Record<string, string>;
  rule_files?: string[];
  scrape_configs: ScrapeConfig[];
}

const example = yaml.load(fs.readFileSync(EXAMPLE, 'utf8')) as PrometheusConfig;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-promyml-'));
const servers: Server[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the example prometheus/prometheus.yml', () => {
  it('passes promtool check config, which loads every rule file of prometheus/alerts through its glob', async () => {
    const checked = await checkConfig(EXAMPLE);
    assert.ok(checked.ok, checked.output);
    assert.match(checked.output, new RegExp(`SUCCESS: ${ruleFiles().length} rule files found`));
    for (const file of ruleFiles())
      assert.ok(
        checked.output.includes(`Checking ${path.relative(PACKAGE_ROOT, file)}`) ||
          checked.output.includes(`Checking ${file}`),
        checked.output,
      );
    // promtool counts the rules of each rule file on its own line
    const found = [...checked.output.matchAll(/SUCCESS: (\d+) rules found/g)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
    assert.equal(found, readAlerts().length, checked.output);
  });

  it('scrapes plotter, harvester and farmer hosts in the job the alerts expect, each target with its roles as a label', () => {
    const jobs = example.scrape_configs.map((config) => config.job_name);
    assert.deepEqual(jobs, ['goplot']);
    assert.ok(readAlerts(ALERTS_DIR).some((rule) => rule.expr.includes('up{job="goplot"}')));
    const groups = example.scrape_configs[0]!.static_configs;
    const roles = groups.flatMap((group) => (group.labels?.role ?? '').split(','));
    for (const role of roles) assert.ok(ROLES.includes(role), `unknown role ${role}`);
    assert.deepEqual([...new Set(roles)].sort(), [...ROLES].sort());
    assert.ok(
      groups.some((group) => group.labels?.role?.includes(',')),
      'one host shows how several roles are written',
    );
  });

  it(
    'gives real Prometheus targets the instance without the port and the role labels (its targets pointed at a real node_exporter)',
    { timeout: 90_000 },
    async () => {
      const missing = missingBinaries();
      assert.equal(missing, null, missing ?? '');
      const textDir = path.join(root, 'textfile');
      fs.mkdirSync(textDir);
      const nodeExporter = await startNodeExporter(textDir);
      servers.push(nodeExporter);
      const address = new URL(nodeExporter.url).host;
      const config: PrometheusConfig = structuredClone(example);
      config.global = { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
      config.rule_files = [path.join(ALERTS_DIR, '*.rules.yml')];
      // the example's groups and relabelling, each group with one target: this machine's node_exporter
      for (const group of config.scrape_configs[0]!.static_configs) group.targets = [address];
      const prometheus = await startPrometheusWithConfig(path.join(root, 'prometheus'), yaml.dump(config));
      servers.push(prometheus);
      const wanted = example.scrape_configs[0]!.static_configs.map((group) => group.labels?.role ?? '').sort();
      const series = await waitFor(
        'every role group to be scraped',
        async () => {
          const answer = await prometheus.query('up{job="goplot"} == 1');
          return answer.status === 'success' && answer.result.length === wanted.length ? answer.result : null;
        },
        30_000,
        200,
      );
      assert.deepEqual(
        series.map((s) => [s.metric.instance, s.metric.role]).sort(),
        wanted.map((role) => ['127.0.0.1', role]).sort(),
      );
      const rules = await prometheus.alertRules();
      assert.deepEqual(
        rules.map((rule) => rule.name).sort(),
        readAlerts()
          .map((rule) => rule.alert)
          .sort(),
        'the rule glob loads every alert',
      );
    },
  );
});
