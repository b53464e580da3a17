import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runScript, type ScriptResult, type TempHome } from './temp-home.js';

/**
 * A loader hook for a spawned script: pass `env` to it and every module its process loads (file
 * URLs, node: builtins; CommonJS files required from it as file URLs too) is written down, one a
 * line, for `loaded()` to read after the run.
 */
export function recordLoads(dir: string): { env: Record<string, string>; loaded: () => string[] } {
  const loads = path.join(dir, 'loaded.txt');
  const hooks = path.join(dir, 'record-hooks.mjs');
  fs.writeFileSync(
    hooks,
    "import fs from 'node:fs';\n" +
      'export async function load(url, context, next) {\n' +
      `  fs.appendFileSync(${JSON.stringify(loads)}, url + '\\n');\n` +
      '  return next(url, context);\n}\n',
  );
  const register = path.join(dir, 'record-loads.mjs');
  // a package required (createRequire) loads through CommonJS, which the hook does not see: its
  // loader is wrapped as well, so those files are written down the same way
  fs.writeFileSync(
    register,
    "import fs from 'node:fs';\n" +
      "import Module, { register } from 'node:module';\n" +
      "import { pathToFileURL } from 'node:url';\n" +
      `register(${JSON.stringify(pathToFileURL(hooks).href)});\n` +
      'const load = Module._load;\n' +
      'Module._load = function (request, parent, isMain) {\n' +
      "  if (!request.startsWith('node:')) {\n" +
      '    const file = Module._resolveFilename(request, parent, isMain);\n' +
      `    if (file.startsWith('/')) fs.appendFileSync(${JSON.stringify(loads)}, pathToFileURL(file).href + '\\n');\n` +
      '  }\n' +
      '  return load.apply(this, arguments);\n' +
      '};\n',
  );
  return {
    env: { NODE_OPTIONS: `--import=${pathToFileURL(register).href}` },
    loaded: () =>
      fs
        .readFileSync(loads, 'utf8')
        .split('\n')
        .filter((url) => url !== ''),
  };
}

/**
 * One run of a script with every load written down (a fresh record each time), and its result:
 * the built entry as a user runs it, or its TypeScript source, whose own modules are the bundle's
 * lazy parts.
 */
export async function recordedRun(
  home: TempHome,
  script: string,
  args: string[],
  options: { env?: Record<string, string>; from: 'built' | 'source' },
): Promise<{ result: ScriptResult; loaded: string[] }> {
  const recorder = recordLoads(fs.mkdtempSync(path.join(home.root, `loads-${options.from}-`)));
  const result = await runScript(home, script, args, { env: { ...options.env, ...recorder.env }, from: options.from });
  return { result, loaded: recorder.loaded() };
}
