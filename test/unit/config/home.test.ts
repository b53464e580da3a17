import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT, packageRootAbove } from '../../../lib/config/home.js';

describe('the package root', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-root-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is the nearest folder above with a package.json, from lib/config/ as from a bundled entry in scripts/', () => {
    const pkg = path.join(root, 'pkg');
    for (const dir of ['lib/config', 'scripts']) fs.mkdirSync(path.join(pkg, dir), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), '{}\n');
    assert.equal(packageRootAbove(path.join(pkg, 'lib', 'config')), pkg);
    assert.equal(packageRootAbove(path.join(pkg, 'scripts')), pkg);
  });

  it('is two folders above lib/config/ when no folder above has a package.json', () => {
    const bare = path.join(root, 'bare', 'lib', 'config');
    fs.mkdirSync(bare, { recursive: true });
    // os.tmpdir() and / hold no package.json on a test machine; the walk ends at /
    assert.equal(packageRootAbove(bare), path.join(root, 'bare'));
  });

  it("is this checkout's root, where its package.json is", () => {
    assert.equal(JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).name, 'goplot-ts');
  });
});
