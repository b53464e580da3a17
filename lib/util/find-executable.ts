import path from 'node:path';
import which from 'which';

/** Where `name` runs from, as a shell would find it; null when it would not run. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | null {
  if (name.includes('/')) return which.sync(path.resolve(name), { nothrow: true }) ?? null;
  return which.sync(name, { nothrow: true, path: env.PATH ?? '' }) ?? null;
}
