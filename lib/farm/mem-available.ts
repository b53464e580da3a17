import fs from 'node:fs';

/** /proc/meminfo, or the file GOPLOT_MEMINFO names (tests and a sandbox give their own). */
export function meminfoPathFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.GOPLOT_MEMINFO || '/proc/meminfo';
}

/** MemAvailable in bytes, or null when the file does not say (an old kernel, no /proc). */
export function readMemAvailableBytes(file: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const match = /^MemAvailable:\s+(\d+)\s*kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : null;
}
