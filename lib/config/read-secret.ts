import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from './home.js';

export interface SecretLog {
  warn(message: string): void;
}

/** Files already warned about in this process, by path and mode, so a loop does not repeat itself. */
const warnedModes = new Map<string, string>();

export function secretFilePath(paths: HomePaths, name: string): string {
  return path.join(paths.configDir, name);
}

/**
 * A secret (token, webhook URL) from `config/<name>`: its last non-empty line, trimmed, or null
 * when the file is missing or empty. The value itself is never put in a message; a file that
 * group or others can read is reported once, with the fix.
 */
export function readSecret(paths: HomePaths, name: string, log: SecretLog): string | null {
  const file = secretFilePath(paths, name);
  let text: string;
  let mode: number;
  try {
    // O_NONBLOCK and a regular-file check: a FIFO or /dev/zero here must not hang or fill memory
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const stat = fs.fstatSync(fd);
      if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      if (!stat.isFile() || stat.size > 64 * 1024)
        throw Object.assign(new Error('not a small regular file'), { code: 'not a small regular file' });
      mode = stat.mode;
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    const problem = code === 'EISDIR' ? 'it is a directory, not a file' : `${code ?? 'error'}`;
    warnOnce(
      file,
      `unreadable:${problem}`,
      log,
      `${file}: cannot be read (${problem}); the secret is treated as not set`,
    );
    return null;
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8);
    warnOnce(
      file,
      `mode:${octal}`,
      log,
      `${file}: secret file is readable by group or others (mode ${octal}); run chmod 600 ${file}`,
    );
  }
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.at(-1) ?? null;
}

function warnOnce(file: string, key: string, log: SecretLog, message: string): void {
  if (warnedModes.get(file) === key) return;
  warnedModes.set(file, key);
  log.warn(message);
}
