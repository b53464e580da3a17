import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { PROMTOOL_MISSING } from '../helpers/promtool.js';

const ALERTS = path.join(PACKAGE_ROOT, 'prometheus', 'alerts');

async function promtool(args: string[]): Promise<{ ok: boolean; output: string }> {
  const result = await execa(process.env.PROMTOOL || 'promtool', args, {
    cwd: ALERTS,
    reject: false,
    all: true,
    timeout: 60_000,
  });
  if (result.code === 'ENOENT') throw new Error(PROMTOOL_MISSING);
  return { ok: result.exitCode === 0, output: (result.all ?? '').trim() };
}

describe('the chia RPC alert rules (prometheus/alerts/chia-rpc.rules.yml)', () => {
  it('pass promtool check rules and their unit tests', async () => {
    const check = await promtool(['check', 'rules', 'chia-rpc.rules.yml']);
    assert.equal(check.ok, true, check.output);
    assert.match(check.output, /SUCCESS: 3 rules found/);
    const test = await promtool(['test', 'rules', 'chia-rpc.rules.test.yml']);
    assert.equal(test.ok, true, test.output);
  });

  it('use only metrics getfarm writes, as docs/metrics.md lists them', () => {
    const rules = fs.readFileSync(path.join(ALERTS, 'chia-rpc.rules.yml'), 'utf8');
    const used = [...new Set([...rules.matchAll(/\bfarm_[a-z0-9_]+/g)].map((match) => match[0]))].filter(
      (name) => !name.endsWith('_code'),
    );
    assert.deepEqual(used.sort(), [
      'farm_farmer_last_signage_point_age_seconds',
      'farm_pool_errors_24h',
      'farm_pool_points_acknowledged_24h',
      'farm_pool_points_found_24h',
    ]);
    const documented = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'metrics.md'), 'utf8');
    for (const name of [...used, 'farm_pool_last_error_code']) assert.ok(documented.includes(`\`${name}\``), name);
  });
});
