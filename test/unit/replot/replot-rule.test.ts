import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import type { PlotHeader } from '../../../lib/plot-file/plot-header.js';
import { parseReplotRule, ruleMatches, RULE_SYNTAX, type ReplotRule } from '../../../lib/replot/replot-rule.js';
import { makeTempHome } from '../../helpers/temp-home.js';

function rule(text: string): ReplotRule {
  const parsed = parseReplotRule(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.expected);
  return parsed.rule;
}

function refused(text: string): string {
  const parsed = parseReplotRule(text);
  assert.equal(parsed.ok, false, `${text} should be refused`);
  return parsed.ok ? '' : parsed.expected;
}

const header = (over: Partial<PlotHeader>): PlotHeader => ({
  pos: 1,
  format: 'v1',
  plotId: 'ab'.repeat(32),
  k: 32,
  compression: 0,
  kind: 'solo',
  memoBytes: 128,
  headerBytes: 268,
  ...over,
});

describe('replot_match', () => {
  it('takes none and any combination of conditions, in any order, written canonically', () => {
    assert.deepEqual(rule('none'), { text: 'none', any: false });
    assert.equal(rule('kind=solo').text, 'kind=solo');
    assert.equal(
      rule('before=2024-01-01   k=32 compression<5 kind=pool').text,
      'kind=pool compression<5 k=32 before=2024-01-01',
    );
    assert.equal(rule('before=2024-01-01').beforeMs, new Date(2024, 0, 1).getTime());
  });

  it("takes pos=1 and pos=2 and matches a plot by its header's proof of space", () => {
    const pos1 = rule('kind=solo pos=1');
    assert.equal(pos1.text, 'pos=1 kind=solo');
    assert.equal(ruleMatches(pos1, header({ pos: 1 }), 0), true);
    assert.equal(ruleMatches(pos1, header({ pos: 1, format: 'bladebit', compression: 7 }), 0), true);
    assert.equal(ruleMatches(pos1, header({ pos: 2, format: 'pos2', k: 28 }), 0), false);
    assert.equal(ruleMatches(rule('pos=2'), header({ pos: 2, format: 'pos2', k: 28 }), 0), true);
    assert.equal(refused('pos=3'), `${RULE_SYNTAX} ("pos=3": pos is 1 or 2)`);
    assert.equal(refused('pos<2'), `${RULE_SYNTAX} ("pos<2": write pos=…)`);
    assert.equal(refused('pos=1 pos=2'), `${RULE_SYNTAX} (pos is given twice)`);
  });

  it('refuses a bad rule with the reason', () => {
    const why = (reason: string) => `${RULE_SYNTAX} (${reason})`;
    assert.equal(refused(''), why('it is empty'));
    assert.equal(refused('solo'), why('"solo" is not a condition'));
    assert.equal(refused('kind=og'), why('"kind=og": kind is solo or pool'));
    assert.equal(refused('compression=5'), why('"compression=5": write compression<…'));
    assert.equal(refused('k<33'), why('"k<33": write k=…'));
    assert.equal(refused('compression<0'), why('"compression<0": N is a whole number from 1 to 10'));
    assert.equal(refused('k=17'), why('"k=17": k is a whole number from 18 to 50'));
    assert.equal(refused('before=2024-02-30'), why('"before=2024-02-30": the date is YYYY-MM-DD'));
    assert.equal(refused('kind=solo kind=pool'), why('kind is given twice'));
    assert.equal(refused('none kind=solo'), why('"none" is not a condition'));
  });

  it('matches only plots for which every condition holds', () => {
    const soloOld = rule('kind=solo');
    assert.equal(ruleMatches(soloOld, header({ kind: 'solo' }), 0), true);
    assert.equal(ruleMatches(soloOld, header({ kind: 'pool' }), 0), false);
    const belowC5 = rule('compression<5');
    assert.deepEqual(
      [0, 4, 5, 7].map((c) => ruleMatches(belowC5, header({ compression: c }), 0)),
      [true, true, false, false],
    );
    const all = rule('kind=pool compression<3 k=32 before=2024-01-01');
    const jan1 = new Date(2024, 0, 1).getTime();
    assert.equal(ruleMatches(all, header({ kind: 'pool', compression: 2 }), jan1 - 1), true);
    assert.equal(ruleMatches(all, header({ kind: 'pool', compression: 2 }), jan1), false);
    assert.equal(ruleMatches(all, header({ kind: 'pool', compression: 2, k: 33 }), 0), false);
    assert.equal(ruleMatches(rule('none'), header({}), 0), false);
  });

  it('is a value file: an invalid rule is named with the file and the safe value used instead', () => {
    const home = makeTempHome();
    try {
      const said: string[] = [];
      const config = new ConfigReader(home, (_level, message) => said.push(message));
      assert.equal(config.get('replot_match'), 'none');
      assert.equal(config.get('replot'), 'off');
      home.set('replot_match', 'compression<5   kind=solo');
      assert.equal(config.get('replot_match'), 'kind=solo compression<5');
      home.set('replot_match', 'kind=og');
      assert.equal(config.get('replot_match'), 'kind=solo compression<5');
      assert.equal(
        said.at(-1),
        `${home.configDir}/replot_match.goplot: invalid value "kind=og" (expected ${RULE_SYNTAX} ("kind=og": kind is solo or pool)); using kind=solo compression<5 (the last good value)`,
      );
      home.set('replot', 'yes');
      assert.equal(config.get('replot'), 'off');
      assert.equal(
        said.at(-1),
        `${home.configDir}/replot.goplot: invalid value "yes" (expected one of off, on); using off (the default)`,
      );
    } finally {
      home.cleanup();
    }
  });
});
