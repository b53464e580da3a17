import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A loader hook for a spawned script: pass `env` to it and every module its process loads (file
 * URLs, node: builtins) is written down, one a line, for `loaded()` to read after the run.
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
  fs.writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
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
