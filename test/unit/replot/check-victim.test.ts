import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { whyNotRemovable } from '../../../lib/replot/check-victim.js';
import { listReplotCandidates, type ReplotSettings } from '../../../lib/replot/replot-candidates.js';
import { replotRuleOf } from '../../../lib/replot/replot-rule.js';
import { writePlotFile } from '../../helpers/plot-files.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-check-victim-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const soloRule: ReplotSettings = { on: true, rule: replotRuleOf('kind=solo') };

function oneCandidate(dir: string): ReturnType<typeof listReplotCandidates>[number] {
  const [candidate] = listReplotCandidates(dir, soloRule.rule);
  assert.ok(candidate, `a candidate in ${dir}`);
  return candidate;
}

describe('the re-check of an old plot just before its removal', () => {
  it('lets a matching valid plot inside plots/ go, unchanged since it was listed', () => {
    const plots = path.join(root, 'a', 'plots');
    writePlotFile(plots, { sizeBytes: 4096, mtime: new Date('2025-01-01T00:00:00Z') });
    assert.equal(whyNotRemovable(oneCandidate(plots), plots, soloRule), null);
  });

  it('refuses a plot changed since it was listed, rewritten with another header, or no longer a plot', () => {
    const plots = path.join(root, 'b', 'plots');
    const file = writePlotFile(plots, { sizeBytes: 4096, mtime: new Date('2025-01-01T00:00:00Z') });
    const listed = oneCandidate(plots);
    fs.truncateSync(file, 8192);
    fs.utimesSync(file, listed.mtimeMs / 1000, listed.mtimeMs / 1000);
    assert.equal(whyNotRemovable(listed, plots, soloRule), 'its size or mtime changed since it was listed');
    fs.writeFileSync(file, 'not a plot at all');
    assert.match(whyNotRemovable(listed, plots, soloRule) ?? '', /^it is not a valid plot file \(/);
    fs.rmSync(file);
    writePlotFile(plots, { kind: 'pool', sizeBytes: 4096 });
    fs.renameSync(fs.readdirSync(plots).map((name) => path.join(plots, name))[0], file);
    assert.equal(whyNotRemovable(listed, plots, soloRule), 'its header changed since it was listed');
  });

  it('refuses a plot outside the disk plots/, a link, and any plot when replot is off or the rule no longer matches', () => {
    const plots = path.join(root, 'c', 'plots');
    const elsewhere = path.join(root, 'c', 'other');
    writePlotFile(elsewhere, { sizeBytes: 4096 });
    const outside = oneCandidate(elsewhere);
    assert.equal(whyNotRemovable(outside, plots, soloRule), 'cannot check it (ENOENT)');
    fs.mkdirSync(plots, { recursive: true });
    assert.equal(whyNotRemovable(outside, plots, soloRule), `it is not inside ${plots}`);
    const link = path.join(plots, path.basename(outside.path));
    fs.symlinkSync(outside.path, link);
    assert.equal(whyNotRemovable({ ...outside, path: link }, plots, soloRule), 'it is not a regular file');
    fs.rmSync(link);
    fs.renameSync(outside.path, link);
    const inside = { ...outside, path: link };
    assert.equal(whyNotRemovable(inside, plots, soloRule), null);
    assert.equal(whyNotRemovable(inside, plots, { ...soloRule, on: false }), 'replot is off');
    assert.equal(
      whyNotRemovable(inside, plots, { on: true, rule: replotRuleOf('kind=pool') }),
      'replot_match (kind=pool) no longer matches it',
    );
  });
});
