// Turns each entry script tsc emitted (scripts/*.js, collectors/*.js) into one file holding all of
// goplot's own code it may run. A cron collector or a tractor started every few minutes then opens
// and compiles one file instead of 40-70 modules, which was most of its start-up beyond node's own
// (issue 21 item 7). Packages stay outside (node_modules, loaded as before, lazily where the code
// imports them lazily); lib/ keeps tsc's output for the tests, the benches and the dashboard build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { retainChunks, type ChunkBuild } from './chunk-retention.js';
import { topLevelPackages } from './top-level-packages.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY_DIRS = ['scripts', 'collectors'];
// code an entry imports lazily goes to chunks here (lib/**/*.js is already built output, ignored
// by git and packed by npm); earlier builds' chunks stay a while (build/chunk-retention.ts)
const CHUNK_DIR = 'lib/chunks';
// the first line after the #! of every bundle: a bundle bundled again would differ from tsc's
const MARK = '// bundled by build/bundle-entries.ts from what tsc emitted';

/** The entry scripts: every .ts in the entry folders, by the .js tsc wrote beside it. */
export function entryScripts(root: string): string[] {
  return ENTRY_DIRS.flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
      .map((name) => path.join(root, dir, name.replace(/\.ts$/, '.js')))
      .filter((js) => {
        if (!fs.existsSync(js)) throw new Error(`${js}: not built; run npm run build (tsc, then this)`);
        if (fs.readFileSync(js, 'utf8').includes(MARK))
          throw new Error(`${js}: a bundle already, not tsc's output; run npm run build (tsc, then this)`);
        return true;
      }),
  );
}

/**
 * One build per entry: chunks then split only where that entry loads code lazily, not by which
 * other entries share it too (one build for all made 143 chunks, and 45 files for one collector).
 */
async function bundle(entry: string): Promise<string[]> {
  const name = path.relative(ROOT, entry).replace(/\.js$/, '').replace(/\//g, '-');
  const result = await build({
    absWorkingDir: ROOT,
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
    metafile: true,
    banner: { js: MARK },
    logLevel: 'warning',
  });
  return Object.keys(result.metafile.outputs).filter((file) => file.startsWith(`${CHUNK_DIR}/`));
}

/** Chunk files on disk, relative to the package root. */
function presentChunks(): string[] {
  const dir = path.join(ROOT, CHUNK_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => `${CHUNK_DIR}/${file}`);
}

/** Removes the chunks no kept build holds and writes the history beside them (renamed into place). */
function retire(written: string[]): number {
  const historyFile = path.join(ROOT, CHUNK_DIR, 'builds.json');
  let history: ChunkBuild[] = [];
  try {
    history = JSON.parse(fs.readFileSync(historyFile, 'utf8')) as ChunkBuild[];
  } catch {
    // none yet, or unreadable: the chunks on disk then count as one build made now
  }
  const retention = retainChunks(Array.isArray(history) ? history : [], written, presentChunks(), new Date());
  for (const file of retention.remove) fs.rmSync(path.join(ROOT, file), { force: true });
  fs.writeFileSync(`${historyFile}.tmp`, `${JSON.stringify(retention.history, null, 1)}\n`);
  fs.renameSync(`${historyFile}.tmp`, historyFile);
  return retention.remove.length;
}

async function main(): Promise<void> {
  const entries = entryScripts(ROOT);
  const written = (await Promise.all(entries.map(bundle))).flat();
  // lib/ requires or imports each package where it is used: an entry that imported one at its
  // top would load it with every run, --help included
  const eager = entries.flatMap((entry) =>
    topLevelPackages(fs.readFileSync(entry, 'utf8')).map(
      (name) => `${path.relative(ROOT, entry)} imports ${name} at its top`,
    ),
  );
  if (eager.length > 0)
    throw new Error(`${eager.join('; ')}: import it where it is used (await import(), or createRequire)`);
  const removed = retire(written);
  process.stdout.write(
    `bundled ${entries.length} entry scripts (${written.length} chunks; ${removed} of older builds removed)\n`,
  );
}

await main();
