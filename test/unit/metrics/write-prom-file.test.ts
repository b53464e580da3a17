import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { promDirProblem, writePromText } from '../../../lib/metrics/write-prom-file.js';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-prom-'));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the .prom writer', () => {
  it('refuses a missing prom_dir and makes nothing', () => {
    const dir = path.join(root, 'prom');
    const expected = `prom_dir ${dir} is not a directory (make it, or set config/prom_dir.goplot to node_exporter's --collector.textfile.directory)`;
    assert.equal(promDirProblem(dir), expected);
    assert.throws(() => writePromText(dir, 'goplot', 'goplot_running_plots 1\n'), { message: expected });
    assert.equal(fs.existsSync(dir), false);
  });

  it('refuses a prom_dir that is a file', () => {
    const file = path.join(root, 'prom');
    fs.writeFileSync(file, 'not a dir');
    assert.throws(() => writePromText(file, 'goplot', 'x 1\n'), {
      message: `prom_dir ${file} is not a directory (make it, or set config/prom_dir.goplot to node_exporter's --collector.textfile.directory)`,
    });
    assert.equal(fs.readFileSync(file, 'utf8'), 'not a dir');
  });

  it('replaces <name>.prom whole in an existing dir and leaves no temp file', () => {
    assert.equal(promDirProblem(root), null);
    writePromText(root, 'goplot', 'goplot_running_plots 1\n');
    const file = writePromText(root, 'goplot', 'goplot_running_plots 2\n');
    assert.equal(file, path.join(root, 'goplot.prom'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'goplot_running_plots 2\n');
    assert.deepEqual(fs.readdirSync(root), ['goplot.prom']);
  });
});
