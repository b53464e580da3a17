import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ALERTS_DIR, findUntestedAlerts, readAlerts, ruleFiles, ruleTestFiles } from '../helpers/alert-rules.js';
import { checkRules, testRules } from '../helpers/promtool.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-alerts-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the shipped Prometheus alert rules (prometheus/alerts)', () => {
  it('promtool check rules accepts every rule file', async () => {
    const files = ruleFiles();
    assert.ok(files.length >= 1, `no *.rules.yml in ${ALERTS_DIR}`);
    const checked = await checkRules(files);
    assert.ok(checked.ok, checked.output);
    assert.match(checked.output, /SUCCESS: \d+ rules found/);
  });

  it('promtool test rules passes every unit test file', async () => {
    const files = ruleTestFiles();
    assert.ok(files.length >= 1, `no *.rules.test.yml in ${ALERTS_DIR}`);
    const tested = await testRules(
      files.map((file) => path.basename(file)),
      ALERTS_DIR,
    );
    assert.ok(tested.ok, tested.output);
    assert.doesNotMatch(tested.output, /FAILED/);
  });

  it('the alerts the issue asks for are there, each with a for:, a severity and a summary and description', () => {
    const alerts = readAlerts();
    assert.deepEqual(alerts.map((rule) => rule.alert).sort(), [
      'ChiaPoolErrors',
      'ChiaPoolPointsNotAcknowledged',
      'ChiaSignagePointsStale', // chia-rpc.rules.yml
      'GoplotArchiveTargetDown', // archive.rules.yml
      'GoplotArchiveTargetsFull',
      'GoplotArchiverStopped',
      'GoplotCollectorFailing',
      'GoplotDiskReadOnly',
      'GoplotDiskUnmounted',
      'GoplotFarmingStopped',
      'GoplotFullNodeNotSynced',
      'GoplotHarvesterDown',
      'GoplotHarvesterlogStale',
      'GoplotHostDown',
      'GoplotMetricsStale',
      'GoplotMigrationBehind', // migration.rules.yml
      'GoplotNoDiskWithRoom',
      'GoplotPlotsFailing',
      'GoplotPlottingStalled',
      'GoplotPromFileUnreadable',
      'GoplotStagingDiskFilling', // archive.rules.yml
      'GoplotTempDirFilling',
    ]);
    for (const rule of alerts) {
      assert.match(rule.for ?? '', /^\d+[smh]$/, `${rule.alert}: for`);
      assert.match(rule.labels?.severity ?? '', /^(critical|warning)$/, `${rule.alert}: severity`);
      assert.ok((rule.annotations?.summary ?? '').length > 10, `${rule.alert}: summary`);
      assert.ok((rule.annotations?.description ?? '').length > 60, `${rule.alert}: description`);
    }
  });

  it('every alert in every rule file has a unit test that sees it fire and one that sees it stay quiet', () => {
    assert.deepEqual(findUntestedAlerts(), []);
  });

  it('an alert added to a new rule file without a test is reported, and so is one tested only firing', () => {
    const dir = path.join(scratch, 'alerts');
    fs.mkdirSync(dir);
    for (const file of [...ruleFiles(), ...ruleTestFiles()]) fs.copyFileSync(file, path.join(dir, path.basename(file)));
    fs.writeFileSync(
      path.join(dir, 'chia-rpc.rules.yml'),
      [
        'groups:',
        '  - name: chia-rpc',
        '    rules:',
        '      - alert: ChiaRpcDown',
        '        expr: chia_rpc_up == 0',
        '        for: 5m',
        '      - alert: ChiaRpcSlow',
        '        expr: chia_rpc_seconds > 5',
        '        for: 5m',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'chia-rpc.rules.test.yml'),
      [
        'rule_files: [chia-rpc.rules.yml]',
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        "      - series: 'chia_rpc_seconds'",
        "        values: '9x10'",
        '    alert_rule_test:',
        '      - eval_time: 10m',
        '        alertname: ChiaRpcSlow',
        '        exp_alerts:',
        '          - exp_labels: {}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(findUntestedAlerts(dir), [
      'ChiaRpcDown (chia-rpc.rules.yml): no unit test of it firing nor not firing',
      'ChiaRpcSlow (chia-rpc.rules.yml): no unit test of it not firing',
    ]);
  });
});
