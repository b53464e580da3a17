import path from 'node:path';

/**
 * Where `name` runs from, as a shell would find it; null when it would not run. `which` loads
 * here, at the first look-up, not with every program that imports this.
 */
export async function findExecutable(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const { default: which } = await import('which');
  if (name.includes('/')) return which.sync(path.resolve(name), { nothrow: true }) ?? null;
  return which.sync(name, { nothrow: true, path: env.PATH ?? '' }) ?? null;
}
