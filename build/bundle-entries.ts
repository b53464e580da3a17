// Turns each entry script tsc emitted (scripts/*.js, collectors/*.js) into one file holding all of
// goplot's own code it may run. A cron collector or a tractor started every few minutes then opens
// and compiles one file instead of 40-70 modules, which was most of its start-up beyond node's own
// (issue 21 item 7). Packages stay outside (node_modules, loaded as before, lazily where the code
// imports them lazily); lib/ keeps tsc's output for the tests, the benches and the dashboard build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY_DIRS = ['scripts', 'collectors'];
// code shared by entries, and code an entry imports lazily, goes to chunks here (lib/**/*.js is
// already built output, ignored by git and packed by npm)
const CHUNK_DIR = 'lib/chunks';

/** The entry scripts: every .ts in the entry folders, by the .js tsc wrote beside it. */
export function entryScripts(root: string): string[] {
  return ENTRY_DIRS.flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
      .map((name) => path.join(root, dir, name.replace(/\.ts$/, '.js')))
      .filter((js) => {
        if (fs.existsSync(js)) return true;
        throw new Error(`${js}: not built; run tsc -p tsconfig.json first`);
      }),
  );
}

/**
 * One build per entry: chunks then split only where that entry loads code lazily, not by which
 * other entries share it too (one build for all made 143 chunks, and 45 files for one collector).
 */
async function bundle(entry: string): Promise<void> {
  const name = path.relative(ROOT, entry).replace(/\.js$/, '').replace(/\//g, '-');
  await build({
    entryPoints: [entry],
    outdir: ROOT,
    outbase: ROOT,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // an ES module can import a package only at its top: without chunks, every package any lazily
    // loaded part imports (execa, got, chokidar) would load with every run of the entry
    splitting: true,
    chunkNames: `${CHUNK_DIR}/${name}/[name]-[hash]`,
    logLevel: 'warning',
  });
}

async function main(): Promise<void> {
  const entries = entryScripts(ROOT);
  // chunk names carry a hash of their content: last build's would stay behind
  fs.rmSync(path.join(ROOT, CHUNK_DIR), { recursive: true, force: true });
  await Promise.all(entries.map(bundle));
  process.stdout.write(`bundled ${entries.length} entry scripts\n`);
}

await main();
