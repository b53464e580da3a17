import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import {
  DEFAULT_POS2_TEMPLATE,
  expandPos2Template,
  parsePos2Template,
  templateMakesGroup,
} from '../../../lib/config/pos2-template.js';
import { planPos2Runs, type Pos2Group } from '../../../lib/plan/pos2-command.js';
import { makeTempHome } from '../../helpers/temp-home.js';

const VALUES = {
  chia_bin: '/usr/bin/chia',
  k: '28',
  strength: '3',
  count: '8',
  index: '0',
  meta_group: '48',
  temp: '/plot_temp/1',
  dest: '/farm/f1/d1/plots',
  threads: '16',
  farmer_key: 'aa'.repeat(48),
  pool_key: '',
  pool_contract: 'xch1contract',
  plot_id: 'ab'.repeat(32),
};

function group(template: string, groupSize: number): Pos2Group {
  return {
    plotter: 'chia-v2',
    template,
    chiaBin: '/opt/pos2/plotter',
    xchplot2Bin: 'xchplot2',
    k: 18,
    strength: 2,
    groupSize,
    firstIndex: 0,
    metaGroup: 33,
    tempDir: '/plot_temp/1/g',
    destDir: '/farm/f1/d1/plots',
    threads: 4,
    farmerKey: '',
    poolKey: '',
    poolContract: '',
  };
}

describe('the pos2 plotter template (plot_command_v2)', () => {
  it('splits on spaces into words, without a shell, and fills every placeholder', () => {
    const parsed = parsePos2Template('{chia_bin}  plots create2 -k {k} --strength {strength} -n {count} -d {dest}');
    assert.ok(parsed.ok);
    assert.deepEqual(expandPos2Template(parsed.words, VALUES), [
      '/usr/bin/chia',
      'plots',
      'create2',
      '-k',
      '28',
      '--strength',
      '3',
      '-n',
      '8',
      '-d',
      '/farm/f1/d1/plots',
    ]);
  });

  it('passes only the key options that are set in the default template', () => {
    const parsed = parsePos2Template(DEFAULT_POS2_TEMPLATE);
    assert.ok(parsed.ok);
    assert.deepEqual(expandPos2Template(parsed.words, VALUES).slice(3), [
      '--strength',
      '3',
      '-n',
      '8',
      '-d',
      '/farm/f1/d1/plots',
      '-f',
      'aa'.repeat(48),
      '-c',
      'xch1contract',
    ]);
  });

  it('fills a placeholder inside a word (--index={index})', () => {
    const parsed = parsePos2Template('{chia_bin} --index={index} --out={temp}/x');
    assert.ok(parsed.ok);
    assert.deepEqual(expandPos2Template(parsed.words, { ...VALUES, index: '5' }), [
      '/usr/bin/chia',
      '--index=5',
      '--out=/plot_temp/1/x',
    ]);
  });

  it('refuses a template naming an unknown placeholder, and says which', () => {
    assert.deepEqual(parsePos2Template('{chia_bin} plots create2 -n {count} --size {ksize}'), {
      ok: false,
      problem: '{ksize} is not a placeholder',
    });
    assert.deepEqual(parsePos2Template('{chia_bin} -d {dest'), { ok: false, problem: '{dest has an unclosed brace' });
  });

  it('knows a template without {count} makes one plot a run', () => {
    assert.equal(templateMakesGroup(['{chia_bin}', '-n', '{count}']), true);
    assert.equal(templateMakesGroup(['{chia_bin}', 'test', '{k}', '{plot_id}']), false);
  });

  it('runs a template without {count} once per plot, the index raised each time, with a new plot id each', () => {
    const runs = planPos2Runs(group('{chia_bin} test {k} {plot_id} {strength} {index} {meta_group}', 3));
    assert.ok(Array.isArray(runs));
    assert.deepEqual(
      runs.map((run) => [run.command, run.args[0], run.args[1], run.args[3], run.args[4], run.args[5], run.count]),
      [
        ['/opt/pos2/plotter', 'test', '18', '2', '0', '33', 1],
        ['/opt/pos2/plotter', 'test', '18', '2', '1', '33', 1],
        ['/opt/pos2/plotter', 'test', '18', '2', '2', '33', 1],
      ],
    );
    assert.equal(new Set(runs.map((run) => run.args[2])).size, 3);
    for (const run of runs) assert.match(run.args[2]!, /^[0-9a-f]{64}$/);
  });

  it('runs a template with {count} once for the whole group', () => {
    const runs = planPos2Runs(group('{chia_bin} plots create2 -n {count} --index {index} -d {dest}', 128));
    assert.ok(Array.isArray(runs));
    assert.deepEqual(
      runs.map((run) => [run.command, ...run.args]),
      [['/opt/pos2/plotter', 'plots', 'create2', '-n', '128', '--index', '0', '-d', '/farm/f1/d1/plots']],
    );
  });

  it('gives xchplot2 its own options: first index, meta group, strength, keys, output dir and --progress', () => {
    const runs = planPos2Runs({ ...group('', 10), plotter: 'xchplot2', farmerKey: 'bb', poolContract: 'xch1c' });
    assert.ok(Array.isArray(runs));
    assert.deepEqual(runs[0]!.command, 'xchplot2');
    assert.deepEqual(runs[0]!.args, [
      'plot',
      '-k',
      '18',
      '-n',
      '10',
      '-i',
      '0',
      '-g',
      '33',
      '-s',
      '2',
      '-f',
      'bb',
      '-c',
      'xch1c',
      '-o',
      '/farm/f1/d1/plots',
      '--progress',
    ]);
  });
});

describe('config/plot_command_v2.goplot', () => {
  const home = makeTempHome();
  after(() => home.cleanup());
  const read = () => {
    const lines: string[] = [];
    const value = new ConfigReader(home, (level, message) => lines.push(`${level}: ${message}`), {}).get(
      'plot_command_v2',
    );
    return { value, lines };
  };

  it("is chia's plots create2 with the keys that are set by default", () => {
    assert.equal(read().value, DEFAULT_POS2_TEMPLATE);
  });

  it('refuses an unknown placeholder when read, naming the file and the placeholder, and uses the default', () => {
    const file = path.join(home.configDir, 'plot_command_v2.goplot');
    fs.writeFileSync(file, '{chia_bin} plots create2 -n {count} -g {metagroup}\n');
    assert.deepEqual(read(), {
      value: DEFAULT_POS2_TEMPLATE,
      lines: [
        `warn: ${file}: invalid value "{chia_bin} plots create2 -n {count} -g {metagroup}" (expected a command template of words and placeholders; {metagroup} is not a placeholder (the placeholders: {chia_bin} {k} {strength} {count} {index} {meta_group} {temp} {dest} {threads} {farmer_key} {pool_key} {pool_contract} {plot_id})); using ${DEFAULT_POS2_TEMPLATE} (the default)`,
      ],
    });
  });
});
