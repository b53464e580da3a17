import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { describeRules, replotRulesInForce, rulesForFarm } from '../../../lib/replot/rules-in-force.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';

let home: TempHome;
beforeEach(() => {
  home = makeTempHome('goplot-rules-');
});
afterEach(() => home.cleanup());

function job(name: string, values: Record<string, string>): void {
  const dir = path.join(home.configDir, 'jobs', name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, value] of Object.entries(values)) fs.writeFileSync(path.join(dir, `${file}.goplot`), `${value}\n`);
}

const summary = () =>
  replotRulesInForce(new ConfigReader(home)).map((entry) => [entry.job, entry.rule.text, entry.farms]);

describe('the replot rules in force', () => {
  it('are the global one without jobs, and none while it is off or matches nothing', () => {
    assert.deepEqual(summary(), []);
    home.set('replot', 'on');
    assert.deepEqual(summary(), [], 'replot_match none');
    home.set('replot_match', 'kind=solo');
    assert.deepEqual(summary(), [[null, 'kind=solo', null]]);
    home.set('dest_farms', 'farm1 farm2');
    assert.deepEqual(summary(), [[null, 'kind=solo', ['farm1', 'farm2']]]);
  });

  it("are each job's own, or the global values it falls back on, over its dest_farms", () => {
    home.set('replot_match', 'kind=solo');
    job('c5', { replot: 'on', replot_match: 'compression<5', dest_farms: 'farm1' });
    job('plain', {});
    job('pool', { replot: 'on', dest_farms: 'farm2' });
    assert.deepEqual(summary(), [
      ['c5', 'compression<5', ['farm1']],
      ['pool', 'kind=solo', ['farm2']],
    ]);
    home.set('replot', 'on');
    const rules = replotRulesInForce(new ConfigReader(home));
    assert.deepEqual(
      rules.map((entry) => entry.job),
      ['c5', 'plain', 'pool'],
    );
    assert.equal(describeRules(rulesForFarm(rules, 'farm1')), 'job c5: compression<5; job plain: kind=solo');
    assert.equal(describeRules(rulesForFarm(rules, 'farm3')), 'job plain: kind=solo');
  });
});
