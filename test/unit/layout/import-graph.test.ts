import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';

/** Folders of lib/ that are one program's own logic: nothing outside the program may import them. */
const PROGRAM_FOLDERS = new Set([
  'loop',
  'tractor',
  'start',
  'view',
  'cli',
  'harvester',
  'analyze',
  'diskhand',
  'demo',
]);
/** The one program that hosts another: `node scripts/start.js` runs diskhand's pass in its own process (issue 8). */
const HOSTED = new Map([['start', new Set(['diskhand'])]]);

/** Relative module specifiers of every static, re-export, type-only and dynamic import in the source. */
function importSpecifiers(source: string): string[] {
  const patterns = [
    /\bfrom\s+'(\.{1,2}\/[^']+)'/g,
    /\bimport\s*\(\s*'(\.{1,2}\/[^']+)'\s*\)/g,
    /^import\s+'(\.{1,2}\/[^']+)'/gm,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

function listTsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listTsFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** lib/-relative file -> the lib/-relative files it imports (`./x.js` is the source `./x.ts`). */
export function readImportGraph(libDir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of listTsFiles(libDir)) {
    const targets = importSpecifiers(fs.readFileSync(file, 'utf8'))
      .map((specifier) => path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'))
      .filter((target) => target.startsWith(`${libDir}/`))
      .map((target) => path.relative(libDir, target));
    graph.set(path.relative(libDir, file), [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected parts with more than one member (or a member importing itself): Tarjan's algorithm. */
function findCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const part: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      part.push(member);
    } while (member !== node);
    if (part.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(part.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

function folderOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : '.';
}

/** Every rule the layout keeps, as one line per breach: empty when lib/ is as its README says. */
export function findLayoutProblems(libDir: string): string[] {
  const graph = readImportGraph(libDir);
  const problems = findCycles(graph).map((cycle) => `import cycle: ${cycle.join(' <-> ')}`);
  const folders = new Map<string, string[]>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    if (from === '.') problems.push(`loose file at the root of lib/: ${file}`);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from) continue;
      folders.set(from, [...new Set([...(folders.get(from) ?? []), to])]);
      if (!PROGRAM_FOLDERS.has(to) || HOSTED.get(from)?.has(to)) continue;
      problems.push(
        PROGRAM_FOLDERS.has(from)
          ? `program ${from} imports program ${to}: ${file} -> ${target}`
          : `shared folder ${from} imports program ${to}: ${file} -> ${target}`,
      );
    }
  }
  problems.push(...findCycles(folders).map((cycle) => `folder cycle: ${cycle.join(' <-> ')}`));
  return problems;
}

/** Specifiers of the static imports only (`import x from`, `export … from`, `import 'x'`), which load with the module. */
function staticSpecifiers(source: string): string[] {
  const statements = source.match(/^(?:import|export)\s[^;]*?from\s+'[^']+'|^import\s+'[^']+'/gm) ?? [];
  return statements
    .filter((statement) => !/^import\s+type\s|^export\s+type\s/.test(statement))
    .map((statement) => /'([^']+)'$/.exec(statement)![1]!);
}

/** Every package and lib/ file an entry script loads before it runs a line: its static import closure. */
function staticClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of staticSpecifiers(fs.readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'));
      else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  visit(path.join(PACKAGE_ROOT, entry));
  return { files: new Set([...files].map((file) => path.relative(PACKAGE_ROOT, file))), packages };
}

function writeTree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-layout-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('lib/ import graph', () => {
  it('has no import cycle, no program importing another program, no shared folder importing a program', () => {
    assert.deepEqual(findLayoutProblems(path.join(PACKAGE_ROOT, 'lib')), []);
  });

  it("keeps what one command or run needs out of the others' start-up", () => {
    const cli = staticClosure('scripts/goplot-cli.ts');
    // commander, its one package at start, is required by lib/util/commander.ts, not imported
    assert.deepEqual([...cli.packages].sort(), []);
    assert.ok(cli.files.has('lib/util/commander.ts'));
    assert.deepEqual(
      [...cli.files].filter((file) => /^lib\/(view|analyze|farm)\/|read-status|format-status/.test(file)),
      [],
    );
    assert.equal(staticClosure('collectors/getfarm_collector.ts').packages.has('execa'), false);
    for (const entry of [
      'collectors/goplot_collector.ts',
      'collectors/getharvester_collector.ts',
      'scripts/diskhand.ts',
    ]) {
      const closure = staticClosure(entry);
      assert.deepEqual(
        [...closure.packages].filter((name) => /^(date-fns|execa|got|node-cron)$/.test(name)),
        [],
        entry,
      );
      assert.equal(
        [...closure.files].some((file) => file.startsWith('lib/plot-log/')),
        false,
        `${entry} loads the plot log parsers at start`,
      );
    }
  });

  it('finds a file cycle over a type import, a program arrow and a folder cycle', () => {
    const root = writeTree({
      'loop/run.ts': "import { decide } from './decide.js';\n",
      'loop/decide.ts': "import type { World } from './run.js';\nimport { view } from '../view/show.js';\n",
      'view/show.ts': 'export const view = 1;\n',
      'farm/a.ts': "export { b } from '../plan/b.js';\n",
      'plan/b.ts': "const a = await import('../farm/a.js');\n",
      'loose.ts': '',
    });
    try {
      assert.deepEqual(findLayoutProblems(root).sort(), [
        'folder cycle: farm <-> plan',
        'import cycle: farm/a.ts <-> plan/b.ts',
        'import cycle: loop/decide.ts <-> loop/run.ts',
        'loose file at the root of lib/: loose.ts',
        'program loop imports program view: loop/decide.ts -> view/show.ts',
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
