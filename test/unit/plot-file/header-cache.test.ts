import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildPlotHeader } from '../../../lib/plot-file/build-plot-header.js';
import { headerCacheFile, readPlotFilesCached } from '../../../lib/plot-file/header-cache.js';
import { makeTempHome } from '../../helpers/temp-home.js';

const home = makeTempHome('goplot-hcache-');
after(() => home.cleanup());

function writePlot(dir: string, n: number): string {
  const plotId = n.toString(16).padStart(64, '0');
  const file = path.join(dir, `plot-k32-2026-01-01-00-00-${plotId}.plot`);
  fs.writeFileSync(file, buildPlotHeader({ format: 'v1', plotId, k: 32, compression: 0, kind: 'solo' }));
  return file;
}

describe('the header cache', () => {
  const plotsDir = path.join(home.farmRoot, 'farm1', 'disk1', 'plots');
  fs.mkdirSync(plotsDir, { recursive: true });
  const cacheFile = headerCacheFile(home);
  const options = { cacheFile, scopeDirs: [plotsDir] };

  it('reads each header once: a second run takes every one from the cache', async () => {
    const files = Array.from({ length: 50 }, (_, n) => writePlot(plotsDir, n));
    const first = await readPlotFilesCached(files, options);
    assert.deepEqual(first.stats, { read: 50, cached: 0 });
    assert.equal(cacheFile, path.join(home.logsDir, '.plot-headers.json'));
    const second = await readPlotFilesCached(files, options);
    assert.deepEqual(second.stats, { read: 0, cached: 50 });
    assert.deepEqual(second.facts, first.facts);
  });

  it('reads a header again when the size or mtime changed, and drops files that are gone', async () => {
    const files = fs
      .readdirSync(plotsDir)
      .map((name) => path.join(plotsDir, name))
      .sort();
    fs.writeFileSync(files[0]!, 'not a plot any more');
    const stamp = new Date(2020, 0, 1);
    fs.utimesSync(files[1]!, stamp, stamp);
    fs.rmSync(files[2]!);
    const remaining = files.filter((_, i) => i !== 2);
    const run = await readPlotFilesCached(remaining, options);
    assert.deepEqual(run.stats, { read: 2, cached: 47 });
    assert.equal(run.facts[0]!.ok, false);
    const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { entries: Record<string, unknown> };
    assert.equal(Object.keys(cached.entries).length, 49);
    assert.equal(files[2]! in cached.entries, false);
  });

  it('keeps entries outside the folders scanned, never caches an unreadable file, and survives a damaged cache', async () => {
    const files = fs
      .readdirSync(plotsDir)
      .map((name) => path.join(plotsDir, name))
      .sort();
    const missing = path.join(plotsDir, 'gone.plot');
    const other = await readPlotFilesCached([files[5]!, missing], { cacheFile, scopeDirs: [] });
    assert.deepEqual(other.stats, { read: 1, cached: 1 });
    const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { entries: Record<string, unknown> };
    assert.equal(Object.keys(cached.entries).length, 49);
    fs.writeFileSync(cacheFile, '{"version": 1, "entr');
    const after = await readPlotFilesCached(files, options);
    assert.deepEqual(after.stats, { read: 49, cached: 0 });
    assert.equal(fs.readdirSync(home.logsDir).filter((name) => name.endsWith('.tmp')).length, 0);
  });
});
