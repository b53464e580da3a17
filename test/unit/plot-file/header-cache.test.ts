import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildPlotHeader, buildPos2Plot } from '../../../lib/plot-file/build-plot-header.js';
import { HeaderCache, headerCacheDir } from '../../../lib/plot-file/header-cache.js';
import { readPlotFileSync } from '../../../lib/plot-file/read-plot-file.js';
import { makeTempHome } from '../../helpers/temp-home.js';

const home = makeTempHome('goplot-hcache-');
after(() => home.cleanup());

function writePlot(dir: string, n: number): string {
  const plotId = n.toString(16).padStart(64, '0');
  const file = path.join(dir, `plot-k32-2026-01-01-00-00-${plotId}.plot`);
  fs.writeFileSync(file, buildPlotHeader({ format: 'v1', plotId, k: 32, compression: 0, kind: 'solo' }));
  return file;
}

const namesIn = (dir: string) => fs.readdirSync(dir).sort();
const cacheFiles = () => fs.readdirSync(headerCacheDir(home)).filter((name) => name.endsWith('.json'));

describe('the header cache', () => {
  const plotsDir = path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
  fs.mkdirSync(plotsDir, { recursive: true });

  it('reads each header once: a second run takes every one from the folder’s cache file', () => {
    for (let n = 0; n < 50; n++) writePlot(plotsDir, n);
    const first = HeaderCache.load(headerCacheDir(home));
    const facts = first.readDir(plotsDir, namesIn(plotsDir));
    assert.deepEqual(first.stats, { read: 50, cached: 0 });
    assert.equal(cacheFiles().length, 1);
    const second = HeaderCache.load(headerCacheDir(home));
    assert.deepEqual(second.readDir(plotsDir, namesIn(plotsDir)), facts);
    assert.deepEqual(second.stats, { read: 0, cached: 50 });
  });

  it('gives back every fact of a pos2 plot and of a refused file exactly as read', () => {
    const dir = path.join(home.farmRoot, 'farm1', 'disk2', 'plots');
    fs.mkdirSync(dir, { recursive: true });
    const plotId = 'ab'.repeat(32);
    const plot = buildPos2Plot({
      plotId,
      k: 28,
      strength: 3,
      plotIndex: 77,
      metaGroup: 201,
      memo: 'pool',
      chunkCount: 4,
      chunkBytes: 1000,
    });
    const named = path.join(dir, `plot-k28-${plotId}.plot2`);
    const renamed = path.join(dir, 'odd-name.plot2');
    for (const file of [named, renamed]) {
      fs.writeFileSync(file, plot.header);
      fs.truncateSync(file, plot.fileBytes);
    }
    const newer = buildPos2Plot({
      plotId,
      k: 28,
      strength: 0,
      plotIndex: 0,
      metaGroup: 0,
      memo: 'solo',
      chunkCount: 4,
      chunkBytes: 10,
      formatVersion: 9,
    });
    fs.writeFileSync(path.join(dir, 'newer.plot2'), newer.header);
    fs.writeFileSync(path.join(dir, 'group.gplot'), Buffer.alloc(4096));
    const names = namesIn(dir);
    const fresh = names.map((name) => readPlotFileSync(path.join(dir, name)));
    HeaderCache.load(headerCacheDir(home)).readDir(dir, names);
    const again = HeaderCache.load(headerCacheDir(home));
    assert.deepEqual(again.readDir(dir, names), fresh);
    assert.deepEqual(again.stats, { read: 0, cached: 4 });
  });

  it('reads a header again when the size or mtime changed, and drops files that are gone', () => {
    const files = namesIn(plotsDir).map((name) => path.join(plotsDir, name));
    fs.writeFileSync(files[0]!, 'not a plot any more');
    const stamp = new Date(2020, 0, 1);
    fs.utimesSync(files[1]!, stamp, stamp);
    fs.rmSync(files[2]!);
    const cache = HeaderCache.load(headerCacheDir(home));
    const facts = cache.readDir(plotsDir, namesIn(plotsDir));
    assert.deepEqual(cache.stats, { read: 2, cached: 47 });
    assert.equal(facts[0]!.ok, false);
    const file = cacheFiles()
      .map((name) => path.join(headerCacheDir(home), name))
      .find((name) => (JSON.parse(fs.readFileSync(name, 'utf8')) as { dir: string }).dir === plotsDir)!;
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as { files: Record<string, unknown> };
    assert.equal(Object.keys(cached.files).length, 49);
    assert.equal(path.basename(files[2]!) in cached.files, false);
  });

  it('answers one file at a time for replot, never caches an unreadable file, and survives a damaged cache file', () => {
    const files = namesIn(plotsDir).map((name) => path.join(plotsDir, name));
    const cache = HeaderCache.load(headerCacheDir(home));
    assert.equal(cache.factsOf(files[5]!).ok, true);
    assert.equal(cache.factsOf(path.join(plotsDir, 'gone.plot')).ok, false);
    assert.deepEqual(cache.stats, { read: 1, cached: 1 });
    cache.save();
    for (const name of cacheFiles()) fs.writeFileSync(path.join(headerCacheDir(home), name), '{"version": 4, "fil');
    const damaged = HeaderCache.load(headerCacheDir(home));
    damaged.readDir(plotsDir, namesIn(plotsDir));
    assert.deepEqual(damaged.stats, { read: 49, cached: 0 });
    assert.equal(fs.readdirSync(headerCacheDir(home)).filter((name) => name.endsWith('.tmp')).length, 0);
  });
});
